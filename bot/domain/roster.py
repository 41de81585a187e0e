"""The WFH/WFO rotation: who works where on each workday of a period. Deterministic: no randomness,
and the order of the input lists does not matter (people are taken in `person_id` order).

Words used below, per unit and day:
- *fixed*: the person has a `Fixed` entry that day (approved leave/sick/DL, or an admin override). It
  is kept exactly as given (mode and reason). Several for the same person and day: the last one wins.
  Entries for days outside the period or for unknown people are ignored.
- *present*: not fixed to an excused mode (cuti, sakit, dl, libur). Fixed wfo/wfh/piket are present.
- *forced*: must be in the office: the unit is critical (reason "critical_unit"), the rank is in
  `rules.always_wfo_ranks` ("rank"), or `wfh_eligible` is False ("not_eligible").
- *eligible*: not forced (wfh_eligible, rank not forced, unit not critical).
- *pool*: eligible people who are not fixed that day; only they are given WFH by the generator.
- *in the office*: mode wfo or piket.

Rules, per unit and day:
1. Fixed entries are kept. Forced people who are not fixed work WFO (or piket, rule 4).
2. The number of WFH people wanted among the present (fixed wfh counts toward it):
   - critical: 0;
   - essential: the least that keeps the office at most `essential_max_wfo_share` of the present:
     present - floor(share x present) (exact arithmetic: 4 present at 75% -> 1 at home);
   - non_service: `wfh_share` of the present, rounded cumulatively over the period (the day's
     number is floor(sum so far) - floor(sum before)), so 3 people at 50% alternate 1, 2, 1, 2.
   `wfh_share` is only the non-service rule: essential units keep everyone the cap allows.
3. The WFH slots (wanted minus fixed wfh, at most the pool) go to the pool people with the fewest
   generated WFH days so far in the period; ties by a stable order (person_id) rotated by the
   day's index, so equal people alternate.
4. Piket: `piket_min` people of the unit are on piket each day (fixed piket counts). The piket is
   chosen among the non-fixed people in the office, fewest piket days first, people of a forced rank
   last (the head of office is not the duty roster unless nobody else is there), then the rotation.
   If too few are in the office, WFH slots are given back (from the pool people with the most WFH
   days) so that those people can be on piket. Fixed wfo people are never turned into piket.

Fairness (what the property tests check): a person's WFH count is the number of period days on
which the generator (not a fixed entry) gave them WFH. Two eligible people of a unit who are free
(no fixed entry) on exactly the same days end the period within one WFH day of each other, and on
every day an eligible free person got WFH only if every eligible free colleague kept in the office
had at least as many WFH days before that day. (People with different leave cannot always be made
equal; someone back from leave has fewer WFH days and so is sent home first.)

Conflicts: the generator never raises for such data; it returns the best roster it found and one
`Conflict(unit, day, code, detail)` per broken rule. `detail` holds the numbers (and person ids) of the
case, not a sentence: the services word it in the reader's language.
- "piket_short": fewer than `piket_min` on piket (fewer present, or the rest are fixed wfo/wfh);
- "essential_cap": an essential unit has more than the cap in the office because of forced people
  or piket, even with every pool person at home; never for a day with one person present (the cap of
  floor(share x 1) = 0 would want an empty office, which one person cannot be split to meet);
- "override_breaks_cap": fixed entries break a cap: a fixed wfh in a critical unit, or an essential
  unit over the cap that would be within it without its fixed wfo/piket people;
- "override_breaks_rule": a fixed wfh for a forced person (rank or not eligible)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import floor

from bot.domain.org_terms import Rank, UnitKind
from bot.domain.workday import EXCUSED, Mode

IN_OFFICE = frozenset({Mode.WFO, Mode.PIKET})

PIKET_SHORT = "piket_short"
ESSENTIAL_CAP = "essential_cap"
OVERRIDE_BREAKS_CAP = "override_breaks_cap"
OVERRIDE_BREAKS_RULE = "override_breaks_rule"

# Reasons of generated assignments (a fixed entry keeps its own reason).
BY_RANK = "rank"
NOT_ELIGIBLE = "not_eligible"
CRITICAL_UNIT = "critical_unit"
ROTATION = "rotation"
PIKET = "piket"


@dataclass(frozen=True)
class RosterPerson:
    person_id: int
    unit: str
    rank: str | None = None
    wfh_eligible: bool = True


@dataclass(frozen=True)
class RosterUnit:
    name: str
    kind: str = UnitKind.NON_SERVICE  # "critical" | "essential" | "non_service"
    piket_min: int = 1
    wfh_share: float = 0.5
    # Days with other values (a period's schedule, Ramadan's): day -> (piket_min, wfh_share).
    by_day: dict[dt.date, tuple[int, float]] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in set(UnitKind):
            raise ValueError(f"unit {self.name!r}: unknown kind {self.kind!r}")
        for piket_min, wfh_share in [(self.piket_min, self.wfh_share), *self.by_day.values()]:
            if piket_min < 0 or not 0 <= wfh_share <= 1:
                raise ValueError(f"unit {self.name!r}: piket_min must be >= 0 and wfh_share within 0..1")

    def on(self, day: dt.date) -> tuple[int, float]:
        """(piket_min, wfh_share) of that day."""
        return self.by_day.get(day, (self.piket_min, self.wfh_share))


@dataclass(frozen=True)
class Fixed:
    person_id: int
    day: dt.date
    mode: str  # a `Mode` value: leave/sick/dl, or wfo/wfh/piket as an admin override
    reason: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", Mode(self.mode))  # refuses an unknown mode early


@dataclass(frozen=True)
class RosterRules:
    always_wfo_ranks: frozenset[str] = frozenset({Rank.JPT_PRATAMA, Rank.ADMINISTRATOR})
    essential_max_wfo_share: float = 0.75


@dataclass(frozen=True)
class Assignment:
    person_id: int
    day: dt.date
    mode: Mode
    reason: str


@dataclass(frozen=True)
class Conflict:
    unit: str
    day: dt.date
    code: str
    detail: dict = field(default_factory=dict, hash=False)


@dataclass
class RosterResult:
    assignments: list[Assignment] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def modes(self) -> dict[tuple[int, dt.date], Mode]:
        return {(a.person_id, a.day): a.mode for a in self.assignments}


def forced_reason(person: RosterPerson, unit: RosterUnit, rules: RosterRules) -> str | None:
    """Why the person must be in the office, or None if they are eligible for WFH."""
    if unit.kind == UnitKind.CRITICAL:
        return CRITICAL_UNIT
    if person.rank is not None and person.rank in rules.always_wfo_ranks:
        return BY_RANK
    if not person.wfh_eligible:
        return NOT_ELIGIBLE
    return None


def _exact(value: float) -> Fraction:
    # Fraction("0.75") rather than Fraction(0.75 as binary): 0.3 x 10 must be 3, not 2.999...
    return Fraction(repr(value))


def generate(
    people: Iterable[RosterPerson],
    units: Iterable[RosterUnit],
    days: Iterable[dt.date],
    fixed: Iterable[Fixed] = (),
    rules: RosterRules = RosterRules(),
) -> RosterResult:
    """One assignment per person and day of the period (`days`: the workdays; sorted, deduplicated),
    plus the conflicts. A person whose unit is not in `units` is in a default non-service unit of
    that name. The rules are in the module docstring."""
    unit_of = {unit.name: unit for unit in units}
    staff: dict[str, list[RosterPerson]] = defaultdict(list)
    for person in sorted(people, key=lambda p: p.person_id):
        staff[person.unit].append(person)
    period = sorted(set(days))
    known = {p.person_id for members in staff.values() for p in members}
    in_period = set(period)
    pinned: dict[tuple[int, dt.date], Fixed] = {}
    for entry in fixed:
        if entry.person_id in known and entry.day in in_period:
            pinned[(entry.person_id, entry.day)] = entry  # the last entry for a person and day wins

    result = RosterResult()
    for name in sorted(staff):
        _unit_roster(unit_of.get(name) or RosterUnit(name), staff[name], period, pinned, rules, result)
    result.assignments.sort(key=lambda a: (a.day, a.person_id))
    result.conflicts.sort(key=lambda c: (c.day, c.unit, c.code))
    return result


def _unit_roster(
    unit: RosterUnit,
    members: Sequence[RosterPerson],
    period: Sequence[dt.date],
    pinned: dict[tuple[int, dt.date], Fixed],
    rules: RosterRules,
    out: RosterResult,
) -> None:
    position = {p.person_id: i for i, p in enumerate(members)}
    forced = {p.person_id: forced_reason(p, unit, rules) for p in members}
    senior = {p.person_id: p.rank is not None and p.rank in rules.always_wfo_ranks for p in members}
    wfh_days: Counter[int] = Counter()
    piket_days: Counter[int] = Counter()
    cap = _exact(rules.essential_max_wfo_share)
    wanted_so_far = Fraction(0)  # non-service: the exact WFH person-days wanted up to yesterday

    def add(pid: int, day: dt.date, mode: Mode, reason: str) -> None:
        out.assignments.append(Assignment(pid, day, mode, reason))

    def conflict(day: dt.date, code: str, detail: dict) -> None:
        out.conflicts.append(Conflict(unit.name, day, code, detail))

    for index, day in enumerate(period):

        def turn(pid: int) -> int:
            # Rotating the tie-break by the day's index makes equals take turns instead of the
            # lowest person_id always going first.
            return (position[pid] - index) % len(members)

        piket_min, share = unit.on(day)
        share = _exact(share)
        fixed_today = [pinned[(p.person_id, day)] for p in members if (p.person_id, day) in pinned]
        present_fixed = [f for f in fixed_today if f.mode not in EXCUSED]
        free = [p.person_id for p in members if (p.person_id, day) not in pinned]
        pool = [pid for pid in free if forced[pid] is None]
        office = [pid for pid in free if forced[pid] is not None]
        present = len(present_fixed) + len(free)
        fixed_wfh = [f.person_id for f in present_fixed if f.mode == Mode.WFH]
        fixed_office = sum(1 for f in present_fixed if f.mode in IN_OFFICE)
        fixed_piket = sum(1 for f in present_fixed if f.mode == Mode.PIKET)

        max_office = floor(cap * present)
        if unit.kind == UnitKind.CRITICAL:
            wanted = 0
        elif unit.kind == UnitKind.ESSENTIAL:
            wanted = present - max_office
        else:
            before, wanted_so_far = wanted_so_far, wanted_so_far + share * present
            wanted = floor(wanted_so_far) - floor(before)
        slots = min(max(wanted - len(fixed_wfh), 0), len(pool))
        need_piket = max(piket_min - fixed_piket, 0)
        missing = need_piket - (len(office) + len(pool) - slots)
        if missing > 0:  # piket before WFH: give slots back so that enough people are in the office
            slots = max(slots - missing, 0)

        ranked = sorted(pool, key=lambda pid: (wfh_days[pid], turn(pid)))
        home, office = ranked[:slots], office + ranked[slots:]
        duty = sorted(office, key=lambda pid: (senior[pid], piket_days[pid], turn(pid)))[:need_piket]

        for entry in fixed_today:
            add(entry.person_id, day, entry.mode, entry.reason)
        for pid in home:
            wfh_days[pid] += 1
            add(pid, day, Mode.WFH, ROTATION)
        for pid in office:
            if pid in duty:
                piket_days[pid] += 1
                add(pid, day, Mode.PIKET, PIKET)
            else:
                add(pid, day, Mode.WFO, forced[pid] or ROTATION)

        on_piket = fixed_piket + len(duty)
        if on_piket < piket_min:
            conflict(day, PIKET_SHORT, {"on_piket": on_piket, "piket_min": piket_min, "present": present,
                                        "free": len(office)})
        if unit.kind == UnitKind.CRITICAL and fixed_wfh:
            conflict(day, OVERRIDE_BREAKS_CAP, {"critical": True, "people": fixed_wfh})
        overridden = [pid for pid in fixed_wfh if forced[pid] in (BY_RANK, NOT_ELIGIBLE)]
        if overridden:
            conflict(day, OVERRIDE_BREAKS_RULE, {"people": overridden})
        in_office = fixed_office + len(office)
        # One person present is not a conflict: any cap under 100% floors to 0 for them, so the only
        # roster "within the cap" is an empty office (and no piket). A unit of one cannot do better, and
        # reporting it every day of every period only buries the conflicts an admin can act on.
        if unit.kind == UnitKind.ESSENTIAL and in_office > max_office and present > 1:
            # The overrides' fault exactly when the unit would be within the cap without them.
            by_override = in_office - fixed_office <= max_office
            conflict(
                day,
                OVERRIDE_BREAKS_CAP if by_override else ESSENTIAL_CAP,
                {"in_office": in_office, "present": present, "cap": max_office, "share_pct": round(float(cap) * 100),
                 "fixed": fixed_office, "forced": len(office)},
            )
