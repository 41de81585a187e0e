"""A person's place in the org chart over time (table `org_membership`): which unit a day is counted with,
and who their supervisor was that day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Membership:
    """From `valid_from` until `valid_until` (None: still so) the person was in `unit_id`, active or not, under
    `supervisor_id` (None: at the top of a chain) — when `supervisor_known`: rows closed before supervisors
    were recorded, and people without recorded memberships, say nothing of it."""

    person_id: int
    unit_id: int
    active: bool
    valid_from: dt.datetime
    valid_until: dt.datetime | None = None
    supervisor_id: int | None = None
    supervisor_known: bool = False


def period_of_day(periods: Sequence[Membership], day: dt.date,
                  deadline_of: Callable[[int, dt.date], dt.datetime]) -> Membership | None:
    """The membership in force on `day` (active or not), or None before the person was added. `periods`:
    oldest first. A day is a membership's when the person had joined it by its unit's deadline that day: a
    move made after the new unit's deadline leaves the day with the old one, as an addition made after the
    deadline leaves it out (the routine never asked it of them)."""
    for period in reversed(periods):
        if period.valid_from <= deadline_of(period.unit_id, day):
            return period
    return None


def unit_of_day(periods: Sequence[Membership], day: dt.date,
                deadline_of: Callable[[int, dt.date], dt.datetime]) -> int | None:
    """The unit whose day `day` was the person's, or None when it was not theirs (not yet added, or
    deactivated)."""
    period = period_of_day(periods, day, deadline_of)
    return period.unit_id if period is not None and period.active else None


def supervisor_of_day(periods: Sequence[Membership], day: dt.date,
                      deadline_of: Callable[[int, dt.date], dt.datetime], today: int | None) -> int | None:
    """Who the person reported to on `day`, as recorded; `today` (their supervisor now) where nothing was
    recorded for that day (a row older than the record of supervisors, or none in force)."""
    period = period_of_day(periods, day, deadline_of)
    return period.supervisor_id if period is not None and period.supervisor_known else today
