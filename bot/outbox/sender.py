"""Sender workers: drain the outbox under the rate limits, most urgent first.

Two lanes per process: the reply lane claims only replies to people's own actions (so a tap during a
100,000-message broadcast is answered at once: replies take the `total` bucket's headroom, never the
`bulk` one), the bulk lane claims everything in order of priority and wanted time. Every message ends
as sent, failed with a reason, or expired; nothing is dropped silently."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.domain.flags import FlagKind, NewFlag
from bot.domain.org_terms import Channel
from bot.domain.schedule import local_date
from bot.messages import Outgoing
from bot.outbox.journal import SendJournal
from bot.outbox.rate import SendLimits
from bot.outbox.records import Attempt, OutboxItem, Outcome, Status
from bot.ports import Clock, UnitOfWorkFactory

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # transient failures (5xx, connection refused) before a message is given up
BACKOFF_S = (1, 2, 5, 10, 30, 60, 120, 300)
STALE_AFTER = dt.timedelta(minutes=2)  # a message "sending" this long belonged to a sender that died


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
                 jitter: Callable[[], float] = random.random, journal: Path | None = None):
        self.uow_factory = uow_factory
        self.transports = transports
        self.limits = limits
        self.clock = clock
        self.worker = worker
        self.batch = batch
        self.poll_s = poll_s
        self.jitter = jitter
        self.stats = SenderStats()
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._claiming = asyncio.Lock()  # this process's lanes claim one at a time (SQLite has one writer)
        # Sent messages are recorded in groups (one UPDATE, one commit): while one commit runs, the next
        # messages gather; at 1,000/s a transaction per message was the sender's ceiling, and recording a
        # whole claimed batch at its end left up to a batch to be sent twice after a crash.
        self._sent: list[tuple[int, int]] = []
        self._unrecorded = asyncio.Event()
        self._recorder: asyncio.Task | None = None
        self.journal_path = journal
        self.journal: SendJournal | None = None
        # The journal is emptied only when all it says is in the database: no send waiting for its answer
        # or its outcome's commit, nothing sent waiting to be recorded or being recorded.
        self._trying = 0
        self._recording = 0

    def wake(self) -> None:
        """Something was just queued (a reply): look now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        if self.journal_path is not None:
            self.journal = SendJournal.take(self.journal_path)
        try:
            if self.journal is not None:
                await self._settle_journal()
            self._recorder = asyncio.create_task(self._record_continuously())
            lanes = [asyncio.create_task(self._lane(stop, 0)), asyncio.create_task(self._lane(stop, 2)),
                     asyncio.create_task(self._housekeeping(stop)), self._recorder]
            try:
                await stop.wait()
            finally:
                for lane in lanes:
                    lane.cancel()
                await asyncio.gather(*lanes, return_exceptions=True)
                self._recorder = None
                await self._record_sent()  # what a cancelled batch sent is recorded before the sender ends
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
        while True:
            await self._unrecorded.wait()
            self._unrecorded.clear()
            try:
                await self._record_sent()
            except Exception:  # noqa: BLE001 - kept in the buffer; tried again after a pause
                log.exception("recording sent outbox messages failed; retrying")
                await asyncio.sleep(self.poll_s)
                self._unrecorded.set()

    async def _lane(self, stop: asyncio.Event, max_priority: int) -> None:
        while not stop.is_set():
            try:
                if await self.drain(max_priority=max_priority):
                    continue
            except Exception:  # noqa: BLE001 - a database hiccup must not stop the sender; it tries again
                log.exception("outbox lane %d failed; retrying", max_priority)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_s)
            except TimeoutError:
                pass

    async def _housekeeping(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tidy()
            except Exception:  # noqa: BLE001
                log.exception("outbox housekeeping failed; retrying")
            if self.journal is not None and not (self._trying or self._sent or self._recording):
                self.journal.start(self.worker)
            await asyncio.sleep(5)

    async def tidy(self) -> None:
        """Expire what is past its deadline; put back what a dead sender left in flight."""
        now = self.clock.now()
        async with self.uow_factory() as uow:
            self.stats.expired += await uow.outbox.expire(now)
            await uow.outbox.recover(now, STALE_AFTER)
            await uow.commit()

    async def drain(self, *, max_priority: int = 2) -> int:
        """Claim one batch and send it; the number of messages handled."""
        now = self.clock.now()
        async with self._claiming, self.uow_factory() as uow:
            items = await uow.outbox.claim(self.worker, now, self.batch, list(self.transports), max_priority)
            await uow.commit()
        if not items:
            return 0
        by_chat: dict[tuple[str, str], list[OutboxItem]] = {}
        for item in items:
            by_chat.setdefault((item.outgoing.channel.value, item.outgoing.external_id), []).append(item)
        try:
            await asyncio.gather(*(self._chat(chat_items) for chat_items in by_chat.values()))
        finally:
            if self._recorder is None:  # drained without run(): recorded here, as the caller expects
                await self._record_sent()
        return len(items)

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
        await self.limits.acquire(outgoing.channel, outgoing.external_id, item.priority)
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
                await self.limits.pause(item.outgoing.channel, attempt.wait_s)
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
    channel = {Channel.TELEGRAM: "Telegram", Channel.WHATSAPP: "WhatsApp"}.get(outgoing.channel, outgoing.channel.value)
    await uow.flags.raise_many([NewFlag(outgoing.person_id, day, FlagKind.UNREACHABLE, ref=outgoing.channel.value,
                                        detail={"channel": channel})], now)
