"""The report's states through the whole conversation, over action sequences Hypothesis chooses: the
person submits (before or after the deadline), the superior approves or returns with fresh or stale
buttons, someone outside the chain taps, "approve all" is pressed. After every step the stored report may
only have moved along the documented graph (test_properties.py checks the rule itself; this checks that
the use cases obey it), and an approved report never changes again.

Each example starts from an empty database (both engines) with the small office linked, so examples
cannot leak into each other; the database is made once per engine by the `db_target` fixture."""

from __future__ import annotations

import asyncio
import datetime as dt
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy import text as sql

from bot.domain.reports import ReportStatus
from storage.day_tables import Report
from storage.tables import SQLModel
from storage.unit_of_work import Database
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness
from tests.conftest import FakeClock
from tests.org_rows import KASI, SEK, STAF, small_office
from tests.test_org_import import run_import
from tests.test_properties import DOCUMENTED

RUDI, DEWI, SITI = "501", "502", "504"  # staff; his section head; the secretary, outside his chain
AFTER_DEADLINE = dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.UTC)  # 16.05 WIB
ACTIONS = ("submit", "approve", "approve_stale", "return", "outsider_approves", "approve_all", "deadline")


async def _fresh_office(url: str, schema: str | None, media) -> tuple[Database, ChatHarness, FakeClock]:
    db = Database(url, schema=schema)
    async with db.engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            await conn.execute(sql(f'DELETE FROM "{table.name}"'))
    clock = FakeClock(MONDAY_0900_WIB)
    await run_import(db, clock, small_office())
    chat = ChatHarness(db, clock, media)
    codes = await chat.codes()
    for sender, nip in ((RUDI, STAF), (DEWI, KASI), (SITI, SEK)):
        await chat.text(sender, f"/start {codes[nip]}")
    return db, chat, clock


async def _stored(db: Database) -> SimpleNamespace | None:
    """The day's one report as plain values (the row itself expires with its session)."""
    async with db.uow() as uow:
        row = (await uow.session.execute(select(Report))).scalars().one_or_none()
        return SimpleNamespace(**row.model_dump()) if row else None


async def _act(action: str, step: int, chat: ChatHarness, clock: FakeClock, report: SimpleNamespace | None) -> None:
    ref = f"{report.id}:{report.revision}" if report else "1:1"
    if action == "submit":
        await chat.text(RUDI, "/lapor")
        await chat.text(RUDI, f"Laporan ke-{step}")
        await chat.tap(RUDI, "r:send")
    elif action == "approve":
        await chat.tap(DEWI, f"ap:{ref}")
    elif action == "approve_stale" and report is not None:
        await chat.tap(DEWI, f"ap:{report.id}:{report.revision - 1}")
    elif action == "return":
        await chat.tap(DEWI, f"rt:{ref}")
        await chat.text(DEWI, f"Perbaiki ke-{step}")
    elif action == "outsider_approves":
        await chat.tap(SITI, f"ap:{ref}")
    elif action == "approve_all":
        await chat.tap(DEWI, "apall:20261123")
    elif action == "deadline":
        clock.current = max(clock.current, AFTER_DEADLINE)


async def _scenario(url: str, schema: str | None, media, actions: list[str]) -> None:
    db, chat, clock = await _fresh_office(url, schema, media)
    try:
        before = await _stored(db)
        for step, action in enumerate(actions):
            await _act(action, step, chat, clock, before)
            after = await _stored(db)
            _check(before, after, action, clock.current)
            before = after
    finally:
        await db.dispose()


def _check(before: SimpleNamespace | None, after: SimpleNamespace | None, action: str, now: dt.datetime) -> None:
    old = ReportStatus(before.status) if before else None
    if after is None:
        assert before is None, "a report disappeared"
        return
    new = ReportStatus(after.status)
    if old is ReportStatus.APPROVED:
        assert (new, after.revision, after.summary) == (old, before.revision, before.summary), "approved is final"
    moved = before is None or (new, after.revision) != (old, before.revision)
    if moved:
        assert (old, new) in DOCUMENTED, f"{action}: {old} -> {new} is not in the documented graph"
    if action in ("approve_stale", "outsider_approves"):
        assert not moved, f"{action} changed the report"
    if moved and new is ReportStatus.SUBMITTED and old is ReportStatus.SUBMITTED:
        assert now < AFTER_DEADLINE, "a submitted report was edited after the deadline"
    if action != "submit" and moved:
        assert new in (ReportStatus.APPROVED, ReportStatus.RETURNED) and after.reviewed_by_id is not None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=10))
def test_the_report_moves_only_along_the_graph_whatever_people_tap(db_target, tmp_path, actions):
    url, schema = db_target
    asyncio.run(_scenario(url, schema, tmp_path / "media", actions))
