"""Benchmark: the outbox's fan-out against a Bot API stand-in that throttles as Telegram does.

Two runs, side by side. A broadcast: every recipient has one queued bulk message; the real `OutboxSender`
sends them through the real `TelegramTransport` (aiogram's aiohttp session) to the stand-in
(tests/fake_bot_api.py, in its own process: 30/s in all, 1/s per chat with bursts of 3, 429 with
retry_after beyond), at the configured bulk rate (TELEGRAM_BULK_RATE 25, TELEGRAM_TOTAL_RATE 28). While it
runs, people tap buttons: a reply is committed to the outbox at random moments and the time from the
commit to the stand-in's receipt is measured. Then a paid broadcast: the stand-in's limit raised to
1,000/s, no per-chat limit (one message each), TELEGRAM_BULK_RATE/TOTAL_RATE 1000 and allow_paid_broadcast:
what the sender itself can reach."""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


from bench.bot_api_process import StandIn
from bench.databases import reachable_targets
from bench.live_locations import CHAT_BASE, populate
from bench.report import header
from bot.channels.telegram.app import make_bot
from bot.channels.telegram.transport import TelegramTransport
from bot.clock import SystemClock
from bot.domain.org_terms import Channel
from bot.heap import freeze_startup_heap
from bot.messages import Outgoing, Reply, Urgency
from bot.outbox.rate import SendLimits, telegram_limits
from bot.outbox.sender import OutboxSender
from storage.unit_of_work import Database

NAME = "fanout"
TITLE = "Outbox fan-out"
MARK = "⚡ reply "  # the texts of the replies to taps, found again among the stand-in's calls
QUEUE_CHUNK = 10_000
RATE_GOAL = 0.97
P95_GOAL_S = 1.0
QUIET_AFTER_S = 10.0  # no 429 is acceptable after the first ten seconds


@dataclass(frozen=True)
class Scenario:
    label: str
    recipients: int
    stand_in_rate: float  # the stand-in's global limit (Telegram: 30/s; paid broadcast: up to 1,000/s)
    bulk_rate: float  # TELEGRAM_BULK_RATE
    total_rate: float  # TELEGRAM_TOTAL_RATE
    paid: bool  # TELEGRAM_PAID_BROADCAST
    chat_limit: bool  # the stand-in's 1/s per chat (bursts of 3)
    taps: int  # replies to taps committed during the broadcast


FULL = (Scenario("broadcast", 3_000, 30, 25, 28, False, True, 30),
        Scenario("paid broadcast", 100_000, 1_000, 1_000, 1_000, True, False, 0))
QUICK = (Scenario("broadcast", 50, 30, 25, 28, False, True, 3),
         Scenario("paid broadcast", 600, 1_000, 1_000, 1_000, True, False, 0))


class BenchmarkError(RuntimeError):
    """The run did not end as it must (messages left over): the numbers would mean nothing."""


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Result:
    engine: str
    scenario: Scenario
    queued: int  # bulk + replies
    statuses: dict[str, int]  # counted in the outbox table after the run
    received: int  # accepted new messages at the stand-in
    chats: int  # distinct chats that got one
    seconds: float  # sender start → the stand-in's receipt of the last bulk message
    throttled: int
    throttled_late: int  # after the first QUIET_AFTER_S seconds
    refused: dict[str, int]
    latencies: list[float]  # reply to a tap: commit → stand-in's receipt
    queue_s: float  # writing the bulk messages into the outbox (not timed in the rate)
    cpu_s: float  # this process's CPU time during the send
    sender_stats: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.scenario.recipients / self.seconds if self.seconds else 0.0

    @property
    def ratio(self) -> float:
        return self.rate / self.scenario.bulk_rate

    @property
    def lost(self) -> int:
        return self.queued - self.statuses.get("sent", 0) - self.statuses.get("failed", 0) \
            - self.statuses.get("expired", 0)

    @property
    def p95(self) -> float | None:
        if not self.latencies:
            return None
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=20, method="inclusive")[-1]

    @property
    def ok(self) -> bool:
        p95_ok = self.p95 is None or self.p95 < P95_GOAL_S
        return (self.ratio >= RATE_GOAL and self.lost == 0 and self.throttled_late == 0 and p95_ok
                and self.received == self.queued)


def _chat(person: int) -> int:
    return CHAT_BASE + person


