"""Presence in SQL: homes waiting for approval, office geofences, the day's fixes, approved permissions
to leave home, and the daily presence summary. Every read for a digest or a routine step takes any
number of people in one statement."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.coverage import Fix
from bot.presence_records import HomeRecord, OfficeRecord, SummaryRecord
from storage.conflict_insert import dialect_insert
from storage.day_repository import ids_in
from storage.day_tables import LocationFix
from storage.presence_tables import PresenceSummary
from storage.tables import OrgUnit, Person

_HOME = (Person.id, Person.home_lat, Person.home_lon, Person.home_radius_m, Person.home_pending_lat,
         Person.home_pending_lon, Person.home_pending_at)
_SUMMARY = ("mode", "expected_minutes", "covered_minutes", "coverage_pct", "first_fix_at", "last_fix_at", "fixes",
            "gaps", "stopped_early", "checkin_at")
_READ = (*_SUMMARY, "computed_at")


class SqlPresenceRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def home(self, person_id: int) -> HomeRecord | None:
        row = (await self.session.execute(select(*_HOME).where(Person.id == person_id))).first()
        return HomeRecord(*row) if row else None

    async def homes(self, person_ids: Sequence[int]) -> dict[int, HomeRecord]:
        ids = list(person_ids)
        if not ids:
            return {}
        rows = await self.session.execute(select(*_HOME).where(ids_in(self.session, Person.id, ids)))
        return {r[0]: HomeRecord(*r) for r in rows}

    async def approve_home(self, person_id: int, pending_at: dt.datetime, by: int, at: dt.datetime) -> bool:
        """Copy the waiting point into the home in force, if it is still the one the button showed."""
        result = await self.session.execute(
            update(Person)
            .where(Person.id == person_id, Person.home_pending_at == pending_at, Person.home_pending_lat.is_not(None))
            .values(home_lat=Person.home_pending_lat, home_lon=Person.home_pending_lon, home_approved_at=at,
                    home_approved_by_id=by, home_pending_lat=None, home_pending_lon=None, home_pending_at=None)
        )
        return result.rowcount == 1

    async def refuse_home(self, person_id: int, pending_at: dt.datetime) -> bool:
        result = await self.session.execute(
            update(Person)
            .where(Person.id == person_id, Person.home_pending_at == pending_at)
            .values(home_pending_lat=None, home_pending_lon=None, home_pending_at=None)
        )
        return result.rowcount == 1

    async def admins(self) -> list[int]:
        rows = await self.session.execute(select(Person.id).where(Person.role == "admin", Person.active))
        return list(rows.scalars())

    async def offices(self, unit_ids: Sequence[int] | None = None) -> dict[int, OfficeRecord]:
        query = select(OrgUnit.id, OrgUnit.name, OrgUnit.office_lat, OrgUnit.office_lon, OrgUnit.office_radius_m)
        if unit_ids is not None:
            query = query.where(OrgUnit.id.in_(list(unit_ids)))
        return {r[0]: OfficeRecord(*r) for r in await self.session.execute(query.order_by(OrgUnit.name))}

    async def set_office(self, unit: str, lat: float | None, lon: float | None, radius_m: int | None,
                         at: dt.datetime) -> bool:
        result = await self.session.execute(
            update(OrgUnit).where(OrgUnit.name == unit)
            .values(office_lat=lat, office_lon=lon, office_radius_m=radius_m, updated_at=at)
        )
        return result.rowcount == 1

    async def fixes_for(self, person_ids: Sequence[int], day: dt.date) -> dict[int, list[Fix]]:
        ids = list(person_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(LocationFix.person_id, LocationFix.at, LocationFix.lat, LocationFix.lon, LocationFix.accuracy_m,
                   LocationFix.live_key, LocationFix.live_until)
            .where(ids_in(self.session, LocationFix.person_id, ids), LocationFix.day == day)
            .order_by(LocationFix.at, LocationFix.id)
        )
        out: dict[int, list[Fix]] = defaultdict(list)
        for r in rows:
            out[r[0]].append(Fix(*r[1:]))
        return dict(out)

    async def summaries_for(self, person_ids: Sequence[int], day: dt.date) -> dict[int, SummaryRecord]:
        ids = list(person_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(PresenceSummary.person_id, *(getattr(PresenceSummary, c) for c in _READ))
            .where(ids_in(self.session, PresenceSummary.person_id, ids), PresenceSummary.day == day)
        )
        out = {}
        for r in rows:
            values = dict(zip(_READ, r[1:]))
            values["gaps"] = json.loads(values["gaps"] or "[]")
            out[r[0]] = SummaryRecord(r[0], day, **values)
        return out

    async def save_summaries(self, summaries: Sequence[SummaryRecord], at: dt.datetime) -> None:
        """Insert or replace (person, day): computing a day again stores the same row, not a second one."""
        if not summaries:
            return
        insert = dialect_insert(self.session)
        rows = []
        for s in summaries:
            row = {c: getattr(s, c) for c in _SUMMARY}
            row.update(person_id=s.person_id, day=s.day, gaps=json.dumps(s.gaps), computed_at=at)
            rows.append(row)
        for start in range(0, len(rows), 1000):  # 13 parameters a row: far below both engines' limits
            statement = insert(PresenceSummary).values(rows[start:start + 1000])
            statement = statement.on_conflict_do_update(
                index_elements=["person_id", "day"],
                set_={c: statement.excluded[c] for c in (*_SUMMARY, "computed_at")},
            )
            await self.session.execute(statement)
