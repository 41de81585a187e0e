"""The days and times of a leave request as the person's unit sees them: which days of a range are
workdays (only those get a leave mode), when a request's period is over, and how it is written."""

from __future__ import annotations

import datetime as dt

from bot.day_records import LeaveRecord
from bot.domain.schedule import local_time
from bot.domain.unit_schedule import resolve
from bot.domain.work_calendar import CalendarEntry, WorkCalendar
from bot.domain.workday import LeaveKind
from bot.ports import UnitOfWork
from bot.services.routine import chain_of
from bot.texts import format_clock, format_date

SEARCH_DAYS = 60  # "the next n workdays" looks this far
LATE_DECISION_DAYS = 7  # a leave request can still be decided this many days after its last day


async def unit_workdays(uow: UnitOfWork, unit: str, first: dt.date, last: dt.date) -> list[dt.date]:
    """The unit's workdays from first to last (its schedule's weekdays, minus holidays and closures)."""
    units = await uow.org.stored_units()
    if unit not in units:
        return []
    chain = chain_of(unit, units)
    layers = await uow.routine.schedule_layers()
    rows = await uow.routine.calendar_entries(first, last)
    entries = [CalendarEntry(day, kind, name, scope) for day, kind, name, scope in rows]
    calendars: dict[frozenset[int], WorkCalendar] = {}
    found, day = [], first
    while day <= last:
        workdays = resolve(chain, layers, day).workdays
        calendar = calendars.setdefault(workdays, WorkCalendar(entries, workdays=workdays))
        if calendar.is_workday(day, chain):
            found.append(day)
        day += dt.timedelta(days=1)
    return found


async def next_workdays(uow: UnitOfWork, unit: str, start: dt.date, count: int) -> list[dt.date]:
    """The first `count` workdays of the unit from `start` on (start included when it is one)."""
    days = await unit_workdays(uow, unit, start, start + dt.timedelta(days=SEARCH_DAYS))
    return days[:count]


async def workday_count(uow: UnitOfWork, unit: str | None, request: LeaveRecord) -> int | None:
    """How many of a range's days are the unit's workdays (what a cuti uses up); None for one day or a window."""
    if request.last_day == request.day or unit is None:
        return None
    return len(await unit_workdays(uow, unit, request.day, request.last_day))


def period_over_at(request: LeaveRecord, timezone: str) -> dt.datetime:
    """When nobody can usefully decide any more: the end of the izin's window; for cuti, sakit and DL the end
    of the `LATE_DECISION_DAYS`th day after the last one. A superior often sees a morning's sick leave only
    the next day, and the person cannot ask for a past day: expiring it with the day would leave a sick day
    counted as "Tidak melapor" in the month's export."""
    if request.ends_at is not None:
        return request.ends_at
    return local_time(request.last_day + dt.timedelta(days=1 + LATE_DECISION_DAYS), dt.time(0, 0), timezone)


def period_text(request: LeaveRecord, t, timezone: str, workdays: int | None = None) -> str:
    """'Senin, 23 November 2026, 09.00–10.30 WIB' or a range of days, in the requester's zone. A range counts
    its workdays (`workday_count`; a weekend inside a cuti is not leave), else its calendar days."""
    if request.kind == LeaveKind.OUTING.value and request.starts_at and request.ends_at:
        start = format_clock(request.starts_at, timezone).split(" ")[0]
        return t("permit.period_window", date=format_date(request.day, t.lang), start=start,
                 end=format_clock(request.ends_at, timezone))
    if request.last_day == request.day:
        return format_date(request.day, t.lang)
    first, last = format_date(request.day, t.lang), format_date(request.last_day, t.lang)
    if workdays is None:
        return t("permit.period_days", first=first, last=last, count=(request.last_day - request.day).days + 1)
    if workdays == 0:
        return t("permit.period_no_workdays", first=first, last=last)
    return t("permit.period_workdays", first=first, last=last, count=workdays)