async def queue_bulk(db: Database, recipients: int) -> None:
    """One bulk message per person, written through the outbox repository as the routine's steps do."""
    for start in range(1, recipients + 1, QUEUE_CHUNK):
        async with db.uow() as uow:
            uow.outbox.add([
                Outgoing(Channel.TELEGRAM, str(_chat(p)), Reply(f"📣 Apel pagi, Pegawai {p}: laporkan kehadiran."),
                         Urgency.BULK, p, kind="briefing", key=f"bench:bulk:{p}")
                for p in range(start, min(start + QUEUE_CHUNK, recipients + 1))])
            await uow.commit()


async def tap(db: Database, sender: OutboxSender, n: int, person: int, committed: dict[str, float]) -> None:
    """Someone taps a button: the core's reply is committed to the outbox (as `Conversation.handle` does),
    and the dispatcher wakes the sender."""
    text = f"{MARK}{n}"
    async with db.uow() as uow:
        uow.outbox.add([Outgoing(Channel.TELEGRAM, str(_chat(person)), Reply(text), Urgency.REPLY, person,
                                 kind="reply", key=f"bench:tap:{n}")])
        await uow.commit()
    committed[text] = time.monotonic()
    sender.wake()


async def _statuses(db: Database) -> dict[str, int]:
    async with db.uow() as uow:
        counts = await uow.outbox.counts()
    totals: dict[str, int] = {}
    for c in counts:
        totals[c.status] = totals.get(c.status, 0) + c.count
    return totals


async def send_all(url: str, schema: str | None, scenario: Scenario, stand_in: StandIn,
                   seed: int = 8) -> tuple[float, float, dict[str, float], dict[str, int], dict]:
    db = Database(url, schema=schema)
    bot = make_bot("123:ABC", stand_in.url)
    try:
        sender = OutboxSender(
            db.uow, {Channel.TELEGRAM: TelegramTransport(bot, paid_broadcast=scenario.paid)},
            SendLimits({Channel.TELEGRAM: telegram_limits(scenario.bulk_rate, scenario.total_rate)}),
            SystemClock(), worker="bench", batch=max(10, int(scenario.bulk_rate)),  # as bot/runtime.py sets it
        )
        total = scenario.recipients + scenario.taps
        expected_s = scenario.recipients / scenario.bulk_rate
        rng = random.Random(seed)
        moments = sorted(rng.uniform(0.1, 0.8) * expected_s for _ in range(scenario.taps))
        committed: dict[str, float] = {}
        stop = asyncio.Event()
        freeze_startup_heap()  # as `apel run` does before its sender starts
        started, cpu = time.monotonic(), time.process_time()
        running = asyncio.create_task(sender.run(stop))
        for n, moment in enumerate(moments):
            await asyncio.sleep(max(0.0, started + moment - time.monotonic()))
            await tap(db, sender, n, rng.randint(1, scenario.recipients), committed)
        deadline = started + expected_s * 3 + 30
        while sender.stats.sent + sender.stats.failed + sender.stats.expired < total:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        cpu = time.process_time() - cpu
        stop.set()
        await running
        stats = sender.stats
        return started, cpu, committed, await _statuses(db), {
            "sent": stats.sent, "failed": stats.failed, "throttled": stats.throttled, "retried": stats.retried,
            "uncertain": stats.uncertain, "limit_wait_s": round(sender.limits.waited_s, 1)}
    finally:
        await bot.session.close()
        await db.dispose()


def measure_one(target, scenario: Scenario, stand_in: StandIn, log: Callable[[str], None]) -> Result:
    with target.fresh(f"fanout_{scenario.recipients}") as (url, schema):
        asyncio.run(populate(url, schema, scenario.recipients))
        db_started = time.perf_counter()
        asyncio.run(_queue(url, schema, scenario.recipients))
        queue_s = time.perf_counter() - db_started
        log(f"{NAME}: {target.name} {scenario.label}: {scenario.recipients:,} messages queued in {queue_s:.1f} s")
        stand_in.start(scenario.stand_in_rate, scenario.chat_limit)
        stand_in.ask({"users": [_chat(p) for p in range(1, scenario.recipients + 1)]})
        started, cpu, committed, statuses, sender_stats = asyncio.run(send_all(url, schema, scenario, stand_in))
        seen = stand_in.ask({"stats": MARK})
    bulk_times = sorted(seen["sent"])
    last = bulk_times[-1] if bulk_times else started
    latencies = [seen["marked"][text] - at for text, at in committed.items() if text in seen["marked"]]
    result = Result(
        target.name, scenario, scenario.recipients + scenario.taps, statuses, len(seen["sent"]), seen["chats"],
        last - started, len(seen["throttled"]), sum(t > started + QUIET_AFTER_S for t in seen["throttled"]),
        seen["refused"], latencies, queue_s, cpu, sender_stats)
    log(f"{NAME}: {target.name} {scenario.label}: {result.rate:.1f}/s of {scenario.bulk_rate:g} "
        f"({result.ratio:.3f}), lost {result.lost}, 429s {result.throttled} ({result.throttled_late} late), "
        f"reply p95 {result.p95}, CPU {cpu:.1f} s, {sender_stats}")
    return result


