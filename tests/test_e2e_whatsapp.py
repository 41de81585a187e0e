"""End to end on WhatsApp: `apel run` as its own process (WhatsApp only: its webhook on a local port),
a local fake Graph API, and signed webhook posts as Meta would make them. A staff member and their
supervisor onboard with their codes; the briefing goes out as a template (the window is closed), the
full briefing follows the reply; a photo and a location pin; the report; the supervisor approves it
with a button of the digest."""

from __future__ import annotations

import csv
import socket
import sqlite3
import time

import httpx
import pytest

from tests import whatsapp_payloads as wp
from tests.e2e_process import ApelProcess, process_env, run_apel
from tests.fake_graph_api import FakeGraphApi
from tests.test_e2e_telegram import BOSS_NIP, FAKE_NOW, STAFF_NIP, jpeg

SECRET, VERIFY, TOKEN = "e2e-app-secret", "e2e-verify", "EAAe2eToken"
STAFF, STAFF_PHONE = "ID.2000000000000001", "6281234560001"
BOSS, BOSS_PHONE = "ID.2000000000000002", "6281234560002"
# The longest wait for an answer. The day below sends one person 11 messages within a minute (onboarding,
# the held briefing, evidence receipts, the report's steps), and the outbox sends one person at most 10 a
# minute (Meta's pair limit, a moving window): the 11th, "Laporan terkirim", waits up to a minute for the
# first to leave the window. A passing run waits only as long as that takes.
STEP = 75.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Meta:
    """The people's phones and Meta's webhook calls into `apel run`."""

    def __init__(self, graph: FakeGraphApi, bot: ApelProcess, port: int):
        self.graph, self.bot, self.url = graph, bot, f"http://127.0.0.1:{port}/whatsapp"

    def post(self, user: str, phone: str, body: dict) -> int:
        self.graph.user_wrote(user)
        payload = wp.encode(wp.message(user, phone, body))
        mark = len(self.graph.calls)
        response = httpx.post(self.url, content=payload, headers={"x-hub-signature-256": wp.sign(payload, SECRET),
                                                                 "content-type": "application/json"}, timeout=30)
        assert response.status_code == 200, (response.status_code, self.bot.output())
        return mark

    def wait(self, to: str, since: int, contains: str = "", *, kind: str | None = None):
        deadline = time.monotonic() + STEP
        while time.monotonic() < deadline:
            for call in self.graph.sent(to, since):
                if contains in call.shown() and (kind is None or call.type == kind):
                    return call
            refused = [c for c in self.graph.calls[since:] if not c.ok]
            assert not refused, f"the fake Graph API refused: {[(c.path, c.response) for c in refused]}\n{self.bot.output()}"
            assert self.bot.alive(), self.bot.output()
            time.sleep(0.1)
        raise AssertionError(f"no message to {to} containing {contains!r}: "
                             f"{[c.shown() for c in self.graph.sent(to, since)]}\n{self.bot.output()}")


def action(call, prefix: str) -> str:
    found = [a for a, _ in call.actions() if a.startswith(prefix)]
    if not found and call.type == "text":  # a numbered menu: the order of the lines is the order of actions
        raise AssertionError(f"numbered menu: {call.shown()}")
    return found[0]


