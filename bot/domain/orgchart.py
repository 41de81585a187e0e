"""Validating a whole org chart read from a sheet: rows → units and people, or row-by-row errors.

Rules worth knowing (README "Org chart format" says the same for admins):
- a row with any error is rejected whole; rows that depend on a rejected row (its people, through
  `supervisor_nip`) are rejected too, so a partial import never writes a dangling chain;
- both rows of a duplicated NIP are rejected: which one is right is the admin's call;
- unit attributes (`unit_parent`, `unit_kind`, `timezone`) repeat on every row of the unit; an empty cell
  says nothing, two different values are an error on the row that disagrees with the first;
- a unit with no `unit_parent` takes the unit of its members' supervisor as parent (Simpeg exports
  often lack that column); `unit_kind` and `timezone` are inherited from the parent when not given.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.domain.nip import NipError, normalize_nip, parse_nip
from bot.domain.org_cells import (
    CellError,
    parse_bool,
    parse_language,
    parse_latitude,
    parse_longitude,
    parse_radius,
    parse_phone,
    parse_rank,
    parse_role,
    parse_timezone,
    parse_unit_kind,
)
from bot.domain.org_columns import REQUIRED
from bot.domain.org_terms import Language, Rank, Role, UnitKind
from bot.domain.plain_text import looks_like_formula, without_controls

MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 300


@dataclass(frozen=True)
class RawRow:
    """One data row as read: `number` is the row number the admin sees in the spreadsheet."""

    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class RowError:
    row: int
    code: str
    params: dict = field(default_factory=dict)
    column: str | None = None


@dataclass(frozen=True)
class UnitSpec:
    name: str
    parent: str | None
    kind: UnitKind
    timezone: str


@dataclass(frozen=True)
class PersonSpec:
    """A valid person row. Optional fields left None mean "not said by the file"."""

    row: int
    nip: str
    name: str
    position: str
    unit: str
    supervisor_nip: str | None
    rank: Rank | None = None
    role: Role | None = None
    phone: str | None = None
    language: Language | None = None
    home_lat: float | None = None
    home_lon: float | None = None
    home_radius_m: int | None = None
    wfh_eligible: bool | None = None


@dataclass
class OrgChart:
    units: dict[str, UnitSpec]
    people: list[PersonSpec]
    errors: list[RowError]
    rows_read: int
    named_nips: set[str] = field(default_factory=set)  # as a person or as a supervisor, in any row

    @property
    def rejected_rows(self) -> set[int]:
        return {e.row for e in self.errors}


@dataclass
class _UnitFacts:
    parent: tuple[str, int] | None = None  # value, row that said it
    kind: tuple[UnitKind, int] | None = None
    timezone: tuple[str, int] | None = None


_OPTIONAL_PARSERS = {
    "rank": parse_rank,
    "role": parse_role,
    "phone": parse_phone,
    "language": parse_language,
    "home_lat": parse_latitude,
    "home_lon": parse_longitude,
    "home_radius_m": parse_radius,
    "wfh_eligible": parse_bool,
}


def _text(value: str, column: str, row: int, errors: list[RowError], limit: int) -> str:
    if looks_like_formula(value.strip()):
        errors.append(RowError(row, "row.formula", {}, column))
    text = " ".join(without_controls(value).split())
    if len(text) > limit:
        errors.append(RowError(row, "row.too_long", {"limit": limit}, column))
    return text


def _parse_row(raw: RawRow, errors: list[RowError]) -> tuple[PersonSpec | None, dict]:
    row = raw.number
    cells = {k: (v or "").strip() for k, v in raw.cells.items()}
    before = len(errors)
    for column in REQUIRED:
        if column != "supervisor_nip" and not cells.get(column):
            errors.append(RowError(row, "row.empty_required", {}, column))
    nip = None
    if cells.get("nip"):
        try:
            nip = parse_nip(cells["nip"])
        except NipError as exc:
            errors.append(RowError(row, exc.code, {"value": cells["nip"]}, "nip"))
    supervisor = None
    if cells.get("supervisor_nip"):
        try:
            supervisor = parse_nip(cells["supervisor_nip"])
        except NipError as exc:
            # Excel turns a NIP column typed as numbers into 1.97E+17 in both columns: say so for this one too.
            code = "row.supervisor_stored_as_number" if exc.code == "nip.stored_as_number" else "row.bad_supervisor_nip"
            errors.append(RowError(row, code, {"value": cells["supervisor_nip"]}, "supervisor_nip"))
    optional: dict = {}
    for column, parse in _OPTIONAL_PARSERS.items():
        if cells.get(column):
            try:
                optional[column] = parse(cells[column])
            except CellError as exc:
                errors.append(RowError(row, exc.code, exc.params, column))
    if ("home_lat" in optional) != ("home_lon" in optional) and not any(
        e.row == row and e.column in ("home_lat", "home_lon") for e in errors[before:]
    ):
        errors.append(RowError(row, "row.lat_lon_pair", {}, "home_lat" if "home_lat" not in optional else "home_lon"))
    unit_facts: dict = {}
    if cells.get("unit_parent"):
        unit_facts["unit_parent"] = _text(cells["unit_parent"], "unit_parent", row, errors, MAX_TEXT_LENGTH)
    for column, parse in (("unit_kind", parse_unit_kind), ("timezone", parse_timezone)):
        if cells.get(column):
            try:
                unit_facts[column] = parse(cells[column])
            except CellError as exc:
                errors.append(RowError(row, exc.code, exc.params, column))
    name = _text(cells.get("name", ""), "name", row, errors, MAX_NAME_LENGTH)
    position = _text(cells.get("position", ""), "position", row, errors, MAX_TEXT_LENGTH)
    unit = _text(cells.get("unit", ""), "unit", row, errors, MAX_TEXT_LENGTH)
    if len(errors) > before or nip is None:
        return None, unit_facts
    return (
        PersonSpec(
            row=row,
            nip=nip,
            name=name,
            position=position,
            unit=unit,
            supervisor_nip=supervisor,
            **optional,
        ),
        unit_facts,
    )


def _find_cycles(parent_of: dict[str, str]) -> list[list[str]]:
    """Cycles in a functional graph (each key has at most one parent)."""
    state: dict[str, int] = {}  # 1 on the current walk, 2 done
    cycles = []
    for start in parent_of:
        if state.get(start):
            continue
        walk = []
        node = start
        while node is not None and not state.get(node):
            state[node] = 1
            walk.append(node)
            node = parent_of.get(node)
        if node is not None and state.get(node) == 1:
            cycles.append(walk[walk.index(node):])
        for n in walk:
            state[n] = 2
    return cycles


def validate_chart(rows: Iterable[RawRow], *, default_timezone: str) -> OrgChart:
    errors: list[RowError] = []
    parsed: list[PersonSpec] = []
    facts: dict[str, _UnitFacts] = defaultdict(_UnitFacts)
    rows_read = 0
    row_of_nip: dict[str, int] = {}  # every NIP the file names, valid or not: "rejected" beats "unknown"
    # Supervisors the rows name: a rejected row's people stay as stored under theirs, so a partial import
    # must not deactivate them (a head whose own NIP was mistyped left ten people under a deactivated head).
    bosses: set[str] = set()
    for raw in rows:
        rows_read += 1
        if raw.cells.get("nip"):
            row_of_nip.setdefault(normalize_nip(raw.cells["nip"]), raw.number)
        if raw.cells.get("supervisor_nip"):
            bosses.add(normalize_nip(raw.cells["supervisor_nip"]))
        spec, unit_facts = _parse_row(raw, errors)
        unit = " ".join(without_controls(raw.cells.get("unit") or "").split())
        if unit:
            _collect_unit_facts(facts[unit], unit, raw.number, unit_facts, errors)
        if spec is not None:
            parsed.append(spec)

    rejected = {e.row for e in errors}
    _reject_unit_parent_cycles(facts, parsed, errors, rejected)

    by_nip: dict[str, list[PersonSpec]] = defaultdict(list)
    for spec in parsed:
        by_nip[spec.nip].append(spec)
    for nip, specs in by_nip.items():
        if len(specs) > 1:
            for spec in specs:
                others = ", ".join(str(s.row) for s in specs if s is not spec)
                errors.append(RowError(spec.row, "row.duplicate_nip", {"nip": nip, "rows": others}, "nip"))
                rejected.add(spec.row)

    valid = _settle_supervisors(parsed, row_of_nip, errors, rejected)
    units = _build_units(facts, valid, rejected, default_timezone)
    errors.sort(key=lambda e: (e.row, e.column or "", e.code))
    return OrgChart(units=units, people=valid, errors=errors, rows_read=rows_read, named_nips=set(row_of_nip) | bosses)


def _collect_unit_facts(known: _UnitFacts, unit: str, row: int, said: dict, errors: list[RowError]) -> None:
    for column, attr in (("unit_parent", "parent"), ("unit_kind", "kind"), ("timezone", "timezone")):
        if column not in said:
            continue
        value = said[column]
        if column == "unit_parent" and value == unit:
            errors.append(RowError(row, "unit.own_parent", {"unit": unit}, column))
            continue
        first = getattr(known, attr)
        if first is None:
            setattr(known, attr, (value, row))
        elif first[0] != value:
            code = "unit.two_parents" if column == "unit_parent" else "unit.conflicting_value"
            errors.append(
                RowError(
                    row,
                    code,
                    {"unit": unit, "first": str(first[0]), "first_row": first[1], "value": str(value)},
                    column,
                )
            )


def _reject_unit_parent_cycles(facts, parsed, errors, rejected) -> None:
    parent_of = {unit: f.parent[0] for unit, f in facts.items() if f.parent}
    for cycle in _find_cycles(parent_of):
        chain = " → ".join(cycle + [cycle[0]])
        for unit in cycle:
            row = facts[unit].parent[1]
            errors.append(RowError(row, "unit.parent_cycle", {"chain": chain}, "unit_parent"))
            rejected.add(row)
            facts[unit].parent = None


def _settle_supervisors(parsed, row_of_nip, errors, rejected) -> list[PersonSpec]:
    """Reject unknown supervisors, supervision cycles, and everyone under a rejected row, to a fixpoint."""
    alive = {s.nip: s for s in parsed if s.row not in rejected}
    changed = True
    while changed:
        changed = False
        for nip, spec in list(alive.items()):
            boss = spec.supervisor_nip
            if boss is None or boss in alive:
                if boss == nip:
                    errors.append(RowError(spec.row, "row.own_supervisor", {}, "supervisor_nip"))
                    rejected.add(spec.row)
                    del alive[nip]
                    changed = True
                continue
            if boss in row_of_nip:
                errors.append(
                    RowError(spec.row, "row.supervisor_rejected", {"nip": boss, "boss_row": row_of_nip[boss]}, "supervisor_nip")
                )
            else:
                errors.append(RowError(spec.row, "row.unknown_supervisor", {"nip": boss}, "supervisor_nip"))
            rejected.add(spec.row)
            del alive[nip]
            changed = True
        if not changed:
            parent_of = {nip: s.supervisor_nip for nip, s in alive.items() if s.supervisor_nip}
            for cycle in _find_cycles(parent_of):
                chain = " → ".join(cycle + [cycle[0]])
                for nip in cycle:
                    errors.append(RowError(alive[nip].row, "row.supervision_cycle", {"chain": chain}, "supervisor_nip"))
                    rejected.add(alive[nip].row)
                    del alive[nip]
                    changed = True
    return [s for s in parsed if s.nip in alive and alive[s.nip] is s]


def _build_units(facts, people: list[PersonSpec], rejected: set[int], default_timezone: str) -> dict[str, UnitSpec]:
    unit_of = {p.nip: p.unit for p in people}
    # A dict as an ordered set: units keep the order of first mention, membership stays O(1).
    names: dict[str, None] = dict.fromkeys(p.unit for p in people)
    parent: dict[str, str] = {}
    for name in list(names):
        f = facts.get(name)
        if f and f.parent and f.parent[1] not in rejected:
            parent[name] = f.parent[0]
    # Containers named only as someone's parent (e.g. the whole Pemda) become units too.
    pending = list(parent.values())
    while pending:
        name = pending.pop()
        if name not in names:
            names[name] = None
            f = facts.get(name)
            if f and f.parent and f.parent[1] not in rejected:
                parent[name] = f.parent[0]
                pending.append(f.parent[0])

    guesses: dict[str, Counter] = defaultdict(Counter)
    for p in people:
        boss_unit = unit_of.get(p.supervisor_nip) if p.supervisor_nip else None
        if boss_unit and boss_unit != p.unit and p.unit not in parent:
            guesses[p.unit][boss_unit] += 1
    for name in names:
        if name in parent or not guesses[name]:
            continue
        guess = guesses[name].most_common(1)[0][0]
        if not _is_ancestor(name, guess, parent):
            parent[name] = guess

    resolved: dict[str, tuple[UnitKind, str]] = {}

    def effective(name: str, seen: frozenset = frozenset()) -> tuple[UnitKind, str]:
        if name in resolved:
            return resolved[name]
        f = facts.get(name)
        up = parent.get(name)
        inherited = effective(up, seen | {name}) if up and up not in seen else (UnitKind.NON_SERVICE, default_timezone)
        kind = f.kind[0] if f and f.kind and f.kind[1] not in rejected else inherited[0]
        tz = f.timezone[0] if f and f.timezone and f.timezone[1] not in rejected else inherited[1]
        resolved[name] = (kind, tz)
        return resolved[name]

    return {name: UnitSpec(name, parent.get(name), *effective(name)) for name in names}


def _is_ancestor(candidate: str, start: str, parent: dict[str, str]) -> bool:
    node, steps = start, 0
    while node is not None and steps <= len(parent):
        if node == candidate:
            return True
        node, steps = parent.get(node), steps + 1
    return False
