"""The routine's clock in SQL: schedule layers, calendar entries, delivery keys and the scheduler lease."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import bindparam, literal, or_, select, text, update
from sqlalchemy.orm import aliased
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.unit_schedule import FROM_THEN_ON, ScheduleLayer, from_json
from storage.conflict_insert import dialect_insert
from storage.routine_tables import CalendarEntryRow, Delivery, SchedulerLease, UnitScheduleRow
from storage.tables import OrgUnit
from storage.types import UtcDateTime


MAX_DEPTH = 30  # units above units: far more than any org chart has, and a stop should one ever loop



def _chain_layers():
    chain = (select(OrgUnit.id, OrgUnit.name, OrgUnit.parent_id, literal(0).label("depth"))
             .where(OrgUnit.id == bindparam("unit_id")).cte("unit_chain", recursive=True))
    parent = aliased(OrgUnit)
    chain = chain.union_all(
        select(parent.id, parent.name, parent.parent_id, chain.c.depth + 1)
        .where(parent.id == chain.c.parent_id, chain.c.depth < MAX_DEPTH))
    return (select(chain.c.name, UnitScheduleRow)
            .outerjoin(UnitScheduleRow, UnitScheduleRow.unit_id == chain.c.id)
            .order_by(chain.c.depth, UnitScheduleRow.id))


# Built once, with parameters: a chat turn that needs its unit's hours runs both, and building the CTE
# took longer than running it (BENCHMARKS.md, "Update ingest").
_CHAIN_LAYERS = _chain_layers()
_CALENDAR_ENTRIES = (
    select(CalendarEntryRow.day, CalendarEntryRow.kind, CalendarEntryRow.name, OrgUnit.name)
    .outerjoin(OrgUnit, OrgUnit.id == CalendarEntryRow.unit_id)
    .where(CalendarEntryRow.day >= bindparam("start"), CalendarEntryRow.day <= bindparam("end"))
    .order_by(CalendarEntryRow.day)
)


class SqlRoutineRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    def _insert(self, table):
        return dialect_insert(self.session)(table)

    async def schedule_layers(self) -> list[ScheduleLayer]:
        rows = await self.session.execute(
            select(UnitScheduleRow, OrgUnit.name).join(OrgUnit, OrgUnit.id == UnitScheduleRow.unit_id)
        )
        return [
            ScheduleLayer(name, from_json(json.loads(row.values)), row.valid_from, row.valid_to)
            for row, name in rows
        ]

    async def chain_layers(self, unit_id: int) -> tuple[list[str], list[ScheduleLayer]]:
        """A unit and its ancestors (nearest first), and the schedule layers any of them sets: what
        `resolve` needs for one unit, in one statement, without reading a province's every unit."""
        rows = (await self.session.execute(_CHAIN_LAYERS, {"unit_id": unit_id})).all()
        names = list(dict.fromkeys(name for name, _ in rows))
        layers = [ScheduleLayer(name, from_json(json.loads(row.values)), row.valid_from, row.valid_to)
                  for name, row in rows if row is not None]
        return names, layers

    async def set_schedule(
        self, unit_id: int, values: dict, valid_from: dt.date | None, valid_to: dt.date | None, at: dt.datetime
    ) -> None:
        """Merge `values` (field -> stored text) into the unit's layer for that period."""
        row = (
            await self.session.execute(
                select(UnitScheduleRow).where(
                    UnitScheduleRow.unit_id == unit_id,
                    UnitScheduleRow.valid_from.is_(None) if valid_from is None else UnitScheduleRow.valid_from == valid_from,
                    UnitScheduleRow.valid_to.is_(None) if valid_to is None else UnitScheduleRow.valid_to == valid_to,
                )
            )
        ).scalar_one_or_none()
        if row is None:
            row = UnitScheduleRow(unit_id=unit_id, valid_from=valid_from, valid_to=valid_to, values="{}", updated_at=at)
            self.session.add(row)
        merged = json.loads(row.values) | values
        row.values, row.updated_at = json.dumps(merged, ensure_ascii=False, sort_keys=True), at
        await self.session.flush()

    async def drop_from_dated_changes(self, unit_id: int, field: str, today: dt.date) -> None:
        """Removes `field` from the unit's changes "from that day on" already in force (a layer left empty goes)."""
        rows = (await self.session.execute(select(UnitScheduleRow).where(
            UnitScheduleRow.unit_id == unit_id, UnitScheduleRow.valid_to == FROM_THEN_ON,
            UnitScheduleRow.valid_from <= today))).scalars().all()
        for row in rows:
            values = json.loads(row.values)
            if values.pop(field, None) is None:
                continue
            if values:
                row.values = json.dumps(values, ensure_ascii=False, sort_keys=True)
            else:
                await self.session.delete(row)
        await self.session.flush()

    async def calendar_entries(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, str, str, str | None]]:
        """(day, kind, name, unit name or None) between two dates."""
        rows = await self.session.execute(_CALENDAR_ENTRIES, {"start": start, "end": end})
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    async def add_calendar_entry(self, day: dt.date, kind: str, name: str, unit_id: int | None, at: dt.datetime) -> None:
        self.session.add(CalendarEntryRow(day=day, kind=kind, name=name, unit_id=unit_id, created_at=at))
        await self.session.flush()

    async def put_calendar_entry(self, day: dt.date, kind: str, name: str, unit_id: int | None,
                                 at: dt.datetime) -> tuple[str, str | None]:
        """One entry per (day, kind, unit): ("added", None), ("renamed", old name) or ("unchanged", name)."""
        row = (
            await self.session.execute(
                select(CalendarEntryRow).where(
                    CalendarEntryRow.day == day, CalendarEntryRow.kind == kind,
                    CalendarEntryRow.unit_id.is_(None) if unit_id is None else CalendarEntryRow.unit_id == unit_id,
                ).order_by(CalendarEntryRow.id).limit(1)
            )
        ).scalar_one_or_none()
        if row is None:
            await self.add_calendar_entry(day, kind, name, unit_id, at)
            return "added", None
        if row.name == name:
            return "unchanged", name
        old, row.name = row.name, name
        await self.session.flush()
        return "renamed", old

    async def claim(self, key: str, person_id: int, kind: str, day: dt.date, at: dt.datetime) -> bool:
        """True for the one caller that records this delivery key; every later caller gets False."""
        stmt = self._insert(Delivery).values(key=key, person_id=person_id, kind=kind, day=day, created_at=at)
        return (await self.session.execute(stmt.on_conflict_do_nothing())).rowcount == 1

    async def claim_many(self, items: list[tuple[str, int, str, dt.date]], at: dt.datetime) -> set[str]:
        """Record many delivery keys (key, person, kind, day) in one statement; returns the keys this call
        recorded (the others were recorded before). The rows travel as one parameter (PostgreSQL arrays,
        SQLite a JSON list), so a province's reminders cost one statement, like one team's."""
        if not items:
            return set()
        at_param = bindparam("at", at, type_=UtcDateTime())
        if self.session.bind.dialect.name == "postgresql":
            statement = text(
                "INSERT INTO delivery (key, person_id, kind, day, created_at) "
                "SELECT k, p, kd, d, :at FROM unnest(CAST(:keys AS text[]), CAST(:pids AS integer[]), "
                "CAST(:kinds AS text[]), CAST(:days AS date[])) AS t(k, p, kd, d) "
                "ON CONFLICT (key) DO NOTHING RETURNING key"
            ).bindparams(at_param)
            params = {"keys": [i[0] for i in items], "pids": [i[1] for i in items], "kinds": [i[2] for i in items],
                      "days": [i[3] for i in items]}
        else:
            statement = text(
                "INSERT INTO delivery (key, person_id, kind, day, created_at) "
                "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), "
                "json_extract(value, '$[3]'), :at FROM json_each(:rows) WHERE true "
                "ON CONFLICT (key) DO NOTHING RETURNING key"
            ).bindparams(at_param)
            params = {"rows": json.dumps([[k, p, kind, day.isoformat()] for k, p, kind, day in items])}
        return set((await self.session.execute(statement, params)).scalars())

    async def claimed(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        rows = await self.session.execute(select(Delivery.key).where(Delivery.key.in_(keys)))
        return set(rows.scalars())

    async def take_lease(self, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
        """Hold (or renew) the lease; False while another holder's lease has not expired."""
        await self.session.execute(
            self._insert(SchedulerLease).values(name=name, holder=holder, expires_at=now + ttl).on_conflict_do_nothing()
        )
        result = await self.session.execute(
            update(SchedulerLease)
            .where(
                SchedulerLease.name == name,
                or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now),
            )
            .values(holder=holder, expires_at=now + ttl)
        )
        return result.rowcount == 1

    async def drop_lease(self, name: str, holder: str) -> None:
        await self.session.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
            .values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        )