@pytest.mark.slow
@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_a_working_day_on_whatsapp(db_target, tmp_path):
    database_url, _ = db_target
    port = free_port()
    graph = FakeGraphApi(token=TOKEN, phone_id=wp.PHONE_ID).start_in_thread()
    env = process_env({
        "DATABASE_URL": database_url, "MEDIA_DIR": str(tmp_path / "media"), "DEFAULT_LANGUAGE": "id",
        "FAKE_NOW": FAKE_NOW, "ROUTINE_TICK_SECONDS": "0", "LOG_LEVEL": "INFO", "TELEGRAM_BOT_TOKEN": "",
        "WHATSAPP_TOKEN": TOKEN, "WHATSAPP_PHONE_ID": wp.PHONE_ID, "WHATSAPP_NUMBER": "+" + wp.BUSINESS_NUMBER,
        "WHATSAPP_APP_SECRET": SECRET, "WHATSAPP_VERIFY_TOKEN": VERIFY, "GRAPH_API_URL": graph.base_url,
        "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port),
    })
    run_apel("org", "sample", env=env, cwd=tmp_path)
    run_apel("invite", "--out", str(tmp_path / "invites.csv"), "--channel", "whatsapp", env=env, cwd=tmp_path)
    with open(tmp_path / "invites.csv", encoding="utf-8", newline="") as f:
        codes = {row["nip"]: row["code"] for row in csv.DictReader(f)}
    bot = ApelProcess("run", env=env, cwd=tmp_path, log_path=tmp_path / "apel-run.log")
    meta = Meta(graph, bot, port)
    try:
        bot.start()
        deadline = time.monotonic() + 40
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert bot.alive() and time.monotonic() < deadline, bot.output()
            time.sleep(0.2)
        challenge = httpx.get(meta.url, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                                "hub.challenge": "42"})
        assert challenge.text == "42"

        # Onboarding: the code is the first message (the wa.me link pre-fills it); the home pin follows.
        for user, phone, nip in ((STAFF, STAFF_PHONE, STAFF_NIP), (BOSS, BOSS_PHONE, BOSS_NIP)):
            mark = meta.post(user, phone, wp.text(codes[nip]))
            meta.wait(user, mark, "Selamat datang")
            meta.wait(user, mark, kind="interactive")  # the location request
            mark = meta.post(user, phone, wp.location(-1.6221, 103.5779))
            meta.wait(user, mark, "Lokasi rumah tersimpan")

        # A day later the window is closed: the briefing goes as the template, the content is held.
        with sqlite3.connect(database_url.split("///", 1)[1]) as db:
            db.execute("UPDATE whatsapp_chat SET last_inbound_at = '2026-11-21 09:00:00.000000'")
        graph.windows[STAFF] -= 2 * 86400
        mark = len(graph.calls)
        run_apel("run-step", "briefing", env=env, cwd=tmp_path, timeout=60)
        template = meta.wait(STAFF, mark, "apel_briefing", kind="template")
        assert template.body["template"]["components"][0]["parameters"][0]["text"] == "Rahmat Firmansyah, S.E."
        mark = meta.post(STAFF, STAFF_PHONE, wp.template_button("wa:show"))
        meta.wait(STAFF, mark, "Apel pagi")

        # Evidence: a photo through the media API, a location pin.
        graph.add_media("media-e2e-photo", jpeg())
        mark = meta.post(STAFF, STAFF_PHONE, wp.image("media-e2e-photo"))
        meta.wait(STAFF, mark, "Foto diterima")
        mark = meta.post(STAFF, STAFF_PHONE, wp.location(-1.6222, 103.5781))
        assert meta.wait(STAFF, mark).ok

        # The report: /lapor (no tasks today, so straight to the summary) → summary → send.
        mark = meta.post(STAFF, STAFF_PHONE, wp.text("/lapor"))
        meta.wait(STAFF, mark, "Langkah 2 dari 3")
        mark = meta.post(STAFF, STAFF_PHONE, wp.text("SPJ Q4 direkap & dikirim."))
        preview = meta.wait(STAFF, mark, "Pratinjau laporan")
        mark = meta.post(STAFF, STAFF_PHONE, wp.button_reply(action(preview, "r:send")))
        meta.wait(STAFF, mark, "Laporan terkirim")

        # The supervisor approves with a button of the digest.
        mark = meta.post(BOSS, BOSS_PHONE, wp.text("/rekap"))
        deadline = time.monotonic() + STEP
        while not [a for c in graph.sent(BOSS, mark) for a, _ in c.actions() if a.startswith("ap:")]:
            assert time.monotonic() < deadline, [c.shown() for c in graph.sent(BOSS, mark)]
            time.sleep(0.1)
        approve = next(a for c in graph.sent(BOSS, mark) for a, _ in c.actions() if a.startswith("ap:"))
        mark = meta.post(BOSS, BOSS_PHONE, wp.list_reply(approve))
        assert meta.wait(BOSS, mark).ok
        with sqlite3.connect(database_url.split("///", 1)[1]) as db:
            statuses = [row[0] for row in db.execute("SELECT status FROM report")]
        assert statuses == ["approved"], statuses
    finally:
        code = bot.stop()
        graph.stop()
        print(f"--- apel run (exit {code}) ---\n{bot.output()}")
    # uvicorn re-raises the SIGTERM it handled once it has shut down cleanly, so -15 is a clean stop too.
    assert code in (0, -15), code
    assert "Traceback" not in bot.output(), bot.output()
    assert [c for c in graph.calls if not c.ok] == []
