"""Incoming Telegram updates are never lost (issue #9): confirmed only after the core stored them.

Long polling: an update whose handling failed because the database was unavailable is tried again
(backing off) until it is stored, and only then does the next getUpdates confirm it; a bug is tried a
few times and then skipped loudly. Webhook: a failure is a 500 (Telegram redelivers). Either way a
redelivered update changes nothing: the core ignores an update key it has seen."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from sqlalchemy import text as sql

from bot.channels.telegram.app import run_polling, webhook_asgi_app
from bot.channels.telegram.polling import BUG_ATTEMPTS, RetryUntilHandled
from bot.outage import Outage
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness
from tests.database_outage import FakeDatabaseOutage
from tests.org_rows import STAF, small_office
from tests.telegram_fakes import (
    TOKEN,
    FakeConversation,
    FakeSession,
    StopPolling,
    message,
    person,
    to_user,
    update,
)
from tests.test_org_import import run_import

SECRET = "s3cret-Token_1"


class FakeFlakyConversation(FakeConversation):
    """The scripted core, failing the first handlings of chosen updates with the errors given."""

    def __init__(self, failures: dict[str, list[Exception]]):
        super().__init__()
        self.failures = failures
        self.attempts: dict[str, int] = {}
        self.respond = lambda inbound: [to_user("ok " + inbound.text)]

    async def handle(self, inbound, fetcher):
        self.attempts[inbound.event_key] = self.attempts.get(inbound.event_key, 0) + 1
        pending = self.failures.get(inbound.event_key)
        if pending:
            raise pending.pop(0)
        return await super().handle(inbound, fetcher)


class Sleeps:
    """Instead of waiting: records the back-off, and may end an outage after so many waits."""

    def __init__(self, then=None, after: int = 0):
        self.calls: list[float] = []
        self.then, self.after = then, after

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.then is not None and len(self.calls) == self.after:
            self.then()


def outage_lines(caplog) -> tuple[list[str], list[str]]:
    messages = [r.getMessage() for r in caplog.records]
    return [m for m in messages if "is unavailable" in m], [m for m in messages if "is back after" in m]


async def poll(conversation, session, retry: RetryUntilHandled) -> None:
    with pytest.raises(StopPolling):  # the fake session ends polling when its scripted batches run out
        await run_polling(conversation, token=TOKEN, session=session, handle_signals=False, retry=retry)


# polling, on the scripted core ----------------------------------------------------------------------

async def test_polling_waits_out_a_database_outage_and_confirms_the_update_only_after_it_was_stored(caplog):
    refused = [ConnectionRefusedError(111, f"connect failed for https://api.telegram.org/bot{TOKEN}/x")
               for _ in range(4)]
    conversation = FakeFlakyConversation({"tg:900": refused})
    session = FakeSession()
    session.updates = [[update(900, message=message(text="/tugas")), update(901, message=message(11, text="/lapor"))]]
    sleeps = Sleeps()
    caplog.set_level(logging.INFO)

    await poll(conversation, session, RetryUntilHandled(outage=Outage("the database"), sleep=sleeps))

    assert conversation.attempts == {"tg:900": 5, "tg:901": 1}
    assert [i.text for i in conversation.inbounds] == ["/tugas", "/lapor"]  # each stored once, in order
    assert sleeps.calls == [0.5, 1.0, 2.0, 4.0]  # growing back-off, capped at 5 s
    first_poll, second_poll = session.get_updates_seen  # no getUpdates while the first update waited
    assert first_poll[0] is None and second_poll[0] == 902
    unavailable, back = outage_lines(caplog)
    assert len(unavailable) == 1 and "ConnectionRefusedError" in unavailable[0] and len(back) == 1, caplog.text
    assert TOKEN not in caplog.text


async def test_an_update_that_fails_for_another_reason_is_tried_a_few_times_then_skipped_loudly(caplog):
    bug = [RuntimeError("'NoneType' object has no attribute 'id'") for _ in range(BUG_ATTEMPTS + 1)]
    conversation = FakeFlakyConversation({"tg:900": bug})
    session = FakeSession()
    session.updates = [[update(900, message=message(text="/tugas")), update(901, message=message(11, text="/lapor"))]]
    retry = RetryUntilHandled(outage=Outage("the database"), sleep=Sleeps())

    await poll(conversation, session, retry)

    assert conversation.attempts == {"tg:900": BUG_ATTEMPTS, "tg:901": 1}
    assert [i.text for i in conversation.inbounds] == ["/lapor"]
    assert list(retry.skipped) == [900]
    loud = [r for r in caplog.records if r.levelno == logging.ERROR and "UPDATE 900 SKIPPED" in r.getMessage()]
    assert len(loud) == 1 and "RuntimeError" in loud[0].getMessage()
    assert session.get_updates_seen[1][0] == 902  # the updates behind it were not held up
    assert outage_lines(caplog) == ([], [])  # a bug is not reported as a database outage


# polling and the webhook, on the real core and both databases --------------------------------------

@pytest.fixture
async def office(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    harness = ChatHarness(db, clock, tmp_path / "media")
    code = (await harness.codes())[STAF]
    conversation = harness.conversation
    handled: list[tuple[str, int]] = []  # (update key, messages the core produced) per completed handling
    original = conversation.handle

    async def recording(inbound, fetcher=None):
        out = await original(inbound, fetcher)
        handled.append((inbound.event_key, len(out)))
        return out

    conversation.handle = recording
    return conversation, code, handled


async def stored(db) -> tuple[list[str], int, int]:
    async with db.engine.connect() as conn:
        seen = sorted((await conn.execute(sql("SELECT key FROM seen_update"))).scalars())
        accounts = (await conn.execute(sql("SELECT count(*) FROM channel_account"))).scalar_one()
        replies = (await conn.execute(sql("SELECT count(*) FROM outbox WHERE key LIKE 'tg:%'"))).scalar_one()
    return seen, accounts, replies


async def test_polling_through_an_outage_stores_each_update_once_and_a_redelivery_changes_nothing(db, office, caplog):
    conversation, code, handled = office
    outage = FakeDatabaseOutage(db)
    start = update(900, message=message(text=f"/start {code}", sender=person(501)))
    status = update(901, message=message(11, text="/status", sender=person(501)))

    class FakeSessionThatLosesTheDatabase(FakeSession):
        """The database goes away once polling runs (the menus were read at start-up)."""

        async def make_request(self, bot, method, timeout=None):
            if method.__api_method__ == "getUpdates" and not self.get_updates_seen:
                await outage.start()
            return await super().make_request(bot, method, timeout)

    session = FakeSessionThatLosesTheDatabase()
    # The second batch redelivers 900, as Telegram does when a confirmation did not reach it.
    session.updates = [[start], [start, status]]
    sleeps = Sleeps(then=outage.end, after=3)
    caplog.set_level(logging.INFO)

    await poll(conversation, session, RetryUntilHandled(outage=Outage("the database"), sleep=sleeps))

    assert outage.refused >= 3 and sleeps.calls[:3] == [0.5, 1.0, 2.0]
    first, redelivered = handled[0], handled[1]
    assert first[0] == "tg:900" and first[1] >= 1  # welcomed once the database was back
    assert redelivered == ("tg:900", 0)  # seen before: nothing done, nothing to send
    assert [key for key, _ in handled] == ["tg:900", "tg:900", "tg:901"]
    seen, accounts, replies = await stored(db)
    assert seen == ["tg:900", "tg:901"] and accounts == 1
    assert replies == first[1] + handled[2][1]  # the replies of each update, written once
    assert session.get_updates_seen[1][0] == 901 and session.get_updates_seen[2][0] == 902
    unavailable, back = outage_lines(caplog)
    assert len(unavailable) == 1 and len(back) == 1, caplog.text


async def test_a_webhook_update_during_an_outage_gets_a_500_and_its_redelivery_is_processed_once(db, office):
    conversation, code, handled = office
    outage = FakeDatabaseOutage(db)
    app = webhook_asgi_app(conversation, token=TOKEN, api_url="http://127.0.0.1:9/", session=FakeSession(),
                           webhook_url="https://apel.example.go.id/telegram/webhook", secret_token=SECRET)
    body = json.dumps(update(950, message=message(text=f"/start {code}", sender=person(501))))
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        await outage.start()
        during = await client.post("/telegram/webhook", content=body, headers=headers)
        outage.end()
        after = await client.post("/telegram/webhook", content=body, headers=headers)
        again = await client.post("/telegram/webhook", content=body, headers=headers)

    assert during.status_code == 500  # not 2xx: Telegram delivers it again
    assert (after.status_code, again.status_code) == (200, 200)
    assert handled[0][0] == "tg:950" and handled[0][1] >= 1 and handled[1:] == [("tg:950", 0)]
    seen, accounts, replies = await stored(db)
    assert seen == ["tg:950"] and accounts == 1 and replies == handled[0][1]
