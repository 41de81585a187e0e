"""What a briefing wave reads and marks for many people at once: a chunk of a unit costs a handful of
statements, whatever its size (the per-person path is `SqlDayRepository`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.day_records import TaskRecord
from storage.conflict_insert import dialect_insert
from storage.day_repository import _task, ids_in
from storage.day_tables import Task, WorkDay


class SqlWaveRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def ensure_work_days(self, person_ids: Sequence[int], day: dt.date, mode: str) -> None:
        if not person_ids:
            return
        insert = dialect_insert(self.session)
        rows = [{"person_id": pid, "day": day, "mode": mode, "source": "default"} for pid in person_ids]
        for start in range(0, len(rows), 1000):
            await self.session.execute(insert(WorkDay).values(rows[start:start + 1000]).on_conflict_do_nothing())

    async def mark_briefed(self, person_ids: Sequence[int], day: dt.date, at: dt.datetime) -> set[int]:
        """Mark the day briefed for those not marked yet; the ids this call marked."""
        if not person_ids:
            return set()
        result = await self.session.execute(
            update(WorkDay)
            .where(ids_in(self.session, WorkDay.person_id, list(person_ids)), WorkDay.day == day,
                   WorkDay.briefed_at.is_(None))
            .values(briefed_at=at)
            .returning(WorkDay.person_id)
        )
        return set(result.scalars())

    async def tasks_for_people(self, person_ids: Sequence[int], day: dt.date) -> dict[int, list[TaskRecord]]:
        """Each person's tasks due that day and earlier ones not done (carried over), in one query."""
        if not person_ids:
            return {}
        rows = await self.session.scalars(
            select(Task)
            .where(ids_in(self.session, Task.person_id, list(person_ids)),
                   or_(Task.due_date == day, (Task.due_date < day) & (Task.status != "done")))
            .order_by(Task.person_id, Task.due_date, Task.id)
        )
        grouped: dict[int, list[TaskRecord]] = defaultdict(list)
        for row in rows:
            grouped[row.person_id].append(_task(row))
        return grouped
