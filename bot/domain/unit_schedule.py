"""Per-unit schedules: each unit may set some fields; the rest are inherited from its parent units,
then from the defaults. A date-range override (Ramadan hours) may set fields for a period.

Precedence for a field on a date, first that sets it wins: the overrides in force that day, nearest
unit first; then the units' own settings, nearest first; then `DEFAULTS`. So a Ramadan override set
for the whole office beats a section's usual apel time, as offices expect."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields, replace

from bot.domain.schedule import DaySchedule

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Schedule:
    """Everything the routine needs to know about a unit's days, in the unit's own zone."""

    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    apel: dt.time = dt.time(7, 30)
    deadline: dt.time = dt.time(16, 0)
    deadline_by_weekday: dict[int, dt.time] = field(default_factory=dict)  # e.g. {4: 16:30} on Fridays
    reminder_offsets_min: tuple[int, ...] = (60, 15)
    escalation_delay_min: int = 30
    review_window_min: int = 60
    digest_times: tuple[dt.time, ...] = (dt.time(16, 30), dt.time(17, 0), dt.time(17, 30))  # by level, nearest first
    presence_checks_per_day: int = 0
    presence_answer_min: int = 15
    presence_selfie: bool = False  # a presence check asks for a selfie too
    piket_min: int = 1  # people on office duty per day (rotation)
    wfh_share_pct: int = 50  # a non-service unit's target share of people at home (rotation)
    coverage_min_pct: int = 80  # WFH: below this share of working hours proven at home, a flag (0: never)

    def day(self, day: dt.date) -> DaySchedule:
        return DaySchedule(
            apel=self.apel,
            deadline=self.deadline_by_weekday.get(day.weekday(), self.deadline),
            workdays=self.workdays,
        )

    def digest_time(self, level: int) -> dt.time:
        """Level 1: the supervisors nearest the staff (section heads); higher levels digest later."""
        index = min(max(level, 1), len(self.digest_times)) - 1
        return self.digest_times[index]


DEFAULTS = Schedule()
FIELDS = tuple(f.name for f in fields(Schedule))


@dataclass(frozen=True)
class ScheduleLayer:
    """What one unit (or one override) sets: field name -> value; absent fields are inherited."""

    unit: str
    values: dict
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    @property
    def is_override(self) -> bool:
        """A period's values (Ramadan hours), which win over the units' own while the period lasts."""
        return self.valid_from is not None and not self.from_then_on

    @property
    def from_then_on(self) -> bool:
        """A change of the unit's own value dated ahead ("apel 07.15 from next Monday"): from its first day it is
        the unit's value, as if set that day; a change made later without a date replaces it (`set_field`)."""
        return self.valid_to == FROM_THEN_ON

    def in_force(self, day: dt.date) -> bool:
        if self.valid_from is None:
            return True
        return self.valid_from <= day <= (self.valid_to or self.valid_from)

    def precedence(self, rank: dict[str, int]) -> tuple[int, int, int]:
        """Sort key, first wins: period overrides, then the nearest unit; within a unit its latest dated change
        in force before its undated value."""
        return (0 if self.is_override else 1, rank[self.unit],
                -self.valid_from.toordinal() if self.from_then_on else 1)


# The stored end of a change "from that day on": no period, the last date the databases keep.
FROM_THEN_ON = dt.date.max


def chain_of(unit: str, units: dict) -> list[str]:
    """The unit and its ancestors, nearest first (`units`: name -> a stored unit with `.parent`)."""
    chain, node = [], unit
    while node is not None and node not in chain:
        chain.append(node)
        node = units[node].parent if node in units else None
    return chain


def resolve(chain: list[str], layers: list[ScheduleLayer], day: dt.date) -> Schedule:
    """`chain`: the unit and its ancestors, nearest first."""
    rank = {unit: i for i, unit in enumerate(chain)}
    relevant = [layer for layer in layers if layer.unit in rank and layer.in_force(day)]
    relevant.sort(key=lambda layer: layer.precedence(rank))
    chosen: dict = {}
    by_override: set[str] = set()  # the fields a period override in force decides
    for layer in relevant:
        for name, value in layer.values.items():
            if name not in chosen:
                chosen[name] = value
                if layer.is_override:
                    by_override.add(name)
    # A period's deadline (Ramadan hours) is every day's deadline in that period, Fridays included: the usual
    # weekday deadlines (fri=16.30) give way to it, unless the period sets weekday deadlines of its own.
    if "deadline" in by_override and "deadline_by_weekday" not in by_override:
        chosen.pop("deadline_by_weekday", None)
    return replace(DEFAULTS, **{k: v for k, v in chosen.items() if k in FIELDS})


class ScheduleValueError(ValueError):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _time(text: str) -> dt.time:
    cleaned = text.strip().replace(".", ":")
    try:
        hours, minutes = cleaned.split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ScheduleValueError("schedule.bad_time", value=text) from None


