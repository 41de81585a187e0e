"""Presence checks in SQL: the day's planned moments, asking, answering, closing; and what deciding
needs beside them (approved izin windows, homes, recent live positions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.check_moments import CheckOutcome, CheckRecord
from storage.conflict_insert import dialect_insert
from storage.day_repository import ids_in
from storage.day_tables import LocationFix
from storage.presence_tables import PresenceCheck
from storage.tables import OrgUnit, Person

_COLUMNS = (PresenceCheck.id, PresenceCheck.person_id, PresenceCheck.day, PresenceCheck.due_at,
            PresenceCheck.asked_at, PresenceCheck.answer_by, PresenceCheck.outcome,
            PresenceCheck.selfie_evidence_id)
_PENDING = CheckOutcome.PENDING.value

# Built once: every photo asks it.
_NOW = bindparam("now")
_SELFIE_WANTED = (
    select(*_COLUMNS).where(
        PresenceCheck.person_id == bindparam("person_id"), PresenceCheck.asked_at <= _NOW,
        PresenceCheck.answer_by > _NOW, PresenceCheck.selfie_evidence_id.is_(None))
    .order_by(PresenceCheck.asked_at.desc()).limit(1)
)



class SqlCheckRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def planned(self, person_ids: Sequence[int], day: dt.date) -> set[int]:
        """The people whose checks of that day are planned already."""
        ids = list(person_ids)
        if not ids:
            return set()
        rows = await self.session.execute(
            select(PresenceCheck.person_id).distinct()
            .where(ids_in(self.session, PresenceCheck.person_id, ids), PresenceCheck.day == day)
        )
        return set(rows.scalars())

    async def plan(self, moments: Sequence[tuple[int, dt.date, dt.datetime]]) -> int:
        """Store planned moments (person, day, due_at); a moment stored before is left as it is."""
        if not moments:
            return 0
        insert = dialect_insert(self.session)
        rows = [{"person_id": p, "day": d, "due_at": at, "outcome": _PENDING} for p, d, at in moments]
        result = await self.session.execute(insert(PresenceCheck).values(rows).on_conflict_do_nothing())
        return max(result.rowcount, 0)

    async def due(self, now: dt.datetime, since: dt.date) -> list[CheckRecord]:
        """Pending checks something must happen to: planned ones whose moment came, asked ones whose
        answer window closed. With each, the person's unit."""
        rows = await self.session.execute(
            select(*_COLUMNS, OrgUnit.name)
            .join(Person, Person.id == PresenceCheck.person_id)
            .join(OrgUnit, OrgUnit.id == Person.unit_id)
            .where(
                PresenceCheck.day >= since,
                PresenceCheck.outcome == _PENDING,
                or_(and_(PresenceCheck.asked_at.is_(None), PresenceCheck.due_at <= now),
                    and_(PresenceCheck.asked_at.is_not(None), PresenceCheck.answer_by <= now)),
            )
            .order_by(PresenceCheck.due_at, PresenceCheck.id)
        )
        return [CheckRecord(*r) for r in rows]

    async def next_unasked(self, person_ids: Sequence[int], day: dt.date) -> list[CheckRecord]:
        """Each person's earliest planned check of the day not asked yet (for a check run now)."""
        ids = list(person_ids)
        if not ids:
            return []
        rows = await self.session.execute(
            select(*_COLUMNS)
            .where(ids_in(self.session, PresenceCheck.person_id, ids), PresenceCheck.day == day,
                   PresenceCheck.outcome == _PENDING, PresenceCheck.asked_at.is_(None))
            .order_by(PresenceCheck.due_at)
        )
        first: dict[int, CheckRecord] = {}
        for r in rows:
            first.setdefault(r.person_id, CheckRecord(*r))
        return list(first.values())

    async def open_people(self, person_ids: Sequence[int], now: dt.datetime) -> set[int]:
        """People with a check asked and still waiting for its answer."""
        ids = list(person_ids)
        if not ids:
            return set()
        rows = await self.session.execute(
            select(PresenceCheck.person_id).where(
                ids_in(self.session, PresenceCheck.person_id, ids), PresenceCheck.outcome == _PENDING,
                PresenceCheck.asked_at.is_not(None), PresenceCheck.answer_by > now)
        )
        return set(rows.scalars())

    async def open_check(self, person_id: int, now: dt.datetime) -> CheckRecord | None:
        row = (
            await self.session.execute(
                select(*_COLUMNS).where(
                    PresenceCheck.person_id == person_id, PresenceCheck.outcome == _PENDING,
                    PresenceCheck.asked_at.is_not(None), PresenceCheck.asked_at <= now, PresenceCheck.answer_by > now)
                .order_by(PresenceCheck.asked_at.desc()).limit(1)
            )
        ).first()
        return CheckRecord(*row) if row else None

    async def closed_unanswered(self, person_id: int, now: dt.datetime, since: dt.datetime) -> CheckRecord | None:
        """The latest check asked whose answer window ended between `since` and `now` without an answer
        (missed, or about to be closed as missed by the next tick)."""
        row = (
            await self.session.execute(
                select(*_COLUMNS).where(
                    PresenceCheck.person_id == person_id, PresenceCheck.asked_at.is_not(None),
                    PresenceCheck.answered_at.is_(None), PresenceCheck.answer_by <= now,
                    PresenceCheck.answer_by > since,
                    PresenceCheck.outcome.in_((_PENDING, CheckOutcome.MISSED.value)))
                .order_by(PresenceCheck.answer_by.desc()).limit(1)
            )
        ).first()
        return CheckRecord(*row) if row else None

    async def selfie_wanted(self, person_id: int, now: dt.datetime) -> CheckRecord | None:
        """The check asked and still in its answer window (answered or not) that has no selfie yet."""
        row = (await self.session.execute(_SELFIE_WANTED, {"person_id": person_id, "now": now})).first()
        return CheckRecord(*row) if row else None

    async def mark_asked(self, asked: Sequence[tuple[int, dt.datetime, dt.datetime]]) -> None:
        """(check id, asked_at, answer_by) for each check just asked."""
        if asked:  # one executemany by primary key, however many are asked in this tick
            await self.session.execute(
                update(PresenceCheck), [{"id": i, "asked_at": at, "answer_by": by} for i, at, by in asked]
            )

    async def set_outcome(self, check_ids: Sequence[int], outcome: CheckOutcome) -> None:
        """Close pending checks (missed, excused, skipped); a check answered meanwhile keeps its answer."""
        if check_ids:
            await self.session.execute(
                update(PresenceCheck)
                .where(PresenceCheck.id.in_(list(check_ids)), PresenceCheck.outcome == _PENDING)
                .values(outcome=outcome.value)
            )

    async def answer(self, check_id: int, *, at: dt.datetime, lat: float, lon: float, accuracy_m: float | None,
                     distance_m: float | None, outcome: CheckOutcome, asked_at: dt.datetime | None = None) -> bool:
        """Record the answer of a pending check; False when it was closed meanwhile."""
        values = {"answered_at": at, "lat": lat, "lon": lon, "accuracy_m": accuracy_m, "distance_m": distance_m,
                  "outcome": outcome.value}
        if asked_at is not None:  # answered by a live location: "asked" of the stream, with no message
            values |= {"asked_at": asked_at, "answer_by": asked_at}
        result = await self.session.execute(
            update(PresenceCheck).where(PresenceCheck.id == check_id, PresenceCheck.outcome == _PENDING).values(**values)
        )
        return result.rowcount == 1

    async def link_selfie(self, check_id: int, evidence_id: int) -> None:
        await self.session.execute(
            update(PresenceCheck).where(PresenceCheck.id == check_id).values(selfie_evidence_id=evidence_id)
        )

    async def live_positions(self, person_ids: Sequence[int], since: dt.datetime,
                             now: dt.datetime) -> dict[int, tuple[dt.datetime, float, float]]:
        """Each person's latest live position taken in [since, now], from a live share still running at
        `now` (its first message's `live_until`, since the moves that follow carry no period)."""
        ids = list(person_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(LocationFix.person_id, LocationFix.at, LocationFix.lat, LocationFix.lon, LocationFix.live_key)
            .where(ids_in(self.session, LocationFix.person_id, ids), LocationFix.live, LocationFix.at >= since,
                   LocationFix.at <= now)
            .order_by(LocationFix.at)
        )
        latest = {r.person_id: r for r in rows}  # ordered by time: the last one wins
        keys = sorted({r.live_key for r in latest.values() if r.live_key})
        if not keys:
            return {}
        running = set((await self.session.execute(
            select(LocationFix.live_key).where(LocationFix.live_key.in_(keys)).group_by(LocationFix.live_key)
            .having(func.max(LocationFix.live_until) >= now)
        )).scalars())
        return {pid: (r.at, r.lat, r.lon) for pid, r in latest.items() if r.live_key in running}
