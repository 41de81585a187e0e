"""The outbox: messages are stored with the change that causes them, keyed; the sender drains them by
priority under the rate limits and ends each one as sent, failed with a reason, or expired."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from types import SimpleNamespace

import pytest
from limits import RateLimitItemPerSecond
from sqlalchemy import select

from bot.domain.org_terms import Channel
from bot.messages import Outgoing, Reply, Urgency
from bot.outage import Outage
from bot.outbox.rate import ChannelLimits, PacedMemoryStorage, SendLimits
from bot.outbox.records import Attempt, Outcome
from bot.outbox.sender import MAX_ATTEMPTS, OutboxSender
from bot.services.routine import Routine
from storage.outbox_tables import OutboxMessage
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness
from tests.org_rows import KASI, STAF, small_office
from tests.test_org_import import run_import

RUDI, DEWI = "501", "502"


def fast_limits() -> SendLimits:
    many = RateLimitItemPerSecond(1000)
    return SendLimits({Channel.TELEGRAM: ChannelLimits(many, many, many)})


class FakeTransport:
    """Answers each send with the next scripted outcome for that chat (SENT once the script runs out)."""

    def __init__(self, script: dict[str, list[Attempt]] | None = None):
        self.script = script or {}
        self.calls: list[tuple[str, str, int]] = []

    async def attempt(self, outgoing: Outgoing, parts_sent: int) -> Attempt:
        self.calls.append((outgoing.external_id, outgoing.reply.text, parts_sent))
        queue = self.script.get(outgoing.external_id) or []
        return queue.pop(0) if queue else Attempt(Outcome.SENT, parts_sent + 1)


@pytest.fixture
async def chat(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    harness = ChatHarness(db, clock, tmp_path / "media")
    codes = await harness.codes()
    for sender, nip in ((RUDI, STAF), (DEWI, KASI)):
        await harness.text(sender, f"/start {codes[nip]}")
        async with db.uow() as uow:
            PERSON[sender] = await uow.people.account_person(Channel.TELEGRAM, sender)
    return harness


def sender_for(chat, transport, **kw) -> OutboxSender:
    return OutboxSender(chat.db.uow, {Channel.TELEGRAM: transport}, fast_limits(), chat.clock, worker="t", **kw)


async def rows(db) -> list[SimpleNamespace]:
    async with db.uow() as uow:
        found = await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [SimpleNamespace(**row.model_dump()) for row in found]


async def drain_all(sender: OutboxSender) -> None:
    while await sender.drain():
        pass


async def queue(db, *outgoings: Outgoing) -> None:
    async with db.uow() as uow:
        uow.outbox.add(list(outgoings))
        await uow.commit()


PERSON = {}  # sender -> person id, filled by the fixture


def bulk(to: str, text: str, **kw) -> Outgoing:
    return Outgoing(Channel.TELEGRAM, to, Reply(text), Urgency.BULK, PERSON.get(to), kind="briefing", **kw)


async def test_replies_are_stored_with_the_turn_and_a_redelivered_update_writes_nothing_twice(chat):
    await chat.text(RUDI, "/status", key="tg:900")
    before = await rows(chat.db)
    assert await chat.text(RUDI, "/status", key="tg:900") == []
    assert len(await rows(chat.db)) == len(before)
    mine = [r for r in before if r.key.startswith("tg:900:")]
    assert mine and all(r.priority == 0 and r.status == "queued" and r.kind == "reply" for r in mine)


async def test_writing_the_same_key_twice_is_a_no_op(chat):
    await queue(chat.db, bulk(RUDI, "Briefing", key="brief:x"))
    await queue(chat.db, bulk(RUDI, "Briefing again", key="brief:x"))
    assert [r.payload.count("again") for r in await rows(chat.db) if r.key == "brief:x"] == [0]


async def test_replies_go_before_bulk_and_bulk_goes_by_wanted_time(chat):
    await drain_all(sender_for(chat, FakeTransport()))  # the onboarding replies
    early = chat.clock.now() - dt.timedelta(hours=1)
    await queue(chat.db, bulk(DEWI, "WIB wave", target_at=chat.clock.now()), bulk(RUDI, "WIT wave", target_at=early))
    await chat.text(RUDI, "/status")
    transport = FakeTransport()
    await drain_all(sender_for(chat, transport, batch=1))
    order = [text.split("\n")[0] for _, text, _ in transport.calls]
    assert order[-2:] == ["WIT wave", "WIB wave"]
    assert "WIB wave" not in order[0] and "WIT wave" not in order[0]  # the status reply went first
    assert {r.status for r in await rows(chat.db)} == {"sent"}


async def test_a_429_pauses_the_channel_and_the_message_is_sent_after_retry_after(chat):
    await drain_all(sender_for(chat, FakeTransport()))
    await queue(chat.db, bulk(RUDI, "one"), bulk(RUDI, "two"))
    transport = FakeTransport({RUDI: [Attempt(Outcome.RETRY_AFTER, 0, 3.0, "429")]})
    sender = sender_for(chat, transport)
    await sender.drain()
    assert await sender.limits.paused_for(Channel.TELEGRAM) > 1.0
    assert await sender.drain() == 0  # "one" waits for retry_after, and "two" stays behind it
    chat.clock.advance(seconds=4)
    sender.limits = fast_limits()  # the pause has passed
    await drain_all(sender)
    assert [t for _, t, _ in transport.calls] == ["one", "one", "two"]
    assert sender.stats.throttled == 1


async def test_server_errors_back_off_and_give_up_with_the_reason_after_the_last_attempt(chat):
    await drain_all(sender_for(chat, FakeTransport()))
    await queue(chat.db, bulk(RUDI, "flaky"), bulk(DEWI, "fine"))
    transport = FakeTransport({RUDI: [Attempt(Outcome.TRANSIENT, 0, reason="5xx Bad Gateway")] * MAX_ATTEMPTS})
    sender = sender_for(chat, transport, jitter=lambda: 0.5)
    for _ in range(MAX_ATTEMPTS):
        await drain_all(sender)
        chat.clock.advance(minutes=10)
    final = {r.payload.split('"')[3]: r for r in await rows(chat.db) if r.kind == "briefing"}
    assert final["fine"].status == "sent"
    assert final["flaky"].status == "failed" and final["flaky"].reason == "5xx Bad Gateway"
    assert final["flaky"].attempts == MAX_ATTEMPTS - 1


async def test_a_timeout_after_sending_is_retried_once_and_counted(chat):
    await drain_all(sender_for(chat, FakeTransport()))
    await queue(chat.db, bulk(RUDI, "maybe"), bulk(DEWI, "twice"))
    uncertain = Attempt(Outcome.UNCERTAIN, 0, reason="Request timeout error")
    transport = FakeTransport({RUDI: [uncertain], DEWI: [uncertain, uncertain]})
    sender = sender_for(chat, transport)
    await drain_all(sender)
    final = {r.payload.split('"')[3]: r for r in await rows(chat.db) if r.kind == "briefing"}
    assert final["maybe"].status == "sent" and final["maybe"].uncertain == 1
    assert final["twice"].status == "failed" and final["twice"].uncertain == 2
    assert sender.stats.uncertain == 3 and len(transport.calls) == 4  # every uncertain send is counted


async def test_a_blocked_person_is_marked_unreachable_and_nothing_more_is_tried(chat):
    await drain_all(sender_for(chat, FakeTransport()))
    await queue(chat.db, bulk(RUDI, "first"), bulk(RUDI, "second"), bulk(DEWI, "other"))
    transport = FakeTransport({RUDI: [Attempt(Outcome.UNREACHABLE, 0, reason="403 Forbidden: bot was blocked")]})
    await drain_all(sender_for(chat, transport))
    final = {r.payload.split('"')[3]: r for r in await rows(chat.db) if r.kind == "briefing"}
    assert final["first"].status == "failed" and "403" in final["first"].reason
    assert final["second"].status == "failed" and final["second"].reason == "recipient unreachable"
    assert final["other"].status == "sent"
    assert [t for _, t, _ in transport.calls] == ["first", "other"] or [t for _, t, _ in transport.calls] == ["other", "first"]
    rudi = final["first"].person_id
    async with chat.db.uow() as uow:
        [flag] = (await uow.flags.for_day([rudi], chat.clock.now().date()))[rudi]
        assert flag.kind.value == "unreachable" and flag.detail == {"channel": "Telegram"}  # for the digest
    async with chat.db.uow() as uow:
        assert await uow.people.account_person(Channel.TELEGRAM, RUDI) is not None  # still linked...
        assert await uow.people.addresses([rudi]) == []  # ...but not addressed any more


async def test_a_person_who_unblocks_the_bot_and_writes_again_gets_the_routine_again(chat):
    await drain_all(sender_for(chat, FakeTransport()))
    await queue(chat.db, bulk(RUDI, "blocked"))
    await drain_all(sender_for(chat, FakeTransport({RUDI: [Attempt(Outcome.UNREACHABLE, 0, reason="403 Forbidden")]})))
    chat.clock.advance(days=1)  # Tuesday: Rudi unblocks the bot and writes
    assert "Status" in "".join(o.reply.text for o in await chat.text(RUDI, "/status"))
    rudi = PERSON[RUDI]
    async with chat.db.uow() as uow:
        assert [a.external_id for a in await uow.people.addresses([rudi])] == [RUDI]
    routine = Routine(chat.db.uow, clock=chat.clock, default_language="id")
    briefed = await routine.briefings(chat.clock.now(), force=True)
    assert RUDI in {o.external_id for o in briefed if o.kind == "briefing"}


async def test_a_briefing_not_sent_by_the_deadline_expires(chat):
    await drain_all(sender_for(chat, FakeTransport()))
    await queue(chat.db, bulk(RUDI, "late", expires_at=chat.clock.now() + dt.timedelta(minutes=5)))
    chat.clock.advance(minutes=6)
    transport = FakeTransport()
    sender = sender_for(chat, transport)
    await sender.tidy()
    await drain_all(sender)
    [late] = [r for r in await rows(chat.db) if r.kind == "briefing"]
    assert late.status == "expired" and late.reason and transport.calls == []


async def test_a_message_left_in_flight_by_a_dead_sender_is_sent_again_as_uncertain(chat):
    await drain_all(sender_for(chat, FakeTransport()))
    await queue(chat.db, bulk(RUDI, "in flight"))
    async with chat.db.uow() as uow:
        [item] = await uow.outbox.claim("dead", chat.clock.now(), 10, [Channel.TELEGRAM])
        await uow.commit()
    chat.clock.advance(minutes=3)
    transport = FakeTransport()
    sender = sender_for(chat, transport)
    await sender.tidy()
    await drain_all(sender)
    [row] = [r for r in await rows(chat.db) if r.id == item.id]
    assert row.status == "sent" and row.uncertain == 1 and len(transport.calls) == 1


async def deactivate_rudi(chat) -> None:
    """An org chart import without Rudi: it withdraws what is queued for him, not what a sender holds."""
    assert (await run_import(chat.db, chat.clock, [r for r in small_office() if r["nip"] != STAF])).ok


async def test_a_message_claimed_before_an_import_deactivated_its_recipient_expires_instead_of_going(chat):
    """A sender died holding Rudi's digest ('sending'); the import that deactivated him expired only what was
    queued. Put back by the housekeeping, the digest went to Rudi, who had left the org chart."""
    await drain_all(sender_for(chat, FakeTransport()))
    await queue(chat.db, bulk(RUDI, "Rekap tim"), bulk(DEWI, "Rekap tim"))
    async with chat.db.uow() as uow:
        claimed = await uow.outbox.claim("dead", chat.clock.now(), 10, [Channel.TELEGRAM])
        await uow.commit()
    await deactivate_rudi(chat)
    chat.clock.advance(minutes=3)
    transport = FakeTransport()
    sender = sender_for(chat, transport)
    await sender.tidy()
    await drain_all(sender)
    by_id = {r.id: r for r in await rows(chat.db)}
    assert [(by_id[i.id].status, by_id[i.id].reason) for i in claimed if i.outgoing.external_id == RUDI] == [
        ("expired", "recipient deactivated by an org chart import before it was sent")]
    assert [to for to, _, _ in transport.calls] == [DEWI] and sender.stats.expired == 1


class DeactivatingTransport(FakeTransport):
    """Rudi's first message takes a while (a slow chat); during it an import deactivates him."""

    def __init__(self, chat):
        super().__init__()
        self.chat = chat

    async def attempt(self, outgoing: Outgoing, parts_sent: int) -> Attempt:
        if outgoing.reply.text == "one":
            await deactivate_rudi(self.chat)
            self.chat.clock.advance(seconds=2)
        return await super().attempt(outgoing, parts_sent)


