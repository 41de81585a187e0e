"""Admins list and add days off and directives (CLI `apel calendar`, chat `/libur`)."""

from __future__ import annotations

import datetime as dt

from bot.domain.work_calendar import KINDS, CalendarEntry, national_holidays
from bot.ports import UnitOfWork
from bot.services.errors import ServiceError
from bot.services.org_directory import find_unit

MAX_NAME = 200


async def entries_between(uow: UnitOfWork, start: dt.date, end: dt.date) -> list[CalendarEntry]:
    """National holidays and cuti bersama, then the deployment's own entries, in date order."""
    national = [e for year in range(start.year, end.year + 1) for e in national_holidays(year) if start <= e.day <= end]
    own = [CalendarEntry(day, kind, name, scope) for day, kind, name, scope in await uow.routine.calendar_entries(start, end)]
    return sorted(national + own, key=lambda e: (e.day, e.scope or "", e.name))


async def add_entry(uow: UnitOfWork, *, day: dt.date, kind: str, name: str, unit: str | None, actor: str,
                    now: dt.datetime) -> CalendarEntry:
    if kind not in KINDS:
        raise ServiceError("calendar.bad_kind", kinds=", ".join(sorted(KINDS)))
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise ServiceError("calendar.bad_name", limit=MAX_NAME)
    unit_id, scope = None, None
    if unit:
        units = await uow.org.stored_units()
        scope = find_unit(units, unit)
        unit_id = units[scope].id
    await uow.routine.add_calendar_entry(day, kind, name, unit_id, now)
    await uow.audit.record(now, actor, "calendar_add", {"day": str(day), "kind": kind, "name": name, "unit": scope})
    return CalendarEntry(day, kind, name, scope)
