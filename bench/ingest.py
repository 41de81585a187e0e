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


async def _feed(dispatcher: Dispatcher, bot: Bot, payloads: list[dict]) -> Side:
    updates = [(kind_of(p), Update.model_validate(p, context={"bot": bot})) for p in payloads]  # not timed
    by_kind = dict.fromkeys(KINDS, 0.0)
    cpu = time.process_time()
    for kind, update in updates:
        started = time.perf_counter()
        await dispatcher.feed_update(bot, update)
        by_kind[kind] += time.perf_counter() - started
    return Side(len(updates), sum(by_kind.values()), time.process_time() - cpu, by_kind)


async def _count(db: Database, table) -> int:
    async with db.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table))).scalar_one()


async def compare(url: str, schema: str | None, count: int, people: int, first_update_id: int,
                  workdir: Path) -> tuple[Side, Side, Side]:
    """(bare, store-only, full) for the same updates; the full side's fixes and replies are counted back."""
    payloads, files = day_updates(count, people, first_update_id)
    warm, warm_files = day_updates(len(KINDS), people, first_update_id - 100)
    files.update(warm_files)
    bot = Bot(TOKEN, session=FakeFileSession(files))
    db = Database(url, schema=schema)
    conversation = Conversation(
        db.uow, clock=FixedClock(NOW), media=FileMediaStore(workdir / f"media{first_update_id}"),
        sheets=UploadedSheetReader(), default_language="id", default_timezone="Asia/Jakarta",
        links=LinkSettings("ApelBenchBot", None), invite_ttl=dt.timedelta(days=14),
    )
    full = build_dispatcher(conversation, wake_sender(None), now=lambda: NOW)
    try:
        bare = await _feed(bare_dispatcher(), bot, payloads)
        floor = await _feed(storing_dispatcher(db), bot, payloads)
        await _feed(full, bot, warm)  # connections and caches warm, not timed
        fixes, queued = await _count(db, LocationFix), await _count(db, OutboxMessage)
        measured = await _feed(full, bot, payloads)
        fixes, queued = await _count(db, LocationFix) - fixes, await _count(db, OutboxMessage) - queued
    finally:
        await db.dispose()
        await bot.session.close()
    moves = sum(1 for p in payloads if "edited_message" in p)
    if fixes != moves:
        raise BenchmarkError(f"{fixes} fixes stored for {moves} live-location edits")
    if queued < count - moves:
        raise BenchmarkError(f"{queued} replies queued for {count - moves} commands and photos")
    return bare, floor, measured


@dataclass
class Measurements:
    updates: int
    repeat: int
    pinned: str
    results: dict[str, tuple[Side, ...]] = field(default_factory=dict)  # engine -> (bare, store-only, full)
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
                best = tuple(min((r[i] for r in runs), key=lambda s: s.seconds) for i in range(3))
                m.results[target.name] = best
                log(f"{NAME}: {target.name}: bare {best[0].per_second:,.0f}/s, store-only {best[1].per_second:,.0f}/s, "
                    f"full {best[2].per_second:,.0f}/s")
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
    for engine, (bare, floor, full) in m.results.items():
        ratio = full.per_second / bare.per_second
        lines.append(f"| {engine} | {full.updates:,} | {bare.per_second:,.0f} | {floor.per_second:,.0f} "
                     f"| {full.per_second:,.0f} | {full.updates / full.cpu_seconds:,.0f} | {ratio:.3f} | ≥ {GOAL} "
                     f"| {'PASS' if ratio >= GOAL else 'FAIL'} | {full.per_second / floor.per_second:.2f} |")
        each = full.updates / len(KINDS)
        per_kind.append(f"| {engine} | " + " | ".join(
            f"{full.by_kind[k] / each * 1e3:.2f} / {floor.by_kind[k] / each * 1e3:.2f} / "
            f"{bare.by_kind[k] / each * 1e3:.3f}" for k in KINDS) + " |")
    lines += per_kind
    load = f"{m.load:.1f}" if m.load is not None else "unknown"
    lines += ["", f"How: {PEOPLE:,} people in one unit, each linked on Telegram, in an empty migrated database. "
              f"{m.updates:,} updates, in turn a text command (`/status`), a photo (a 320×240 JPEG served by a Fake "
              "session through getFile and the download, then the evidence pipeline) and a live-location edit, each "
              "from the next person, are fed to `Dispatcher.feed_update` one after another: first to aiogram with "
              "a no-op handler, then to aiogram whose handler only records the update's key in a transaction of its "
              "own (store-only: the least a path that keeps what it is sent does), then to Apel's dispatcher (`build_dispatcher`), whose replies go to the outbox in "
              "the same transaction (the sender is not part of ingest). Parsing the JSON into `Update` is not timed. "
              f"The process is {m.pinned}; 1-minute load average at the start: {load}. The stored fixes and queued "
              "replies are counted back after each run."]
    return "\n".join(lines)


def run(*, quick: bool = False, repeat: int | None = None, command: str = "python -m bench") -> str:
    with tempfile.TemporaryDirectory(prefix="apel_bench_") as tmp:
        measurements = measure(QUICK_UPDATES if quick else UPDATES, workdir=Path(tmp),
                               repeat=repeat or (1 if quick else 3))
    return render(measurements, command, quick=quick)
