"""Benchmark: Telegram updates per second through the full path, next to bare aiogram dispatch.

The issue's goal: the full path keeps at least a third (0.33) of the rate of aiogram dispatching the
same updates to a no-op handler, on SQLite and on PostgreSQL. The updates are a day's mix: text
commands (`/status`), photos (their metadata through the adapter, the file served by a Fake session
and taken through the evidence pipeline) and live-location edits. Both sides run in this process, one
after the other, on one CPU, with the same `Update` objects fed to `Dispatcher.feed_update`; the full
side's replies are written to the outbox (the sender is not part of ingest) and counted back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import random
import tempfile
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.types import File, Update
from PIL import Image
from sqlalchemy import func, select

from bench.databases import reachable_targets
from bench.live_locations import CHAT_BASE, NOW, FixedClock, _stderr, on_one_core, populate
from bench.report import header
from bot.channels.telegram.dispatch import build_dispatcher, wake_sender
from bot.services.conversation import Conversation
from bot.services.invites import LinkSettings
from bot.spreadsheet import UploadedSheetReader
from storage.day_tables import LocationFix
from storage.media_store import FileMediaStore
from storage.outbox_tables import OutboxMessage
from storage.unit_of_work import Database

NAME = "ingest"
TITLE = "Update ingest: full path against bare aiogram dispatch"
PEOPLE = 1_000
UPDATES = 3_000
QUICK_UPDATES = 150
GOAL = 0.33  # full path's rate / bare dispatch's rate
# Telegram's default `max_connections` for a webhook: the updates a web worker has in hand at once.
IN_FLIGHT = 40
BARE_RUNS = 5
SIDES = ("bare", "store-only", "full", "bare in flight", "full in flight")
TOKEN = "123456:BENCH-token"
KINDS = ("text command", "photo", "live-location edit")


class BenchmarkError(RuntimeError):
    """The updates were not handled as they should be: the timing would mean nothing."""


class FakeFileSession(BaseSession):
    """Stands where aiohttp would: answers getFile and serves the photos' bytes; nothing else is expected
    (replies go to the outbox, not to Telegram)."""

    def __init__(self, files: dict[str, bytes]):
        super().__init__()
        self.files = files

    async def close(self) -> None:
        return None

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        if method.__api_method__ != "getFile":
            raise BenchmarkError(f"ingest called {method.__api_method__}")
        content = self.files[method.file_id]
        return File(file_id=method.file_id, file_unique_id="u" + method.file_id, file_size=len(content),
                    file_path=f"photos/{method.file_id}.jpg")

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
                             chunk_size: int = 65536, raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        yield self.files[url.rsplit("/", 1)[-1].removesuffix(".jpg")]


def photo_bytes(seed: int) -> bytes:
    """A small phone-camera-sized JPEG of noise (different per photo, so no two are near-duplicates)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (320, 240), rng.randbytes(320 * 240 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def day_updates(count: int, people: int, first_update_id: int) -> tuple[list[dict], dict[str, bytes]]:
    """The mix, in turn: a command, a photo, a live-location edit; each from the next person."""
    payloads, files = [], {}
    stamp = int(NOW.timestamp())
    for n in range(count):
        chat = CHAT_BASE + n % people + 1
        sender = {"id": chat, "is_bot": False, "first_name": "P", "language_code": "id"}
        base = {"message_id": 1_000 + n, "from": sender, "chat": {"id": chat, "type": "private", "first_name": "P"},
                "date": stamp}
        kind = KINDS[n % len(KINDS)]
        if kind == "text command":
            payloads.append({"update_id": first_update_id + n, "message": {**base, "text": "/status"}})
        elif kind == "photo":
            file_id = f"ph{first_update_id + n}"
            files[file_id] = photo_bytes(first_update_id + n)
            payloads.append({"update_id": first_update_id + n, "message": {**base, "photo": [
                {"file_id": file_id, "file_unique_id": "u" + file_id, "width": 320, "height": 240,
                 "file_size": len(files[file_id])}]}})
        else:
            payloads.append({"update_id": first_update_id + n, "edited_message": {
                **base, "message_id": 10 + chat - CHAT_BASE, "date": stamp - 3600, "edit_date": stamp,
                "location": {"latitude": -6.2 + (n % 7) * 1e-4, "longitude": 106.8, "horizontal_accuracy": 12.0}}})
    return payloads, files


def bare_dispatcher() -> Dispatcher:
    """aiogram with one no-op handler per update kind the bot takes: the cost of dispatch alone."""
    router = Router(name="no-op")

    async def no_op(*_args: Any, **_kwargs: Any) -> None:
        return None

    router.message()(no_op)
    router.edited_message()(no_op)
    dispatcher = Dispatcher(name="bare")
    dispatcher.include_router(router)
    return dispatcher


def storing_dispatcher(db: Database) -> Dispatcher:
    """aiogram whose handler only records the update's key in its own transaction: the least any path that
    keeps what it was sent must do, so the full path's cost above it is Apel's own work."""
    router = Router(name="store-only")

    async def store(_event: Any, event_update: Update, **_kwargs: Any) -> None:
        async with db.uow() as uow:
            await uow.day.first_time(f"floor:{event_update.update_id}", NOW)
            await uow.commit()

    router.message()(store)
    router.edited_message()(store)
    dispatcher = Dispatcher(name="store-only")
    dispatcher.include_router(router)
    return dispatcher


@dataclass
class Side:
    updates: int
    seconds: float
    cpu_seconds: float
    by_kind: dict[str, float] = field(default_factory=dict)  # kind -> seconds

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds


def kind_of(payload: dict) -> str:
    if "edited_message" in payload:
        return KINDS[2]
    return KINDS[1] if "photo" in payload["message"] else KINDS[0]


async def _feed(dispatcher: Dispatcher, bot: Bot, payloads: list[dict], in_flight: int = 1) -> Side:
    """Feeds the updates one after another (timed per kind), or `in_flight` at a time as webhook calls
    arrive (timed as a whole: the kinds overlap)."""
    updates = [(kind_of(p), Update.model_validate(p, context={"bot": bot})) for p in payloads]  # not timed
    by_kind = dict.fromkeys(KINDS, 0.0)
    cpu = time.process_time()
    if in_flight == 1:
        for kind, update in updates:
            started = time.perf_counter()
            await dispatcher.feed_update(bot, update)
            by_kind[kind] += time.perf_counter() - started
        return Side(len(updates), sum(by_kind.values()), time.process_time() - cpu, by_kind)
    slots = asyncio.Semaphore(in_flight)

    async def one(update: Update) -> None:
        async with slots:
            await dispatcher.feed_update(bot, update)

    started = time.perf_counter()
    await asyncio.gather(*(one(update) for _, update in updates))
    return Side(len(updates), time.perf_counter() - started, time.process_time() - cpu)


async def _count(db: Database, table) -> int:
    async with db.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table))).scalar_one()