async def test_a_recipient_deactivated_while_their_batch_is_sent_gets_nothing_more_of_it(chat):
    await drain_all(sender_for(chat, FakeTransport()))
    await queue(chat.db, *(bulk(RUDI, text, key=text) for text in ("one", "two", "three")))
    transport = DeactivatingTransport(chat)
    await drain_all(sender_for(chat, transport))
    assert [text for _, text, _ in transport.calls] == ["one"]
    statuses = {r.key: r.status for r in await rows(chat.db) if r.kind == "briefing"}
    assert statuses == {"one": "sent", "two": "expired", "three": "expired"}


async def test_the_sender_reads_who_was_deactivated_once_per_batch_not_once_per_message(chat):
    await drain_all(sender_for(chat, FakeTransport()))
    await queue(chat.db, *(bulk(RUDI if i % 2 else DEWI, f"m{i}") for i in range(40)))
    sender = sender_for(chat, FakeTransport())
    readings = []
    real = sender._read_deactivated

    async def counted(*, fresh=False):
        before = sender._deactivated_at
        await real(fresh=fresh)
        readings.append(sender._deactivated_at is not before)
    sender._read_deactivated = counted
    await drain_all(sender)
    assert sum(readings) == 1 and len(readings) == 41  # the batch's reading; each message asked, none read


