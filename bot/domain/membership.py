"""A person's place in the org chart over time (table `org_membership`), and which unit a day is counted with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Membership:
    """From `valid_from` until `valid_until` (None: still so) the person was in `unit_id`, active or not."""

    person_id: int
    unit_id: int
    active: bool
    valid_from: dt.datetime
    valid_until: dt.datetime | None = None


def unit_of_day(periods: Sequence[Membership], day: dt.date,
                deadline_of: Callable[[int, dt.date], dt.datetime]) -> int | None:
    """The unit whose day `day` was the person's, or None when it was not theirs (not yet added, or
    deactivated). `periods`: oldest first. A day is a unit's when the person had joined it by that unit's
    deadline that day: a move made after the new unit's deadline leaves the day with the old unit, as an
    addition made after the deadline leaves it out (the routine never asked it of them)."""
    for period in reversed(periods):
        if period.valid_from <= deadline_of(period.unit_id, day):
            return period.unit_id if period.active else None
    return None