async def compare(url: str, schema: str | None, count: int, people: int, first_update_id: int,
                  workdir: Path) -> dict[str, Side]:
    """Every side of `SIDES` for the same mix of updates; the full path's fixes and replies are counted
    back after each of its runs. The in-flight runs get updates of their own (the full path would drop
    the first run's as redeliveries): the same people and kinds, a second time."""
    payloads, files = day_updates(count, people, first_update_id)
    again, again_files = day_updates(count, people, first_update_id + count)
    warm, warm_files = day_updates(len(KINDS), people, first_update_id - 100)
    files.update(again_files)
    files.update(warm_files)
    bot = Bot(TOKEN, session=FakeFileSession(files))
    db = Database(url, schema=schema)
    conversation = Conversation(
        db.uow, clock=FixedClock(NOW), media=FileMediaStore(workdir / f"media{first_update_id}"),
        sheets=UploadedSheetReader(), default_language="id", default_timezone="Asia/Jakarta",
        links=LinkSettings("ApelBenchBot", None), invite_ttl=dt.timedelta(days=14),
        pseudonym_key=b"bench",
    )
    full = build_dispatcher(conversation, wake_sender(None), now=lambda: NOW)

    async def counted(updates: list[dict], in_flight: int) -> Side:
        fixes, queued = await _count(db, LocationFix), await _count(db, OutboxMessage)
        side = await _feed(full, bot, updates, in_flight)
        fixes, queued = await _count(db, LocationFix) - fixes, await _count(db, OutboxMessage) - queued
        moves = sum(1 for p in updates if "edited_message" in p)
        if fixes != moves:
            raise BenchmarkError(f"{fixes} fixes stored for {moves} live-location edits")
        if queued < len(updates) - moves:
            raise BenchmarkError(f"{queued} replies queued for {len(updates) - moves} commands and photos")
        return side

    async def bare(updates: list[dict], in_flight: int) -> Side:
        # A bare run lasts a tenth of a second, so one preemption can halve it: the fastest of a few.
        return min([await _feed(bare_dispatcher(), bot, updates, in_flight) for _ in range(BARE_RUNS)],
                   key=lambda side: side.seconds)

    try:
        sides = {"bare": await bare(payloads, 1), "store-only": await _feed(storing_dispatcher(db), bot, payloads)}
        await _feed(full, bot, warm)  # connections and caches warm, not timed
        sides["full"] = await counted(payloads, 1)
        sides["bare in flight"] = await bare(again, IN_FLIGHT)
        sides["full in flight"] = await counted(again, IN_FLIGHT)
    finally:
        await db.dispose()
        await bot.session.close()
    return sides