class GatedTransport(FakeTransport):
    """Sends at once, except to chats whose gate is closed: those wait until the test opens it."""

    def __init__(self, gates: dict[str, asyncio.Event]):
        super().__init__()
        self.gates = gates

    async def attempt(self, outgoing: Outgoing, parts_sent: int) -> Attempt:
        if outgoing.external_id in self.gates:
            await self.gates[outgoing.external_id].wait()
        return await super().attempt(outgoing, parts_sent)


async def until(predicate, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if await predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not within the timeout")


async def test_a_sent_message_is_recorded_at_once_not_when_its_batch_ends(chat):
    await drain_all(sender_for(chat, FakeTransport()))
    await queue(chat.db, bulk(RUDI, "quick"), bulk(DEWI, "held"))
    held = asyncio.Event()
    sender = sender_for(chat, GatedTransport({DEWI: held}))
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))

    async def quick_recorded() -> bool:
        return {r.payload.split('"')[3]: r.status for r in await rows(chat.db) if r.kind == "briefing"} == \
            {"quick": "sent", "held": "sending"}

    await until(quick_recorded)  # the same claimed batch is still being sent
    held.set()
    stop.set()
    await running
    assert {r.status for r in await rows(chat.db)} == {"sent"}


async def test_the_log_says_when_a_sender_stops(chat, caplog):
    sender = sender_for(chat, FakeTransport())
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    await asyncio.sleep(0.05)
    with caplog.at_level("INFO", logger="bot.outbox.sender"):
        stop.set()
        await running
    assert [r.getMessage() for r in caplog.records if r.name == "bot.outbox.sender"] == [
        f"the outbox sender ({sender.worker}) stops; what it sent is recorded"]


