"""Flags in SQL. Raising one is insert-if-absent on (person, day, kind, ref): steps that re-compute
a day raise nothing twice."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.flags import FlagKind, FlagRecord, NewFlag
from storage.conflict_insert import dialect_insert
from storage.day_repository import ids_in
from storage.presence_tables import DayFlag


def _record(row: DayFlag) -> FlagRecord:
    return FlagRecord(row.id, row.person_id, row.day, FlagKind(row.kind), row.ref, json.loads(row.detail or "{}"),
                      row.excused, row.created_at)


class SqlFlagRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def raise_many(self, flags: Sequence[NewFlag], at: dt.datetime) -> int:
        """Store the flags not stored yet; the number newly raised."""
        if not flags:
            return 0
        insert = dialect_insert(self.session)
        rows = [
            {"person_id": f.person_id, "day": f.day, "kind": f.kind.value, "ref": f.ref,
             "detail": json.dumps(f.detail, default=str), "excused": f.excused, "created_at": at}
            for f in flags
        ]
        result = await self.session.execute(insert(DayFlag).values(rows).on_conflict_do_nothing())
        return max(result.rowcount, 0)

    async def excuse(self, person_id: int, start: dt.datetime, end: dt.datetime) -> int:
        """Mark the flags raised for moments inside an approved permission as excused."""
        stmt = (
            update(DayFlag)
            .where(DayFlag.person_id == person_id, DayFlag.created_at >= start, DayFlag.created_at <= end)
            .values(excused=True)
        )
        return (await self.session.execute(stmt)).rowcount

    async def for_day(self, person_ids: list[int], day: dt.date) -> dict[int, list[FlagRecord]]:
        if not person_ids:
            return {}
        rows = await self.session.scalars(
            select(DayFlag).where(ids_in(self.session, DayFlag.person_id, person_ids), DayFlag.day == day)
            .order_by(DayFlag.id)
        )
        grouped: dict[int, list[FlagRecord]] = defaultdict(list)
        for row in rows:
            grouped[row.person_id].append(_record(row))
        return dict(grouped)

    async def for_person(self, person_id: int) -> list[FlagRecord]:
        rows = await self.session.scalars(select(DayFlag).where(DayFlag.person_id == person_id).order_by(DayFlag.id))
        return [_record(r) for r in rows]