def _minutes_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(sorted({int(part) for part in text.replace(" ", "").split(",") if part}, reverse=True))
    except ValueError:
        raise ScheduleValueError("schedule.bad_minutes", value=text) from None
    if not values or any(not 0 < v <= 600 for v in values):
        raise ScheduleValueError("schedule.bad_minutes", value=text)
    return values


def _minutes(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ScheduleValueError("schedule.bad_minutes", value=text) from None
    if not 0 <= value <= 600:
        raise ScheduleValueError("schedule.bad_minutes", value=text)
    return value


_DAY_WORDS = {**{name: i for i, name in enumerate(WEEKDAY_NAMES)},
              "sen": 0, "sel": 1, "rab": 2, "kam": 3, "jum": 4, "sab": 5, "min": 6}


def _weekday(word: str, text: str) -> int:
    """One day by its first three letters, English or Indonesian ("Senin", "fri")."""
    day = _DAY_WORDS.get(word.strip().lower()[:3])
    if day is None:
        raise ScheduleValueError("schedule.bad_workdays", value=text)
    return day


def _workdays(text: str) -> frozenset[int]:
    """'sen,sel,rab', 'mon tue', or a range 'sen-jum' ('Senin - Jumat'). A range used to be read by its
    first three letters: "sen-jum" saved Monday alone."""
    days = set()
    for word in re.split(r"[,\s]+", re.sub(r"\s*-\s*", "-", text.strip())):
        if not word:
            continue
        first, dash, last = word.partition("-")
        if not dash:
            days.add(_weekday(word, text))
            continue
        start, end = _weekday(first, text), _weekday(last, text)
        if end < start:
            raise ScheduleValueError("schedule.bad_workdays", value=text)
        days.update(range(start, end + 1))
    if not days:
        raise ScheduleValueError("schedule.bad_workdays", value=text)
    return frozenset(days)


def _times(text: str) -> tuple[dt.time, ...]:
    """At least one time: "," used to be saved as none, and every tick then failed on the digest time."""
    times = tuple(_time(part) for part in text.split(",") if part.strip())
    if not times:
        raise ScheduleValueError("schedule.bad_time", value=text)
    return times


def _deadline_by_weekday(text: str) -> dict[int, dt.time]:
    """'fri=16:30', 'jum=16.30,sab=12:00', or with a space: 'Jumat 16.30'. One day per time: "jum sab=16.30"
    used to crash the turn, and a bad day was answered with the workdays hint."""
    out = {}
    for part in text.split(","):
        if not part.strip():
            continue
        day, sep, at = part.strip().partition("=")
        if not sep:
            day, _, at = part.strip().partition(" ")
        try:
            if not re.fullmatch(r"\w+", day.strip()):
                raise ScheduleValueError("schedule.bad_workdays", value=day)
            out[_weekday(day, text)] = _time(at)
        except ScheduleValueError:
            raise ScheduleValueError("schedule.bad_weekday_deadline", value=text) from None
    return out


PARSERS = {
    "workdays": _workdays,
    "apel": _time,
    "deadline": _time,
    "deadline_by_weekday": _deadline_by_weekday,
    "reminder_offsets_min": _minutes_list,
    "escalation_delay_min": _minutes,
    "review_window_min": _minutes,
    "digest_times": _times,
    "presence_checks_per_day": _minutes,
    "presence_answer_min": _minutes,
    "presence_selfie": lambda text: _yes_no(text),
    "piket_min": _minutes,
    "wfh_share_pct": lambda text: _percent(text),
    "coverage_min_pct": lambda text: _percent(text),
}


def _yes_no(text: str) -> bool:
    word = text.strip().lower()
    if word in ("yes", "ya", "true", "1", "on"):
        return True
    if word in ("no", "tidak", "false", "0", "off"):
        return False
    raise ScheduleValueError("schedule.bad_yes_no", value=text)


def _percent(text: str) -> int:
    value = _minutes(text.rstrip("%"))
    if value > 100:
        raise ScheduleValueError("schedule.bad_percent", value=text)
    return value


def parse_value(name: str, text: str):
    if name not in PARSERS:
        raise ScheduleValueError("schedule.unknown_field", name=name, fields=", ".join(PARSERS))
    return PARSERS[name](text)


# How an empty mapping (no weekday deadlines) is shown and stored; `schedule set` takes "" for it.
NO_VALUE = "-"


def show_value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.time):
        return value.strftime("%H.%M")
    if isinstance(value, frozenset):
        return ",".join(WEEKDAY_NAMES[d] for d in sorted(value))
    if isinstance(value, dict):
        return ",".join(f"{WEEKDAY_NAMES[d]}={show_value(t)}" for d, t in sorted(value.items())) or NO_VALUE
    if isinstance(value, tuple):
        return ",".join(show_value(v) for v in value)
    return str(value)


def to_json(values: dict) -> dict:
    """Layer values as JSON-friendly text (stored), and back with `from_json`."""
    return {k: show_value(v) for k, v in values.items()}


def from_json(stored: dict) -> dict:
    # "": `digest_times` once saved as no times (refused since); read as not set, so the default applies.
    return {k: parse_value(k, v) for k, v in stored.items() if k in PARSERS and v not in (NO_VALUE, "")}