async def test_stopping_lets_a_step_inside_a_transaction_finish_instead_of_cancelling_it(chat):
    """A task cancelled inside a transaction leaves its connection to be rolled back while cancelled (on
    SQLite SQLAlchemy logged a traceback); stopping ends each loop after the step it is in."""
    sender = sender_for(chat, FakeTransport())
    inside, release, steps = asyncio.Event(), asyncio.Event(), []

    async def slow_tidy() -> None:  # housekeeping holding a transaction open when the stop comes
        steps.append("began")
        inside.set()
        await release.wait()
        steps.append("committed")

    sender.tidy = slow_tidy
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    await asyncio.wait_for(inside.wait(), 5)
    stop.set()
    await asyncio.sleep(0.1)
    release.set()
    await asyncio.wait_for(running, 5)
    assert steps == ["began", "committed"]


async def test_a_restarted_sender_settles_its_claims_from_its_journal(chat, tmp_path):
    await drain_all(sender_for(chat, FakeTransport()))
    await queue(chat.db, bulk(RUDI, "went"), bulk(DEWI, "unknown"), bulk(RUDI, "untried"))
    async with chat.db.uow() as uow:
        went, unknown, untried = await uow.outbox.claim("host:101", chat.clock.now(), 10, [Channel.TELEGRAM])
        await uow.commit()
    # What the killed process had written: it sent one, was waiting for Telegram on another.
    journal = tmp_path / "outbox-sender.journal"
    journal.write_text(f"w host:101\na {went.id}\na {unknown.id}\ns {went.id} 1\n")
    transport = FakeTransport()
    sender = sender_for(chat, transport, journal=journal)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    await until(lambda: _all_sent(chat))
    stop.set()
    await running
    final = {r.id: r for r in await rows(chat.db)}
    assert sorted(text for _, text, _ in transport.calls) == ["unknown", "untried"]  # "went" is not sent again
    assert (final[went.id].uncertain, final[unknown.id].uncertain, final[untried.id].uncertain) == (0, 1, 0)
    assert journal.read_text().startswith("w t\n")  # a fresh journal for the new run