async def _queue(url: str, schema: str | None, recipients: int) -> None:
    db = Database(url, schema=schema)
    try:
        await queue_bulk(db, recipients)
    finally:
        await db.dispose()


@dataclass
class Measurements:
    results: list[Result] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def measure(scenarios: Sequence[Scenario], *, workdir: Path, engines: Sequence[str] = ("sqlite", "postgresql"),
            log: Callable[[str], None] = _stderr) -> Measurements:
    m = Measurements()
    with StandIn() as stand_in:
        for target in reachable_targets(engines, workdir, name=NAME, log=log, skipped=m.skipped):
            m.versions.append(target.version)
            for scenario in scenarios:
                m.results.append(measure_one(target, scenario, stand_in, log))
    return m


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def render(m: Measurements, command: str, *, quick: bool = False) -> str:
    title = f"## {TITLE}" + (" (quick smoke sizes, not the recorded benchmark)" if quick else "")
    lines = [
        title, "",
        header(command, f"Engines: {', '.join(m.versions) or 'none'}",
               "Stand-in: tests/fake_bot_api.py in its own process, on 127.0.0.1; the sender: one process, "
               "rate limits in memory (`limits`' moving windows, `PacedMemoryStorage`); its start-up heap frozen as "
               "`apel run` does (`bot/heap.py`)"),
        *(f"- Skipped: {reason}" for reason in m.skipped),
        "",
        "| Engine | Run | Recipients | Stand-in limit (/s) | Bulk rate set (/s) | Achieved (/s) | Achieved / set "
        "| Lost | 429s (after 10 s) | Replies to taps | Reply p95 (s) | Sender CPU (s) | Result |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in m.results:
        s = r.scenario
        p95 = f"{r.p95:.2f}" if r.p95 is not None else "–"
        lines.append(
            f"| {r.engine} | {s.label} | {s.recipients:,} | {s.stand_in_rate:g} | {s.bulk_rate:g} | {r.rate:.1f} "
            f"| {r.ratio:.3f} | {r.lost} | {r.throttled} ({r.throttled_late}) | {len(r.latencies)} of {s.taps} "
            f"| {p95} | {r.cpu_s:.1f} | {_verdict(r.ok)} |")
    problems = [f"{r.engine} {r.scenario.label}: refused {r.refused}; stand-in received {r.received:,} of "
                f"{r.queued:,}; outbox {r.statuses}" for r in m.results if r.refused or r.received != r.queued]
    lines += [
        "",
        f"Goals: achieved / configured bulk rate ≥ {RATE_GOAL:g}; no message lost (queued − sent − failed − "
        f"expired, counted in the outbox table, and every one received by the stand-in exactly once); no 429 "
        f"after the first {QUIET_AFTER_S:g} s; replies to taps during the broadcast reach the stand-in within "
        f"{P95_GOAL_S:g} s at the 95th percentile.",
        "",
        *(f"- {p}" for p in problems),
        "" if problems else "",
        "How: the recipients are written as linked people and each gets one bulk message through "
        "`uow.outbox.add` + commit (not timed); the stand-in is told they pressed Start. The sender "
        "(`OutboxSender.run`, batch and concurrency as `bot/runtime.py` sets them) then drains the outbox; "
        "the achieved rate is the bulk messages over the time from the sender's start to the stand-in's "
        "receipt of the last one (both on the machine's monotonic clock). Replies to taps are REPLY messages "
        "committed at random moments in the first 80% of the broadcast, each followed by `sender.wake()` as the "
        "dispatcher does; their latency runs from the commit to the stand-in's receipt. The stand-in's garbage "
        "collector is off during a run (it collects between runs): as the calls it records piled up, its full "
        "collections stopped it for up to 0.7 s at a time, a pause Telegram does not make.",
    ]
    return "\n".join(lines)


def run(*, quick: bool = False, repeat: int | None = None, command: str = "python -m bench") -> str:
    del repeat  # one run per size: a broadcast takes minutes, and its rate is set by the limiter
    with tempfile.TemporaryDirectory(prefix="apel_bench_") as tmp:
        measurements = measure(QUICK if quick else FULL, workdir=Path(tmp))
    return render(measurements, command, quick=quick)
