"""A stranger's audit label is keyed with the deployment's secret: the database alone cannot reverse it
(chat ids are small numbers, WhatsApp ids phone numbers), yet every process and restart labels alike."""

from __future__ import annotations

import hashlib
import hmac
import os
import threading

from bot.clock import SystemClock
from bot.domain.org_terms import Channel
from bot.messages import Inbound
from bot.runtime import build_conversation
from bot.settings import Settings
from storage.pseudonym_key import KEY_FILE, pseudonym_key
from tests.chat_harness import MONDAY_0900_WIB

STRANGER = "123456789"


async def _label_of_stranger(db, settings: Settings, event: str) -> str:
    conversation = build_conversation(settings, db, SystemClock())
    await conversation.handle(Inbound(Channel.TELEGRAM, STRANGER, event, MONDAY_0900_WIB, text="halo"))
    async with db.uow() as uow:
        refused = await uow.audit.entries(action="refused")
    return refused[0].actor


async def test_a_strangers_label_is_keyed_and_stable_across_restarts(db, tmp_path):
    settings = Settings(_env_file=None, media_dir=tmp_path / "media")
    label = await _label_of_stranger(db, settings, "u1")
    again = await _label_of_stranger(db, settings, "u2")  # another process, or the same one restarted

    plain = hashlib.sha256(f"telegram:{STRANGER}".encode()).hexdigest()[:16]
    key = (tmp_path / "media" / KEY_FILE).read_bytes().strip()
    keyed = hmac.new(key, f"telegram:{STRANGER}".encode(), hashlib.sha256).hexdigest()[:16]
    assert label == again == f"stranger:telegram:{keyed}"
    assert plain not in label
    assert len(key) == 64 and (tmp_path / "media" / KEY_FILE).stat().st_mode & 0o777 == 0o600


async def test_pseudonym_secret_keys_the_label(db, tmp_path):
    settings = Settings(_env_file=None, media_dir=tmp_path / "media", pseudonym_secret="deployment-secret")
    label = await _label_of_stranger(db, settings, "u1")

    keyed = hmac.new(b"deployment-secret", f"telegram:{STRANGER}".encode(), hashlib.sha256).hexdigest()[:16]
    assert label == f"stranger:telegram:{keyed}"
    assert not (tmp_path / "media" / KEY_FILE).exists()  # no key file made when the secret is set


def test_processes_starting_at_once_share_one_key(tmp_path):
    keys: list[bytes] = []
    start = threading.Barrier(8)

    def make():
        start.wait()
        keys.append(pseudonym_key(None, tmp_path))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and keys[0] == (tmp_path / KEY_FILE).read_bytes().strip()
    assert os.listdir(tmp_path) == [KEY_FILE]  # no temporary file left behind