async def _all_sent(chat) -> bool:
    return {r.status for r in await rows(chat.db)} == {"sent"}


async def test_a_slow_chat_does_not_hold_up_the_next_batch(chat):
    await drain_all(sender_for(chat, FakeTransport()))  # the onboarding replies
    await queue(chat.db, bulk(RUDI, "first", key="b:1"))
    await queue(chat.db, bulk(DEWI, "second", key="b:2"))
    held = asyncio.Event()
    transport = GatedTransport({RUDI: held})
    sender, stop = sender_for(chat, transport, batch=1, poll_s=0.01), asyncio.Event()
    running = asyncio.create_task(sender.run(stop))

    async def dewi_sent() -> bool:  # DEWI's batch was claimed and sent while RUDI's is still waiting
        return any(call[0] == DEWI for call in transport.calls)

    async def rudi_recorded() -> bool:
        return {r.key: r.status for r in await rows(chat.db)}.get("b:1") == "sent"

    try:
        await until(dewi_sent)
        assert [c[0] for c in transport.calls] == [DEWI]
        held.set()
        await until(rudi_recorded)
    finally:
        held.set()
        stop.set()
        await running
    assert {r.key: r.status for r in await rows(chat.db) if r.key.startswith("b:")} == {"b:1": "sent", "b:2": "sent"}


class HeldTransport(FakeTransport):
    """Messages to the held chats wait until the test releases them; everything else is sent at once."""

    def __init__(self, held: set[str]):
        super().__init__()
        self.held, self.holding, self.release = held, 0, asyncio.Event()

    async def attempt(self, outgoing: Outgoing, parts_sent: int) -> Attempt:
        if outgoing.external_id in self.held:
            self.holding += 1
            await self.release.wait()
        return await super().attempt(outgoing, parts_sent)


