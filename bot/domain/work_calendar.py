"""The Indonesian work calendar: which dates are workdays for a unit, and whether a directive forces
everyone's mode that day.

Sources of a day's status:
- the weekday: a workday only if its weekday is in `workdays` (Monday = 0; default Monday–Friday);
- the national calendar from the `holidays` package (`national=True`): public holidays (category
  PUBLIC, e.g. "Hari Raya Natal") and the government's *cuti bersama* for ASN (category GOVERNMENT,
  e.g. "Cuti Bersama Hari Raya Natal"); names in Indonesian, cached per year;
- the deployment's own `CalendarEntry` rows: "holiday" (a local day off), "office_closed" (no work,
  e.g. a flood or a power cut), "all_wfh" / "all_wfo" (a directive: everyone works from home / from
  the office). An entry with `scope=None` applies to everyone; otherwise to the unit of that name and
  every unit below it (the caller passes the unit's chain: the unit and its ancestors, nearest first).

Precedence, first match wins:
1. office_closed (any entry in scope)                  -> no work, status "office_closed";
2. holiday: national public holiday, then cuti bersama,
   then "holiday" entries (nearest scope first)        -> no work, status "holiday";
3. a weekday outside `workdays`                        -> no work, status "weekend";
4. directive ("all_wfh"/"all_wfo"): the nearest scope wins (the unit's own over its parents' over
   everyone's); at the same scope "all_wfh" wins (a WFH order is the emergency measure)
                                                       -> workday with `mode` forced;
5. otherwise an ordinary workday (`mode` None: the roster decides).
So entries can only add days off or directives: no entry turns a national holiday or a weekend into a
workday, and a directive never applies on a day without work."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import holidays

from bot.domain.workday import Mode

HOLIDAY = "holiday"
OFFICE_CLOSED = "office_closed"
ALL_WFH = "all_wfh"
ALL_WFO = "all_wfo"
KINDS = frozenset({HOLIDAY, OFFICE_CLOSED, ALL_WFH, ALL_WFO})
DIRECTIVE_MODE = {ALL_WFH: Mode.WFH, ALL_WFO: Mode.WFO}

# Statuses of a day, as `DayKind.status` reports them.
WORKDAY = "workday"
WEEKEND = "weekend"

MONDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4})
# The package knows Indonesia from 1946; earlier years simply have no national holidays here.
_FIRST_YEAR = 1946
# `next_workday` gives up after this many days: only a calendar without any workday gets that far.
_SEARCH_LIMIT = 3660


@dataclass(frozen=True)
class CalendarEntry:
    day: dt.date
    kind: str  # one of KINDS
    name: str  # shown to people: "Hari Raya Natal", "Banjir: kantor ditutup"
    scope: str | None = None  # None: everyone; else a unit name (that unit and the units below it)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown calendar entry kind {self.kind!r}; expected one of {sorted(KINDS)}")


@dataclass(frozen=True)
class DayKind:
    """What a date is for one unit."""

    day: dt.date
    workday: bool
    status: str  # "workday" | "weekend" | "holiday" | "office_closed"
    mode: Mode | None = None  # Mode.WFH / Mode.WFO when a directive forces everyone (workdays only)
    reason: str | None = None  # the name of the holiday, closure or directive that decided


@lru_cache(maxsize=64)
def _national_year(year: int) -> tuple[CalendarEntry, ...]:
    """Public holidays first, then cuti bersama; each group in date order. Cached: the package
    computes lunar and Islamic dates, and every briefing asks about today."""
    if year < _FIRST_YEAR:
        return ()
    out: list[CalendarEntry] = []
    # Asked per category so that we know which dates are cuti bersama (GOVERNMENT) and which are
    # public holidays; the names are the same either way. language="id": the process locale would
    # otherwise pick the language.
    for category in (holidays.PUBLIC, holidays.GOVERNMENT):
        found = holidays.country_holidays("ID", years=year, categories=(category,), language="id")
        out.extend(CalendarEntry(day, HOLIDAY, name, None) for day, name in sorted(found.items()))
    return tuple(out)


def national_holidays(year: int) -> list[CalendarEntry]:
    """Indonesia's public holidays and cuti bersama of `year`, in date order (kind "holiday",
    scope None). A date with both keeps both entries, the public holiday first."""
    return sorted(_national_year(year), key=lambda e: e.day)


class WorkCalendar:
    """The calendar of a deployment: national days plus its own entries. See the module docstring
    for the precedence of closures, holidays, weekends and directives."""

    def __init__(
        self,
        entries: Iterable[CalendarEntry] = (),
        *,
        workdays: frozenset[int] = MONDAY_TO_FRIDAY,
        national: bool = True,
    ):
        workdays = frozenset(workdays)
        if not workdays or not workdays <= set(range(7)):
            raise ValueError(f"workdays must be a non-empty set of weekday numbers 0-6, got {sorted(workdays)}")
        self.workdays = workdays
        self.national = national
        self._by_day: dict[dt.date, list[CalendarEntry]] = defaultdict(list)
        for entry in entries:
            self._by_day[entry.day].append(entry)

    def national_holidays(self, year: int) -> list[CalendarEntry]:
        return national_holidays(year) if self.national else []

    def _national_on(self, day: dt.date) -> list[CalendarEntry]:
        if not self.national:
            return []
        return [e for e in _national_year(day.year) if e.day == day]

    def _scoped(self, day: dt.date, kinds: Iterable[str], chain: Sequence[str]) -> list[tuple[int, CalendarEntry]]:
        """Entries of `kinds` in force for the unit: (distance, entry), nearest scope first.
        Distance: index in the chain; an entry for everyone is the farthest."""
        rank = {unit: i for i, unit in reversed(list(enumerate(chain)))}
        found = []
        for entry in self._by_day.get(day, ()):
            if entry.kind not in kinds:
                continue
            if entry.scope is None:
                found.append((len(chain), entry))
            elif entry.scope in rank:
                found.append((rank[entry.scope], entry))
        found.sort(key=lambda pair: pair[0])  # stable: equal distances keep the order they were given
        return found

    def day_kind(self, day: dt.date, unit_chain: Sequence[str] = ()) -> DayKind:
        """The status of `day` for the unit whose chain (the unit, then its ancestors) is given."""
        closed = self._scoped(day, (OFFICE_CLOSED,), unit_chain)
        if closed:
            return DayKind(day, False, OFFICE_CLOSED, None, closed[0][1].name)
        off = self._national_on(day) + [entry for _, entry in self._scoped(day, (HOLIDAY,), unit_chain)]
        if off:
            return DayKind(day, False, HOLIDAY, None, off[0].name)
        if day.weekday() not in self.workdays:
            return DayKind(day, False, WEEKEND)
        directives = self._scoped(day, (ALL_WFH, ALL_WFO), unit_chain)
        if directives:
            nearest = directives[0][0]
            same_scope = [entry for distance, entry in directives if distance == nearest]
            chosen = next((e for e in same_scope if e.kind == ALL_WFH), same_scope[0])
            return DayKind(day, True, WORKDAY, DIRECTIVE_MODE[chosen.kind], chosen.name)
        return DayKind(day, True, WORKDAY)

    def is_workday(self, day: dt.date, unit_chain: Sequence[str] = ()) -> bool:
        return self.day_kind(day, unit_chain).workday

    def next_workday(self, day: dt.date, unit_chain: Sequence[str] = ()) -> dt.date:
        """The first workday for the unit strictly after `day`."""
        candidate = day
        for _ in range(_SEARCH_LIMIT):
            candidate += dt.timedelta(days=1)
            if self.is_workday(candidate, unit_chain):
                return candidate
        raise ValueError(f"no workday within {_SEARCH_LIMIT} days after {day}")

    def workdays_between(self, start: dt.date, end: dt.date, unit_chain: Sequence[str] = ()) -> list[dt.date]:
        """The unit's workdays from `start` to `end`, both included: the `days` of a roster period."""
        out, day = [], start
        while day <= end:
            if self.is_workday(day, unit_chain):
                out.append(day)
            day += dt.timedelta(days=1)
        return out