@dataclass
class Measurements:
    updates: int
    repeat: int
    pinned: str
    results: dict[str, dict[str, Side]] = field(default_factory=dict)  # engine -> side (SIDES) -> fastest run
    load: float | None = None
    versions: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def measure(updates: int, *, workdir: Path, engines: Sequence[str] = ("sqlite", "postgresql"), repeat: int = 1,
            people: int = PEOPLE, log: Callable[[str], None] = _stderr) -> Measurements:
    with on_one_core() as (pinned, load):
        m = Measurements(updates, repeat, pinned, load=load)
        for target in reachable_targets(engines, workdir, name=NAME, log=log, skipped=m.skipped):
            m.versions.append(target.version)
            with target.fresh("ingest") as (url, schema):
                asyncio.run(populate(url, schema, people))
                runs = [asyncio.run(compare(url, schema, updates, people, 1_000_000 * (r + 1), workdir))
                        for r in range(repeat)]
                # Each side's fastest run, chosen apart: the best ratio would favour a run whose bare side was slow.
                best = {side: min((r[side] for r in runs), key=lambda s: s.seconds) for side in SIDES}
                m.results[target.name] = best
                log(f"{NAME}: {target.name}: " + ", ".join(f"{side} {best[side].per_second:,.0f}/s" for side in SIDES))
        return m


def render(m: Measurements, command: str, *, quick: bool = False) -> str:
    title = f"## {TITLE}" + (" (quick smoke sizes, not the recorded benchmark)" if quick else "")
    best = f"each side's fastest of {m.repeat} runs" if m.repeat > 1 else "one run"
    lines = [
        title, "",
        header(command, f"Engines: {', '.join(m.versions) or 'none'}", f"Each figure: {best}"),
        *(f"- Skipped: {reason}" for reason in m.skipped),
        "",
        "| Engine | Updates | Bare dispatch /s | Store-only /s | Full path /s | Full path per CPU-second "
        "| Full / bare | Goal | Result | Full / store-only |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    per_kind = ["", "Per kind, milliseconds per update (full path / store-only / bare dispatch):", "",
                "| Engine | " + " | ".join(KINDS) + " |", "|---|" + "---:|" * len(KINDS)]
    in_flight = ["", f"As a web worker receives them, {IN_FLIGHT} in flight (Telegram's default webhook "
                 "`max_connections`):", "",
                 "| Engine | Bare dispatch /s | Full path /s | Full path per CPU-second | Full / bare | Goal | Result |",
                 "|---|---:|---:|---:|---:|---:|---|"]
    for engine, sides in m.results.items():
        bare, floor, full = sides["bare"], sides["store-only"], sides["full"]
        ratio = full.per_second / bare.per_second
        lines.append(f"| {engine} | {full.updates:,} | {bare.per_second:,.0f} | {floor.per_second:,.0f} "
                     f"| {full.per_second:,.0f} | {full.updates / full.cpu_seconds:,.0f} | {ratio:.3f} | ≥ {GOAL} "
                     f"| {'PASS' if ratio >= GOAL else 'FAIL'} | {full.per_second / floor.per_second:.2f} |")
        each = full.updates / len(KINDS)
        per_kind.append(f"| {engine} | " + " | ".join(
            f"{full.by_kind[k] / each * 1e3:.2f} / {floor.by_kind[k] / each * 1e3:.2f} / "
            f"{bare.by_kind[k] / each * 1e3:.3f}" for k in KINDS) + " |")
        bare, full = sides["bare in flight"], sides["full in flight"]
        ratio = full.per_second / bare.per_second
        in_flight.append(f"| {engine} | {bare.per_second:,.0f} | {full.per_second:,.0f} "
                         f"| {full.updates / full.cpu_seconds:,.0f} | {ratio:.3f} | ≥ {GOAL} "
                         f"| {'PASS' if ratio >= GOAL else 'FAIL'} |")
    lines += per_kind + in_flight
    load = f"{m.load:.1f}" if m.load is not None else "unknown"
    lines += ["", f"How: {PEOPLE:,} people in one unit, each linked on Telegram, in an empty migrated database. "
              f"{m.updates:,} updates, in turn a text command (`/status`), a photo (a 320×240 JPEG served by a Fake "
              "session through getFile and the download, then the evidence pipeline) and a live-location edit, each "
              "from the next person, are fed to `Dispatcher.feed_update` one after another: first to aiogram with "
              f"a no-op handler (the fastest of {BARE_RUNS} feeds: each lasts a fraction of a second), then to aiogram whose handler only records the update's key in a transaction of its "
              "own (store-only: the least a path that keeps what it is sent does), then to Apel's dispatcher (`build_dispatcher`), whose replies go to the outbox in "
              "the same transaction (the sender is not part of ingest). Then the same people send the same kinds once "
              f"more, {IN_FLIGHT} updates at a time, as concurrent webhook calls reach a web worker: to the no-op "
              "dispatcher, then to Apel's (live moves arriving together are stored in one batch). Parsing the JSON "
              "into `Update` is not timed. "
              f"The process is {m.pinned}; 1-minute load average at the start: {load}. The stored fixes and queued "
              "replies are counted back after each run."]
    return "\n".join(lines)


def run(*, quick: bool = False, repeat: int | None = None, command: str = "python -m bench") -> str:
    with tempfile.TemporaryDirectory(prefix="apel_bench_") as tmp:
        measurements = measure(QUICK_UPDATES if quick else UPDATES, workdir=Path(tmp),
                               repeat=repeat or (1 if quick else 3))
    return render(measurements, command, quick=quick)