class ReplyDuringClaim(OutboxSender):
    """The moment of the race: while the bulk lane is busy with its batches, a reply is queued and the
    sender woken during a claim of the reply lane that has just found nothing."""

    db = reply = transport = None
    queued = False

    async def _claim(self, max_priority: int):
        items = await super()._claim(max_priority)
        if max_priority == 0 and not items and not self.queued and self.transport.holding == 2:
            self.queued = True
            await queue(self.db, self.reply)
            self.wake()
            self.poll_s = 30  # a lost wake-up now costs 30 s
        return items


async def test_a_reply_queued_while_the_reply_lane_claims_is_not_left_for_the_next_poll(chat):
    await drain_all(sender_for(chat, FakeTransport()))  # the onboarding replies
    held = {"900001", "900002"}
    await queue(chat.db, *(Outgoing(Channel.TELEGRAM, c, Reply("bulk"), Urgency.BULK, kind="briefing") for c in held))
    transport = HeldTransport(held)
    sender = ReplyDuringClaim(chat.db.uow, {Channel.TELEGRAM: transport}, fast_limits(), chat.clock, worker="t",
                              batch=1, poll_s=0.02)
    sender.db, sender.transport = chat.db, transport
    sender.reply = Outgoing(Channel.TELEGRAM, RUDI, Reply("answer"), Urgency.REPLY, PERSON[RUDI], kind="reply")
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))

    async def raced() -> bool:
        return sender.queued

    async def answered() -> bool:
        return "answer" in [call[1] for call in transport.calls]

    try:
        await until(raced)
        await until(answered, timeout=3.0)
    finally:
        transport.release.set()
        stop.set()
        await running


class SwitchedRedis(PacedMemoryStorage):
    """The shared limits' store (Redis in production) while `down`: every window check fails."""

    down = True

    async def acquire_entry(self, *args, **kwargs):
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return await super().acquire_entry(*args, **kwargs)

    async def get_moving_window(self, *args, **kwargs):
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return await super().get_moving_window(*args, **kwargs)


async def test_while_redis_is_down_nothing_is_left_sending_or_failed_and_all_goes_once_it_is_back(chat, caplog,
                                                                                                monkeypatch):
    # Seen in a deployment with REDIS_URL pointing at a stopped Redis: the reply stayed `sending`, came back
    # after STALE_AFTER as uncertain, and then failed as "sender stopped twice while sending it" — never sent,
    # while the log said "the database is unavailable" and "the database is back after 0 s".
    monkeypatch.setattr("bot.outbox.sender.LIMITS_RETRY_S", 0.1, raising=False)
    await drain_all(sender_for(chat, FakeTransport()))
    await queue(chat.db, bulk(RUDI, "one"), bulk(RUDI, "two"), bulk(DEWI, "other"))
    await chat.text(DEWI, "/status")
    redis = SwitchedRedis()
    transport = FakeTransport()
    many = RateLimitItemPerSecond(1000)
    limits = SendLimits({Channel.TELEGRAM: ChannelLimits(many, many, many)}, redis)
    sender = OutboxSender(chat.db.uow, {Channel.TELEGRAM: transport}, limits, chat.clock, worker="t", poll_s=0.02)
    sender.limits_outage = Outage("Redis (the senders' shared rate limits)")  # not the process-wide one
    caplog.set_level(logging.INFO)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    try:
        await asyncio.sleep(1.0)  # many claims' worth of polls
        during = await rows(chat.db)
        assert transport.calls == []
        assert {r.status for r in during} == {"sent", "queued"}, [(r.id, r.status, r.reason) for r in during]
        assert all(r.uncertain == 0 and r.attempts == 0 for r in during if r.status == "queued")
        redis.down = False
        chat.clock.advance(seconds=1)  # past the pause of the postponed messages

        async def everything_sent() -> bool:
            return await _all_sent(chat)

        await until(everything_sent)
    finally:
        stop.set()
        await running
    assert [t for c, t, _ in transport.calls if c == RUDI] == ["one", "two"]
    assert all(r.uncertain == 0 for r in await rows(chat.db))
    told = caplog.text
    assert "Redis (the senders' shared rate limits) is unavailable" in told and "is back after" in told, told
    assert "the database" not in told, told
