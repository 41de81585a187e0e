"""Sender workers: drain the outbox under the rate limits, most urgent first.

Two lanes per process: the reply lane claims only replies to people's own actions (so a tap during a
100,000-message broadcast is answered at once: replies take the `total` bucket's headroom, never the
`bulk` one), the bulk lane claims everything in order of priority and wanted time. Every message ends
as sent, failed with a reason, or expired; nothing is dropped silently."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.domain.flags import FlagKind, NewFlag
from bot.domain.org_terms import CHANNEL_NAMES, Channel
from bot.domain.schedule import local_date
from bot.messages import Outgoing
from bot.outage import DATABASE, RATE_LIMITS, Backoff, Outage
from bot.outbox.journal import SendJournal
from bot.outbox.rate import SendLimits
from bot.outbox.records import Attempt, OutboxItem, Outcome, Status
from bot.ports import Clock, UnitOfWorkFactory
from storage.availability import database_unavailable

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # transient failures (5xx, connection refused) before a message is given up
BACKOFF_S = (1, 2, 5, 10, 30, 60, 120, 300)
STALE_AFTER = dt.timedelta(minutes=2)  # a message "sending" this long belonged to a sender that died
BATCHES_IN_FLIGHT = 2  # per lane: the next claim overlaps the sending of the last batch
# The recorder commits at most this often: at 1,000/s a commit as soon as the last one ended made groups of
# three and cost a sixth of the sender's CPU; the send journal covers the lag after a crash.
RECORD_EVERY_S = 0.05
# While the shared rate limits cannot be asked (Redis away), a message goes back to the queue for this long,
# and the lanes pause as long between claims: nothing may be sent, and nothing is lost.
LIMITS_RETRY_S = 5.0
STOP_WAIT_S = 10.0  # stopping: how long the loops may take to finish the step they are in
# An import withdraws what is queued for the people it deactivates, not what a sender has claimed: the sender
# reads which of its recipients were deactivated once per batch, and again while the batch is sent once that
# reading is this old (a batch at 30/s lasts a while): one query per batch or per interval, never one a message.
DEACTIVATED_CHECK_EVERY = dt.timedelta(seconds=1)
DEACTIVATED = "recipient deactivated by an org chart import before it was sent"


class Transport(Protocol):
    async def attempt(self, outgoing: Outgoing, parts_sent: int) -> Attempt: ...


@dataclass
class SenderStats:
    sent: int = 0
    failed: int = 0
    expired: int = 0
    retried: int = 0
    throttled: int = 0  # 429s seen
    uncertain: int = 0  # sends that may have arrived twice
    latencies: list[float] = field(default_factory=list)  # reply lane: seconds from claim to sent


class OutboxSender:
    def __init__(self, uow_factory: UnitOfWorkFactory, transports: dict[Channel, Transport], limits: SendLimits,
                 clock: Clock, *, worker: str, batch: int = 50, concurrency: int = 64, poll_s: float = 0.25,
                 jitter: Callable[[], float] = random.random, journal: Path | None = None,
                 outage: Outage = DATABASE, unavailable: Callable[[BaseException], bool] = database_unavailable,
                 limits_outage: Outage = RATE_LIMITS):
        self.uow_factory = uow_factory
        self.transports = transports
        self.limits = limits
        self.clock = clock
        self.worker = worker
        self.batch = batch
        self.poll_s = poll_s
        self.jitter = jitter
        self.outage = outage
        self.unavailable = unavailable
        self.limits_outage = limits_outage
        self.stats = SenderStats()
        self._slots = asyncio.Semaphore(concurrency)
        self._wakes: list[asyncio.Event] = []  # one per lane
        self._claiming = asyncio.Lock()  # this process's lanes claim one at a time (SQLite has one writer)
        # Sent messages are recorded in groups (one UPDATE, one commit): while one commit runs, the next
        # messages gather; at 1,000/s a transaction per message was the sender's ceiling, and recording a
        # whole claimed batch at its end left up to a batch to be sent twice after a crash.
        self._sent: list[tuple[int, int]] = []
        self._failing: set[str] = set()  # loops in a run of failures that are not a database outage
        self._unrecorded = asyncio.Event()
        self._recorder: asyncio.Task | None = None
        self._stop = asyncio.Event()  # run()'s stop: pauses end early, loops end after their current step
        self.journal_path = journal
        self.journal: SendJournal | None = None
        # The journal is emptied only when all it says is in the database: no send waiting for its answer
        # or its outcome's commit, nothing sent waiting to be recorded or being recorded.
        self._trying = 0
        self._recording = 0
        self._recipients: Counter[int] = Counter()  # the people of the claimed messages still being sent
        self._deactivated: set[int] = set()  # of them, those deactivated at the last reading
        self._deactivated_at: dt.datetime | None = None
        self._reading_deactivated = asyncio.Lock()

    def wake(self) -> None:
        """Something was just queued (a reply): look now rather than at the next poll."""
        for lane_wake in self._wakes:
            lane_wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        if self.journal_path is not None:
            self.journal = SendJournal.take(self.journal_path)
        try:
            if self.journal is not None:
                await self._settle_journal()
            self._stop = stop
            self._recorder = asyncio.create_task(self._record_continuously())
            lanes = [asyncio.create_task(self._lane(stop, 0)), asyncio.create_task(self._lane(stop, 2)),
                     asyncio.create_task(self._housekeeping(stop)), self._recorder]
            try:
                await stop.wait()
            finally:
                # Each loop ends after the step it is in: a task cancelled inside a transaction left its
                # connection to be rolled back while cancelled (SQLAlchemy logged a traceback). A send in
                # flight is cancelled by its lane (what it sent is recorded below); STOP_WAIT_S bounds it all.
                self.wake()
                self._unrecorded.set()
                _, late = await asyncio.wait(lanes, timeout=STOP_WAIT_S)
                for lane in late:
                    lane.cancel()
                await asyncio.gather(*lanes, return_exceptions=True)
                self._recorder = None
                try:
                    await self._record_sent()  # what a cancelled batch sent is recorded before the sender ends
                except Exception as error:
                    if not self.unavailable(error):
                        raise
                    # Stopping during an outage: the journal (if any) settles these at the next start;
                    # without one they stay "sending" and come back as uncertain (STALE_AFTER).
                    log.warning("stopping without recording %d sent messages: the database is unavailable",
                                len(self._sent))
                else:
                    # A stopped sender's log ended at its start line: nothing told it stopped, nor that it left
                    # nothing in flight.
                    log.info("the outbox sender (%s) stops; what it sent is recorded", self.worker)
        finally:
            if self.journal is not None:
                self.journal.close()
                self.journal = None

    async def _settle_journal(self) -> None:
        """What the previous run on this journal left: its sends recorded, its other claims put back."""
        state = self.journal.replay()
        try:
            async with self.uow_factory() as uow:
                marked, uncertain, untried = await uow.outbox.settle_claims(
                    sorted(state.workers), state.sent, state.attempted, self.clock.now())
                await uow.commit()
        except Exception:  # noqa: BLE001 - the file is kept for the next start; STALE_AFTER covers the rest
            log.exception("could not settle the send journal %s; sending without one", self.journal.path)
            self.journal.close()
            self.journal = None
            return
        self.journal.start(self.worker)
        if marked or uncertain or untried:
            log.info("send journal %s: %d recorded as sent, %d tried without an answer, %d put back untried",
                     self.journal.path, marked, uncertain, untried)

    async def _record_continuously(self) -> None:
        backoff = Backoff()
        while not self._stop.is_set():  # stopping: run() records what is left once the lanes have ended
            await self._unrecorded.wait()
            self._unrecorded.clear()
            if self._stop.is_set():
                break
            try:
                await self._record_sent()
            except Exception as error:  # noqa: BLE001 - kept in the buffer; tried again after a pause
                await self._failed(error, "outbox recorder", backoff)
                self._unrecorded.set()
                continue
            self._recovered("outbox recorder", backoff)
            await self._pause(RECORD_EVERY_S)

    async def _pause(self, seconds: float) -> None:
        """A sleep that ends when the sender stops."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _lane(self, stop: asyncio.Event, max_priority: int) -> None:
        """Claims the next batch while the last one is still being sent (at most BATCHES_IN_FLIGHT of them):
        a claim that waited for the whole previous batch, its slowest chat included, left the limit unused
        for the claim's duration — about a tenth of a paid broadcast's time on PostgreSQL. The claim never
        takes a chat with a message still `sending`, so two batches in flight keep each chat's order."""
        where, backoff = f"outbox lane {max_priority}", Backoff()
        sending: set[asyncio.Task] = set()
        # Each lane its own wake-up, cleared before it claims: cleared after a claim that found nothing, a
        # wake() that came during that claim was lost, and the reply waited for the next poll (0.25 s).
        woken = asyncio.Event()
        self._wakes.append(woken)
        try:
            while not stop.is_set():
                if self.limits_outage.ongoing:  # claiming now would only put the same messages back
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), LIMITS_RETRY_S)
                    if stop.is_set():
                        break
                woken.clear()
                try:
                    items = await self._claim(max_priority)
                except Exception as error:  # noqa: BLE001 - the sender outlives a database outage or a bug
                    await self._failed(error, where, backoff)
                    continue
                self._recovered(where, backoff)
                if items:
                    batch = asyncio.create_task(self._send_batch(items))
                    sending.add(batch)
                    batch.add_done_callback(self._batch_done(sending, where))
                    if len(sending) >= BATCHES_IN_FLIGHT:
                        await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
                    continue
                try:
                    await asyncio.wait_for(woken.wait(), self.poll_s)
                except TimeoutError:
                    pass
        finally:
            self._wakes.remove(woken)
            for batch in sending:  # stopping: each batch records what it sent before it ends
                batch.cancel()
            await asyncio.gather(*sending, return_exceptions=True)

    def _batch_done(self, sending: set[asyncio.Task], where: str) -> Callable[[asyncio.Task], None]:
        def done(batch: asyncio.Task) -> None:
            sending.discard(batch)
            error = None if batch.cancelled() else batch.exception()
            if error is None:
                return
            if self.unavailable(error):  # what it sent stays in the buffer; the recorder records it later
                self.outage.failed(error, where)
            else:
                log.error("outbox batch failed; its messages go back after %s", STALE_AFTER, exc_info=error)
        return done

    async def _housekeeping(self, stop: asyncio.Event) -> None:
        backoff = Backoff(first_s=5.0, max_s=30.0)
        while not stop.is_set():
            try:
                await self.tidy()
            except Exception as error:  # noqa: BLE001
                await self._failed(error, "outbox housekeeping", backoff)
                continue
            self._recovered("outbox housekeeping", backoff)
            if self.journal is not None and not (self._trying or self._sent or self._recording):
                self.journal.start(self.worker)
            await self._pause(5)

    async def _failed(self, error: Exception, where: str, backoff: Backoff) -> None:
        """Logged once per outage (shared with the rest of the process) or once per run of the same bug,
        then a growing pause: a lane polling every 0.25 s must not write four tracebacks a second."""
        if self.unavailable(error):
            self.outage.failed(error, where)
        elif where not in self._failing:
            self._failing.add(where)
            log.exception("%s failed; retrying with a growing pause", where)
        await self._pause(backoff.next_delay())

    def _recovered(self, where: str, backoff: Backoff) -> None:
        if self.outage.ongoing:
            self.outage.back(where)
        if where in self._failing:
            self._failing.discard(where)
            log.warning("%s works again after %d failed attempts", where, backoff.attempts)
        backoff.reset()

    async def tidy(self) -> None:
        """Expire what is past its deadline; put back what a dead sender left in flight."""
        now = self.clock.now()
        async with self.uow_factory() as uow:
            self.stats.expired += await uow.outbox.expire(now)
            await uow.outbox.recover(now, STALE_AFTER)
            await uow.commit()

    async def drain(self, *, max_priority: int = 2) -> int:
        """Claim one batch and send it; the number of messages handled."""
        items = await self._claim(max_priority)
        if items:
            await self._send_batch(items)
        return len(items)

    async def _claim(self, max_priority: int) -> list[OutboxItem]:
        now = self.clock.now()
        async with self._claiming, self.uow_factory() as uow:
            items = await uow.outbox.claim(self.worker, now, self.batch, list(self.transports), max_priority)
            await uow.commit()
        return items

    async def _send_batch(self, items: list[OutboxItem]) -> None:
        by_chat: dict[tuple[str, str], list[OutboxItem]] = {}
        for item in items:
            by_chat.setdefault((item.outgoing.channel.value, item.outgoing.external_id), []).append(item)
        people = Counter(i.outgoing.person_id for i in items if i.outgoing.person_id is not None)
        self._recipients += people
        try:
            await self._read_deactivated(fresh=True)
            await asyncio.gather(*(self._chat(chat_items) for chat_items in by_chat.values()))
        finally:
            self._recipients -= people
            if self._recorder is None:  # drained without run(): recorded here, as the caller expects
                await self._record_sent()

    async def _read_deactivated(self, *, fresh: bool = False) -> None:
        """Which recipients in flight are deactivated, read again when `fresh` (a new batch) or when the last
        reading is DEACTIVATED_CHECK_EVERY old; one reading at a time for the whole sender."""
        def current() -> bool:
            at = self._deactivated_at
            return at is not None and self.clock.now() - at < DEACTIVATED_CHECK_EVERY

        if not fresh and current():
            return
        async with self._reading_deactivated:
            if not fresh and current():
                return  # another chat read it while this one waited
            try:
                async with self.uow_factory() as uow:
                    self._deactivated = await uow.people.inactive_among(sorted(self._recipients))
            except Exception as error:  # noqa: BLE001 - sending goes on with the last reading
                if self.unavailable(error):
                    self.outage.failed(error, "outbox sender")
                else:
                    log.exception("could not read which recipients were deactivated; sending on the last reading")
            self._deactivated_at = self.clock.now()

    async def _record_sent(self) -> None:
        """Mark what was sent since the last time, in one transaction (both lanes share the buffer)."""
        done, self._sent = self._sent, []
        if not done:
            return
        self._recording += 1
        try:
            async with self.uow_factory() as uow:
                await uow.outbox.sent_many(done, self.clock.now())
                await uow.commit()
        except BaseException:
            self._sent[:0] = done  # kept for the next batch; until then the claim leaves these chats alone
            raise
        finally:
            self._recording -= 1

    async def _chat(self, items: list[OutboxItem]) -> None:
        """One chat's messages, in order; after a failure the rest of them wait for the next claim."""
        async with self._slots:
            for i, item in enumerate(items):
                outcome = await self._one(item)
                if outcome is Outcome.UNREACHABLE:
                    for rest in items[i + 1:]:
                        await self._finish(rest, Status.FAILED, "recipient unreachable")
                    return
                if outcome is not Outcome.SENT:
                    await self._release(items[i + 1:])
                    return

    async def _one(self, item: OutboxItem) -> Outcome:
        outgoing = item.outgoing
        started = asyncio.get_running_loop().time()
        if item.expires_at is not None and item.expires_at <= self.clock.now():
            await self._finish(item, Status.EXPIRED, "not sent before it was due")
            self.stats.expired += 1
            return Outcome.SENT  # nothing to wait for: the chat's next message may go
        try:
            await self.limits.acquire(outgoing.channel, outgoing.external_id, item.priority)
        except Exception as error:  # noqa: BLE001 - the limits' store (Redis) failed: nothing was sent
            await self._limits_unavailable(item, error)
            return Outcome.RETRY_AFTER  # the chat's later messages wait behind this one
        if self.limits_outage.ongoing:
            self.limits_outage.back("outbox sender")
        if outgoing.person_id is not None:
            await self._read_deactivated()
            if outgoing.person_id in self._deactivated:
                await self._finish(item, Status.EXPIRED, DEACTIVATED)
                self.stats.expired += 1
                return Outcome.SENT  # the chat's next message is decided the same way
        if self.journal is not None:
            self.journal.attempting(item.id)
        self._trying += 1
        try:
            try:
                attempt = await self.transports[outgoing.channel].attempt(outgoing, item.parts_sent)
            except Exception as exc:  # noqa: BLE001 - a transport bug: the message fails visibly, the sender goes on
                log.exception("transport failed on outbox message %s", item.id)
                attempt = Attempt(Outcome.REJECTED, item.parts_sent, reason=f"{type(exc).__name__}")
            return await self._record(item, attempt, started)
        finally:
            self._trying -= 1

    async def _record(self, item: OutboxItem, attempt: Attempt, started: float) -> Outcome:
        now = self.clock.now()
        outcome = attempt.outcome
        if outcome is Outcome.SENT:
            if self.journal is not None:
                self.journal.sent(item.id, attempt.parts_sent)
            self._sent.append((item.id, attempt.parts_sent))
            self._unrecorded.set()
            self.stats.sent += 1
            if item.priority == 0:
                self.stats.latencies.append(asyncio.get_running_loop().time() - started)
            return outcome
        async with self.uow_factory() as uow:
            if outcome is Outcome.RETRY_AFTER:
                self.stats.throttled += 1
                try:
                    await self.limits.pause(item.outgoing.channel, attempt.wait_s)
                except Exception as error:  # noqa: BLE001 - Redis away: this chat still waits for retry_after
                    self.limits_outage.failed(error, "outbox sender")
                await uow.outbox.retry(item.id, now + dt.timedelta(seconds=attempt.wait_s),
                                       parts_sent=attempt.parts_sent, attempts=item.attempts,
                                       uncertain=item.uncertain, reason=attempt.reason)
            elif outcome is Outcome.TRANSIENT and item.attempts + 1 < MAX_ATTEMPTS:
                self.stats.retried += 1
                await uow.outbox.retry(item.id, now + self._backoff(item.attempts), parts_sent=attempt.parts_sent,
                                       attempts=item.attempts + 1, uncertain=item.uncertain, reason=attempt.reason)
            elif outcome is Outcome.UNCERTAIN and item.uncertain == 0:
                # Telegram has no idempotent sends: retried once, and counted, since it may arrive twice.
                self.stats.uncertain += 1
                await uow.outbox.retry(item.id, now, parts_sent=attempt.parts_sent, attempts=item.attempts + 1,
                                       uncertain=1, reason=attempt.reason)
            elif outcome is Outcome.UNREACHABLE:
                self.stats.failed += 1
                out = item.outgoing
                await uow.outbox.give_up(item.id, Status.FAILED, attempt.reason or "unreachable",
                                         parts_sent=attempt.parts_sent)
                await uow.people.mark_unreachable(out.channel, out.external_id, now)
                self.stats.failed += await uow.outbox.fail_chat(out.channel, out.external_id, "recipient unreachable")
                await _flag_unreachable(uow, out, now)
            else:
                self.stats.failed += 1
                self.stats.uncertain += outcome is Outcome.UNCERTAIN
                await uow.outbox.give_up(item.id, Status.FAILED, attempt.reason or outcome.value,
                                         parts_sent=attempt.parts_sent,
                                         uncertain=item.uncertain + (outcome is Outcome.UNCERTAIN))
            await uow.commit()
        if self.journal is not None:
            self.journal.decided(item.id)
        if outcome is not Outcome.SENT:
            log.info("outbox message %s to %s: %s (%s)", item.id, item.outgoing.channel.value, outcome.value,
                     attempt.reason)
        return outcome

    async def _limits_unavailable(self, item: OutboxItem, error: Exception) -> None:
        """The shared rate limits could not be asked: the message was not tried, so it goes back to the queue
        as it was (no attempt, not uncertain) for LIMITS_RETRY_S. Left `sending`, it came back only after
        STALE_AFTER as uncertain, and failed as "sender stopped twice" on the second time."""
        self.limits_outage.failed(error, "outbox sender")
        async with self.uow_factory() as uow:
            await uow.outbox.retry(item.id, self.clock.now() + dt.timedelta(seconds=LIMITS_RETRY_S),
                                   parts_sent=item.parts_sent, attempts=item.attempts, uncertain=item.uncertain,
                                   reason="Redis (the shared rate limits) is unavailable")
            await uow.commit()

    def _backoff(self, attempts: int) -> dt.timedelta:
        base = BACKOFF_S[min(attempts, len(BACKOFF_S) - 1)]
        return dt.timedelta(seconds=base * (0.5 + self.jitter()))

    async def _finish(self, item: OutboxItem, status: Status, reason: str) -> None:
        async with self.uow_factory() as uow:
            await uow.outbox.give_up(item.id, status, reason, parts_sent=item.parts_sent)
            await uow.commit()

    async def _release(self, items: list[OutboxItem]) -> None:
        """Messages claimed behind one that must wait go back to the queue untouched; the claim keeps them
        behind it (it skips a chat whose earlier message waits for its retry time)."""
        if not items:
            return
        async with self.uow_factory() as uow:
            for item in items:
                await uow.outbox.retry(item.id, None, parts_sent=item.parts_sent, attempts=item.attempts,
                                       uncertain=item.uncertain, reason=None)
            await uow.commit()


async def _flag_unreachable(uow, outgoing: Outgoing, now: dt.datetime) -> None:
    """The superior sees it in the digest: the person's day carries an `unreachable` flag."""
    if outgoing.person_id is None:
        return
    actor = await uow.people.actor(outgoing.person_id)
    day = local_date(now, actor.timezone) if actor else now.date()
    channel = CHANNEL_NAMES.get(outgoing.channel, outgoing.channel.value)
    await uow.flags.raise_many([NewFlag(outgoing.person_id, day, FlagKind.UNREACHABLE, ref=outgoing.channel.value,
                                        detail={"channel": channel})], now)
