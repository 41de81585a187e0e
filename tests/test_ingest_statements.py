"""What one update costs the database on the ingest path (BENCHMARKS.md "Update ingest"): the benchmark's
updates (a `/status`, a photo, a live-location move, each from the next person) fed to the Telegram
dispatcher one at a time, the statements of each counted. A statement more per update is a round trip
more for every update a province sends."""

from __future__ import annotations

import datetime as dt

from aiogram import Bot
from aiogram.types import Update

from bench.ingest import TOKEN, FakeFileSession, day_updates, kind_of
from bench.live_locations import NOW, FixedClock, populate
from bot.channels.telegram.dispatch import build_dispatcher, wake_sender
from bot.services.conversation import Conversation
from bot.services.invites import LinkSettings
from bot.spreadsheet import UploadedSheetReader
from storage.media_store import FileMediaStore
from tests.sql_statements import recorded_statements

PEOPLE = 6


def _first_words(statements: list[str]) -> list[str]:
    return [" ".join(s.split(" ")[:3]) for s in statements]


async def test_each_kind_of_update_costs_a_fixed_number_of_statements(db, db_target, tmp_path):
    url, schema = db_target
    await populate(url, schema, PEOPLE)
    # The kinds go in turn, so with twice as many updates as people everyone sends one kind twice.
    payloads, files = day_updates(2 * PEOPLE, PEOPLE, first_update_id=1)
    bot = Bot(TOKEN, session=FakeFileSession(files))
    conversation = Conversation(
        db.uow, clock=FixedClock(NOW), media=FileMediaStore(tmp_path / "media"), sheets=UploadedSheetReader(),
        default_language="id", default_timezone="Asia/Jakarta", links=LinkSettings("ApelTestBot", None),
        invite_ttl=dt.timedelta(days=14), pseudonym_key=b"test",
    )
    dispatcher = build_dispatcher(conversation, wake_sender(None), now=lambda: NOW)
    seen: dict[str, list[list[str]]] = {}
    try:
        for payload in payloads:
            with recorded_statements(db.engine) as statements:
                await dispatcher.feed_update(bot, Update.model_validate(payload, context={"bot": bot}))
            seen.setdefault(kind_of(payload), []).append(statements)
    finally:
        await bot.session.close()

    # A person's first /status of the day makes the day (one INSERT, after the one read that found it
    # missing); the second reads it.
    counts = {kind: sorted({len(s) for s in runs}) for kind, runs in seen.items()}
    assert counts == {
        # key (with the chat's lock on PostgreSQL), person, day, hours (2), tasks, counts with the report, reply
        "text command": [8, 9],
        "photo": [7],  # key, person, tasks, evidence, earlier lookalikes, selfie check, reply
        "live-location edit": [3],  # key, person, fix (the batch path: no reply, no chat lock)
    }, {kind: [_first_words(s) for s in runs] for kind, runs in seen.items()}
