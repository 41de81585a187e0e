"""The times of a working day in a unit's own zone, and the dates that are workdays.

The routine reads each unit's own schedule (bot/domain/unit_schedule.py: inherited, with period overrides)
and passes it in, as the chat does (bot/services/day_schedule.py); `DEFAULT_SCHEDULE`, the default
argument, is the schedule of a unit that sets nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class DaySchedule:
    apel: dt.time = dt.time(7, 30)
    deadline: dt.time = dt.time(16, 0)
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0


DEFAULT_SCHEDULE = DaySchedule()


def local_date(moment: dt.datetime, timezone: str) -> dt.date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def local_time(day: dt.date, at: dt.time, timezone: str) -> dt.datetime:
    """The instant (aware, UTC) of `at` o'clock on `day` in `timezone`."""
    return dt.datetime.combine(day, at, tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def deadline_of(day: dt.date, timezone: str, schedule: DaySchedule = DEFAULT_SCHEDULE) -> dt.datetime:
    return local_time(day, schedule.deadline, timezone)


def is_workday(day: dt.date, schedule: DaySchedule = DEFAULT_SCHEDULE) -> bool:
    return day.weekday() in schedule.workdays


def next_workday(day: dt.date, schedule: DaySchedule = DEFAULT_SCHEDULE) -> dt.date:
    candidate = day + dt.timedelta(days=1)
    while not is_workday(candidate, schedule):
        candidate += dt.timedelta(days=1)
    return candidate


def in_working_hours(moment: dt.datetime, timezone: str, schedule: DaySchedule = DEFAULT_SCHEDULE) -> bool:
    day = local_date(moment, timezone)
    if not is_workday(day, schedule):
        return False
    return local_time(day, schedule.apel, timezone) <= moment < deadline_of(day, timezone, schedule)
