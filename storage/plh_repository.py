"""Acting officials (Plh) in SQL (`plh_designation`): who stands in for whom, from which day to which."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports import PlhRecord
from storage.tables import Person, PlhDesignation

D = PlhDesignation


class SqlPlhRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, official_id: int, plh_id: int, first: dt.date, last: dt.date, at: dt.datetime) -> None:
        await self.session.execute(insert(D).values(official_id=official_id, plh_id=plh_id, first_day=first,
                                                    last_day=last, created_at=at))

    async def overlapping(self, official_id: int, first: dt.date, last: dt.date) -> list[PlhRecord]:
        return [r for r in await self.listing(first) if r.official_id == official_id and r.first_day <= last]

    async def cut_from(self, official_id: int, day: dt.date) -> int:
        """End the official's designations before `day`: later ones go, one running on `day` ends the day
        before. How many were touched."""
        gone = await self.session.execute(delete(D).where(D.official_id == official_id, D.first_day >= day))
        cut = await self.session.execute(update(D).where(D.official_id == official_id, D.first_day < day,
                                                         D.last_day >= day).values(last_day=day - dt.timedelta(days=1)))
        return gone.rowcount + cut.rowcount

    async def listing(self, since: dt.date) -> list[PlhRecord]:
        """Every designation not over before `since`, by start."""
        official, plh = aliased(Person), aliased(Person)
        rows = await self.session.execute(
            select(D.official_id, official.nip, official.name, D.plh_id, plh.nip, plh.name, D.first_day, D.last_day)
            .join(official, official.id == D.official_id).join(plh, plh.id == D.plh_id)
            .where(D.last_day >= since).order_by(D.first_day, official.name, D.id))
        return [PlhRecord(*row) for row in rows]

    async def acting(self, official_ids: Iterable[int], days: Iterable[dt.date]) -> dict[tuple[int, dt.date], int]:
        """(official, day) -> their Plh, for those of `official_ids` with one on any of `days`."""
        ids, days = sorted(set(official_ids)), sorted(set(days))
        if not ids or not days:
            return {}
        rows = await self.session.execute(select(D.official_id, D.plh_id, D.first_day, D.last_day).where(
            D.official_id.in_(ids), D.first_day <= days[-1], D.last_day >= days[0]))
        found = {}
        for official_id, plh_id, first, last in rows:
            found.update({(official_id, d): plh_id for d in days if first <= d <= last})
        return found

    async def officials_of(self, plh_id: int, day: dt.date) -> set[int]:
        """Whom `plh_id` stands in for on `day`."""
        rows = await self.session.execute(select(D.official_id).where(D.plh_id == plh_id, D.first_day <= day,
                                                                      D.last_day >= day))
        return set(rows.scalars())
