"""Who was below a supervisor on each day of a period, with the supervision chain as it stood that day
(`org_membership`), not as it stands now: a supervisor's month export (`/ekspor`) holds each person's days
under them, and only those."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence, Set

from bot.domain.membership import Membership, supervisor_of_day


def team_days(head: int, today: Mapping[int, int | None], history: Mapping[int, Sequence[Membership]],
              days: Sequence[dt.date], deadline_of: Callable[[int, dt.date], dt.datetime]
              ) -> dict[int, Set[dt.date]]:
    """person id -> the `days` on which `head` was their supervisor, or their supervisor's supervisor… that day.
    `today`: everyone's supervisor now (taken where nothing was recorded); `history`: their memberships over
    the days, oldest first. Most people keep one supervisor all month: the chart is walked once per distinct
    set of day-to-day differences (usually a handful) for the people below someone who changed supervisor
    only, never once per person and day."""
    usual = dict(today)
    differs: dict[dt.date, dict[int, int | None]] = defaultdict(dict)
    for person, periods in history.items():
        if len(periods) == 1:
            period = periods[0]
            usual[person] = period.supervisor_id if period.supervisor_known else today.get(person)
            continue
        of_day = {day: supervisor_of_day(periods, day, deadline_of, today.get(person)) for day in days}
        usual[person] = of_day[days[-1]]
        for day, boss in of_day.items():
            if boss != usual[person]:
                differs[day][person] = boss
    reports: dict[int, list[int]] = defaultdict(list)
    for person, boss in usual.items():
        if boss is not None:
            reports[boss].append(person)
    # Only the people whose chain passes through someone who changed supervisor can differ from the usual
    # chart on some day: everyone else below the head is below them every day.
    changed = {person for moved in differs.values() for person in moved}
    affected = _under(changed, reports) | changed
    every_day = frozenset(days)
    found: dict[int, Set[dt.date]] = {
        person: every_day for person in _under({head}, reports) - affected - {head}}
    days_by_state: dict[frozenset, list[dt.date]] = defaultdict(list)
    for day in days:
        days_by_state[frozenset(differs.get(day, {}).items())].append(day)
    for state, state_days in days_by_state.items():
        moved = dict(state)
        for person in affected:
            if _reaches(person, head, usual, moved):
                found.setdefault(person, set()).update(state_days)
    return found


def _under(tops: set[int], reports: dict[int, list[int]]) -> set[int]:
    """Everyone below any of `tops` in the usual chart."""
    seen: set[int] = set()
    stack = list(tops)
    while stack:
        for person in reports.get(stack.pop(), ()):
            if person not in seen:
                seen.add(person)
                stack.append(person)
    return seen


def _reaches(person: int, head: int, usual: Mapping[int, int | None], moved: Mapping[int, int | None]) -> bool:
    """Whether `head` is above `person` when the usual links hold except for `moved` (person -> that day's)."""
    seen = {person}
    boss = moved[person] if person in moved else usual.get(person)
    while boss is not None and boss not in seen:  # a cycle (the import refuses them) is cut
        if boss == head:
            return True
        seen.add(boss)
        boss = moved[boss] if boss in moved else usual.get(boss)
    return False
