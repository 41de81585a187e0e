"""Leave and permission requests in SQL (`leave_request`): asked, decided once, expired when nobody
decided in time. Days are `day`..`end_day` inclusive (NULL end_day: one day); an izin keluar rumah also
has its window `starts_at`..`ends_at` (UTC)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.day_records import LeaveRecord
from storage.day_repository import ids_in
from storage.day_tables import LeaveRequest

OPEN = ("pending", "approved")


def _record(r: LeaveRequest) -> LeaveRecord:
    return LeaveRecord(r.id, r.person_id, r.kind, r.day, r.reason, r.status, r.end_day, r.starts_at, r.ends_at,
                       r.decided_by_id, r.decided_at, r.created_at, r.refusal_reason,
                       tuple(json.loads(r.asked_ids or "[]")), json.loads(r.replaced_modes or "null"))


_LAST_DAY = func.coalesce(LeaveRequest.end_day, LeaveRequest.day)


class SqlLeaveRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, person_id: int, kind: str, day: dt.date, reason: str, at: dt.datetime, *,
                  end_day: dt.date | None = None, starts_at: dt.datetime | None = None,
                  ends_at: dt.datetime | None = None, asked_ids: Sequence[int] = ()) -> int:
        values = dict(person_id=person_id, kind=kind, day=day, end_day=end_day if end_day != day else None,
                      starts_at=starts_at, ends_at=ends_at, reason=reason, status="pending", created_at=at,
                      asked_ids=json.dumps(list(asked_ids)))
        return (await self.session.execute(insert(LeaveRequest).values(**values).returning(LeaveRequest.id))).scalar_one()

    async def get(self, leave_id: int) -> LeaveRecord | None:
        row = await self.session.get(LeaveRequest, leave_id)
        return _record(row) if row else None

    async def decide(self, leave_id: int, status: str, by: int | None, at: dt.datetime, *,
                     refusal_reason: str | None = None) -> bool:
        """Only a pending request changes (approved, refused or expired); False when it was decided before."""
        result = await self.session.execute(
            update(LeaveRequest)
            .where(LeaveRequest.id == leave_id, LeaveRequest.status == "pending")
            .values(status=status, decided_by_id=by, decided_at=at, refusal_reason=refusal_reason)
        )
        self.session.expire_all()
        return result.rowcount == 1

    async def keep_replaced_modes(self, leave_id: int, modes: dict) -> None:
        """What an approval overwrote ({day: [mode, source, reason]}), for a cancellation to give back."""
        await self.session.execute(
            update(LeaveRequest).where(LeaveRequest.id == leave_id).values(replaced_modes=json.dumps(modes))
        )

    async def cancel(self, leave_id: int, was: str, at: dt.datetime) -> bool:
        """The person's own cancellation, only from the status they saw (pending or approved)."""
        result = await self.session.execute(
            update(LeaveRequest).where(LeaveRequest.id == leave_id, LeaveRequest.status == was)
            .values(status="cancelled", cancelled_at=at)
        )
        self.session.expire_all()
        return result.rowcount == 1

    async def open_of(self, person_id: int, since: dt.date) -> list[LeaveRecord]:
        """The person's pending requests, and approved ones from `since` on, by first day."""
        rows = await self.session.scalars(
            select(LeaveRequest).where(
                LeaveRequest.person_id == person_id,
                (LeaveRequest.status == "pending") | ((LeaveRequest.status == "approved") & (LeaveRequest.day >= since)),
            ).order_by(LeaveRequest.day, LeaveRequest.id)
        )
        return [_record(r) for r in rows]

    async def open_between(self, person_id: int, first: dt.date, last: dt.date) -> list[LeaveRecord]:
        """The person's pending or approved requests touching any day of first..last."""
        rows = await self.session.scalars(
            select(LeaveRequest)
            .where(LeaveRequest.person_id == person_id, LeaveRequest.status.in_(OPEN),
                   LeaveRequest.day <= last, _LAST_DAY >= first)
            .order_by(LeaveRequest.id)
        )
        return [_record(r) for r in rows]

    async def pending_of(self, person_ids: Sequence[int]) -> list[LeaveRecord]:
        """The people's requests nobody has decided yet, oldest first."""
        if not person_ids:
            return []
        rows = await self.session.scalars(
            select(LeaveRequest).where(LeaveRequest.person_id.in_(list(person_ids)), LeaveRequest.status == "pending")
            .order_by(LeaveRequest.id)
        )
        return [_record(r) for r in rows]

    async def pending_asking(self, person_id: int) -> list[LeaveRecord]:
        """Undecided requests this person was asked to decide (`asked_ids`, a JSON list as json.dumps
        writes it: "[3]", "[3, 12]"), oldest first."""
        asked = LeaveRequest.asked_ids
        n = str(int(person_id))
        rows = await self.session.scalars(
            select(LeaveRequest).where(
                LeaveRequest.status == "pending",
                or_(asked == f"[{n}]", asked.like(f"[{n},%"), asked.like(f"%, {n},%"), asked.like(f"%, {n}]")))
            .order_by(LeaveRequest.id)
        )
        return [_record(r) for r in rows]

    async def pending_ending_by(self, day: dt.date) -> list[LeaveRecord]:
        """Pending requests whose last day is `day` or earlier (candidates for expiry; few at any time)."""
        rows = await self.session.scalars(
            select(LeaveRequest).where(LeaveRequest.status == "pending", _LAST_DAY <= day).order_by(LeaveRequest.id)
        )
        return [_record(r) for r in rows]

    async def approved_windows(self, person_ids: Sequence[int], start: dt.datetime,
                               end: dt.datetime) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
        """person -> approved izin windows overlapping start..end: producers of flags excuse what falls inside."""
        found: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        ids = list(person_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(LeaveRequest.person_id, LeaveRequest.starts_at, LeaveRequest.ends_at)
            .where(ids_in(self.session, LeaveRequest.person_id, ids), LeaveRequest.status == "approved",
                   LeaveRequest.starts_at.is_not(None), LeaveRequest.starts_at <= end, LeaveRequest.ends_at >= start)
            .order_by(LeaveRequest.starts_at)
        )
        for pid, starts, ends in rows:
            found[pid].append((starts, ends))
        return dict(found)

    async def for_person(self, person_id: int) -> list[LeaveRecord]:
        rows = await self.session.scalars(
            select(LeaveRequest).where(LeaveRequest.person_id == person_id).order_by(LeaveRequest.id)
        )
        return [_record(r) for r in rows]
