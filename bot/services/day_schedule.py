"""One unit's day as its people live it: the hours (apel, deadline) its schedule sets, inherited and
overridden (Ramadan hours, a Friday deadline), and what the date is for it (a workday, a weekend, a
holiday, a closure, a WFH/WFO directive). What a turn and a single briefing judge a day by."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.schedule import DaySchedule
from bot.domain.unit_schedule import chain_of, resolve
from bot.domain.work_calendar import CalendarEntry, DayKind, WorkCalendar
from bot.domain.workday import DEFAULT_MODE, Mode
from bot.ports import UnitOfWork


@dataclass(frozen=True)
class UnitDate:
    hours: DaySchedule
    kind: DayKind

    @property
    def mode_without_roster(self) -> Mode:
        """A person's mode that day when nothing (roster, leave) set one: libur on a day off, the
        directive's mode when there is one, else WFO."""
        if not self.kind.workday:
            return Mode.HOLIDAY
        return self.kind.mode or DEFAULT_MODE


async def unit_date_of(uow: UnitOfWork, unit_id: int, day: dt.date) -> UnitDate:
    chain, layers = await uow.routine.chain_layers(unit_id)
    schedule = resolve(chain, layers, day)
    entries = [CalendarEntry(d, kind, name, scope) for d, kind, name, scope in await uow.routine.calendar_entries(day, day)]
    return UnitDate(schedule.day(day), WorkCalendar(entries, workdays=schedule.workdays).day_kind(day, chain))


async def day_schedule_of(uow: UnitOfWork, unit_id: int, day: dt.date) -> DaySchedule:
    chain, layers = await uow.routine.chain_layers(unit_id)
    return resolve(chain, layers, day).day(day)


async def unit_dates(uow: UnitOfWork, day: dt.date) -> dict[str, UnitDate]:
    """Every unit's `day` (its hours and what the date is for it), by unit name, in three reads."""
    units = await uow.org.stored_units()
    layers = await uow.routine.schedule_layers()
    entries = [CalendarEntry(d, kind, name, scope) for d, kind, name, scope in await uow.routine.calendar_entries(day, day)]
    calendars: dict[frozenset[int], WorkCalendar] = {}
    out = {}
    for name in units:
        chain = chain_of(name, units)
        schedule = resolve(chain, layers, day)
        calendar = calendars.setdefault(schedule.workdays, WorkCalendar(entries, workdays=schedule.workdays))
        out[name] = UnitDate(schedule.day(day), calendar.day_kind(day, chain))
    return out


async def modes_without_roster(uow: UnitOfWork, day: dt.date) -> dict[str, Mode]:
    """Per unit name, the mode of its people on `day` when nothing set one (see `UnitDate`): for a digest
    of any date, where the routine made no work days (a weekend, a holiday)."""
    return {name: unit_day.mode_without_roster for name, unit_day in (await unit_dates(uow, day)).items()}


async def modes_of_people(uow: UnitOfWork, day: dt.date, unit_of: dict[int, str]) -> dict[int, Mode]:
    """Person id -> their unit's mode without roster on `day`, for people who have no work day that date
    (a weekend, a holiday, a day the briefing has not reached yet); no reads when there are none."""
    if not unit_of:
        return {}
    unit_modes = await modes_without_roster(uow, day)
    return {pid: unit_modes[unit] for pid, unit in unit_of.items() if unit in unit_modes}
