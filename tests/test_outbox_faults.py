"""The outbox against a Bot API that fails a fifth of the sends: the real `apel run --role sender` process
(SQLite, then PostgreSQL) drains 300 queued messages (briefings and replies, interleaved) to 30 chats through
the local stand-in with a seeded fault plan (tests/fake_bot_api_faults.py: 429 with retry_after, 500, 502, and
answers that come after the sender's timeout although the message was delivered).

What must hold: every message arrives; per chat they first arrive in queue order (a reply may overtake
bulk queued before it — replies go first — but never a message of its own or a more urgent kind); every
outbox row ends `sent`; a message arrives twice only when a send of it timed out, and there are no more
duplicates than the uncertain sends the outbox counted."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

import pytest

from bot.domain.org_terms import Channel
from bot.messages import Outgoing, Reply, Urgency
from storage.unit_of_work import Database
from tests.e2e_database import query
from tests.e2e_process import ApelProcess, process_env
from tests.fake_bot_api import NEW_MESSAGE_METHODS, Call, FakeBotApi
from tests.fake_bot_api_faults import FakeFaults

TOKEN = "7301234567:AAE2eTestTokenForTheStandIn_0123456789"
CHATS, PER_CHAT = 30, 10
FIRST_UID = 6_300_000_000
FAKE_NOW = "2026-11-23T07:00:00+07:00"
SEND_TIMEOUT_S, SLOW_S = 2.0, 3.0  # the stand-in's slow answers come after the sender gave up waiting
DRAIN_S = 150.0

pytestmark = pytest.mark.slow


def _is_reply(n: int) -> bool:
    return n % 3 == 1  # interleaved: briefing, reply, briefing, briefing, reply, …


def _text(chat: int, n: int) -> str:
    return f"{'balasan' if _is_reply(n) else 'briefing'} {chat}-{n:02d}"


async def _queue(url: str, schema: str | None) -> None:
    """Round-robin over the chats, so that ids interleave as a busy morning's would."""
    db = Database(url, schema=schema)
    try:
        async with db.uow() as uow:
            uow.outbox.add([
                Outgoing(Channel.TELEGRAM, str(FIRST_UID + c), Reply(_text(c, n)),
                         Urgency.REPLY if _is_reply(n) else Urgency.BULK, kind="reply" if _is_reply(n) else "briefing")
                for n in range(PER_CHAT) for c in range(CHATS)
            ])
            await uow.commit()
    finally:
        await db.dispose()


def _rows(where: tuple[str, str | None]) -> list[tuple]:
    return query(*where, "SELECT id, external_id, priority, payload, status, uncertain FROM outbox ORDER BY id")


def _delivered(api: FakeBotApi) -> dict[str, list[Call]]:
    """Calls that put the message in the chat, by text (a slow answer delivered too)."""
    by_text: dict[str, list[Call]] = defaultdict(list)
    with api._lock:
        for call in api.calls:
            if call.method in NEW_MESSAGE_METHODS and call.ok:
                by_text[call.text].append(call)
    return by_text


@pytest.mark.parametrize("db_target", ["sqlite", "postgresql"], indirect=True)
def test_every_message_arrives_in_order_when_a_fifth_of_the_sends_fail(db_target, tmp_path):
    url, schema = db_target
    where = (url, schema)
    asyncio.run(_queue(url, schema))
    faults = FakeFaults(seed=20261123, rate=0.2, slow_s=SLOW_S, retry_after=1)
    api = FakeBotApi(token=TOKEN, faults=faults).start_in_thread()
    for c in range(CHATS):
        api.add_started_user(FIRST_UID + c, f"Pegawai {c}")
    env = process_env({
        "DATABASE_URL": url, "DATABASE_SCHEMA": schema or "", "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.url,
        "TELEGRAM_BULK_RATE": "20", "TELEGRAM_TOTAL_RATE": "25", "TELEGRAM_SEND_TIMEOUT": str(SEND_TIMEOUT_S),
        "FAKE_NOW": FAKE_NOW, "ROUTINE_TICK_SECONDS": "0", "MEDIA_DIR": str(tmp_path / "media"),
        "LOG_LEVEL": "INFO", "WHATSAPP_TOKEN": "", "WEBHOOK_URL": "",
    })
    sender = ApelProcess("run", "--role", "sender", env=env, cwd=tmp_path, log_path=tmp_path / "sender.log")
    started = time.monotonic()
    try:
        sender.start()
        deadline = started + DRAIN_S
        while {row[4] for row in _rows(where)} & {"queued", "sending"}:
            assert sender.alive(), sender.output()
            assert time.monotonic() < deadline, f"not drained in {DRAIN_S} s: {_rows(where)[:5]}…"
            time.sleep(0.5)
        drained = time.monotonic() - started
    finally:
        code = sender.stop()
        api.stop()
        print(f"--- apel run --role sender (exit {code}) ---\n{sender.output()}")
    rows = _rows(where)
    delivered = _delivered(api)

    # Every row ends sent, and every message is in its chat.
    assert len(rows) == CHATS * PER_CHAT
    assert [r for r in rows if r[4] != "sent"] == []
    assert code == 0 and "Traceback" not in sender.output()
    missing = [_text(c, n) for c in range(CHATS) for n in range(PER_CHAT) if _text(c, n) not in delivered]
    assert missing == []

    # Order per chat by first arrival: a message never arrives before one of the same chat queued earlier
    # with the same or a more urgent priority.
    first = {text: calls[0].index for text, calls in delivered.items()}
    by_chat: dict[str, list[tuple]] = defaultdict(list)
    for row_id, chat, priority, payload, *_ in rows:
        text = next(t for t in (_text(int(chat) - FIRST_UID, n) for n in range(PER_CHAT)) if f'"{t}"' in payload)
        by_chat[chat].append((row_id, priority, text))
    overtaken = [(a[2], b[2]) for queue in by_chat.values() for i, a in enumerate(queue) for b in queue[i + 1:]
                 if a[1] <= b[1] and first[b[2]] < first[a[2]]]
    assert overtaken == [], f"arrived before a message queued earlier: {overtaken[:10]}"

    # Duplicates: only messages whose earlier copies got no answer in time, never more than counted.
    duplicates = {text: calls for text, calls in delivered.items() if len(calls) > 1}
    extra = sum(len(calls) - 1 for calls in duplicates.values())
    counted = sum(r[5] for r in rows)
    with api._lock:
        sends = [c for c in api.calls if c.method in NEW_MESSAGE_METHODS]
    print(f"drained {len(rows)} messages in {drained:.1f} s with {len(sends)} send calls; faults {dict(faults.drawn)}; "
          f"{api.throttled} throttled by the stand-in's flood control; {extra} duplicate(s) of {len(duplicates)} "
          f"message(s); {counted} uncertain send(s) counted by the outbox")
    assert sum(faults.drawn.values()) >= 0.15 * len(sends), "the fault plan did not bite"
    assert set(faults.drawn) == {"429", "500", "502", "slow"}
    assert [c for calls in duplicates.values() for c in calls[:-1] if c.fault != "slow"] == []
    assert extra <= counted
    assert extra <= faults.drawn["slow"]
