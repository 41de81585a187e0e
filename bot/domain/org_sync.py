"""What an import changes: the validated chart compared with what the database already holds.

The file is the truth for people it names; an optional cell left empty (or a column the file does
not have) keeps what is stored, so a re-import never wipes a language a person chose in chat.
People absent from the file are deactivated, never deleted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace

from bot.domain.org_terms import Language, Rank, Role, UnitKind
from bot.domain.orgchart import OrgChart, PersonSpec, UnitSpec


@dataclass(frozen=True)
class StoredUnit:
    id: int
    name: str
    parent: str | None
    kind: UnitKind
    timezone: str


@dataclass(frozen=True)
class PersonValues:
    """Every stored field of a person, by names: units and supervisors by name and NIP."""

    nip: str
    name: str
    position: str
    unit: str
    supervisor_nip: str | None
    rank: Rank | None
    role: Role
    phone: str | None
    language: Language | None
    home_lat: float | None
    home_lon: float | None
    home_radius_m: int | None
    wfh_eligible: bool
    active: bool


@dataclass(frozen=True)
class StoredPerson:
    id: int
    values: PersonValues


# A file that would deactivate more than a fifth of the active people (and at least this many) is held
# until the admin confirms: that is one unit's export or a cut-off file, not a month's retirements.
MANY_DEACTIVATED_SHARE = 0.2
MANY_DEACTIVATED_MIN = 5


def deactivates_many(deactivated: int, active_before: int) -> bool:
    return deactivated >= MANY_DEACTIVATED_MIN and deactivated > MANY_DEACTIVATED_SHARE * active_before


def deactivation_key(nips: Iterable[str]) -> str:
    """A short fingerprint of whom an import deactivates: what an admin saw and confirmed is compared with
    what the file would do when the confirmation comes (the org chart may have changed in between)."""
    return hashlib.sha256(",".join(sorted(nips)).encode()).hexdigest()[:16]


@dataclass
class SyncPlan:
    new_units: list[UnitSpec] = field(default_factory=list)
    changed_units: list[UnitSpec] = field(default_factory=list)
    new_people: list[PersonValues] = field(default_factory=list)
    changed_people: list[tuple[int, PersonValues]] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    deactivated: list[StoredPerson] = field(default_factory=list)
    unchanged_people: int = 0
    active_before: int = 0  # active people stored before this import
    # Units that had active people and will have none, when the file also brings new units: most likely a
    # renamed unit (`apel org rename-unit` keeps its schedule, office and days off).
    emptied_units: list[str] = field(default_factory=list)
    # (nip, name) of active people who had a superior and whom this file gives none: reviewed by nobody.
    unsupervised: list[tuple[str, str]] = field(default_factory=list)
    # (name, old nip, new nip): one person deactivated and one created under the same name, most likely a
    # corrected NIP (`apel person nip` keeps such a person whole).
    nip_changes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def writes_anything(self) -> bool:
        return bool(
            self.new_units or self.changed_units or self.new_people or self.changed_people or self.deactivated
        )


_KEPT_WHEN_EMPTY = ("rank", "role", "phone", "language", "home_lat", "home_lon", "home_radius_m", "wfh_eligible")
_DEFAULTS = {"role": Role.STAFF, "wfh_eligible": True}


def merged_values(spec: PersonSpec, stored: PersonValues | None) -> PersonValues:
    optional = {}
    for name in _KEPT_WHEN_EMPTY:
        said = getattr(spec, name)
        if said is not None:
            optional[name] = said
        elif stored is not None:
            optional[name] = getattr(stored, name)
        else:
            optional[name] = _DEFAULTS.get(name)
    return PersonValues(
        nip=spec.nip,
        name=spec.name,
        position=spec.position,
        unit=spec.unit,
        supervisor_nip=spec.supervisor_nip,
        active=True,
        **optional,
    )


def plan_sync(
    chart: OrgChart,
    stored_units: dict[str, StoredUnit],
    stored_people: dict[str, StoredPerson],
    *,
    keep_nips: set[str] = frozenset(),
) -> SyncPlan:
    """`keep_nips`: people named by rejected rows; a partial import must not deactivate them."""
    plan = SyncPlan()
    for unit in chart.units.values():
        old = stored_units.get(unit.name)
        if old is None:
            plan.new_units.append(unit)
        elif (old.parent, old.kind, old.timezone) != (unit.parent, unit.kind, unit.timezone):
            plan.changed_units.append(unit)
    seen: set[str] = set()
    for spec in chart.people:
        seen.add(spec.nip)
        old = stored_people.get(spec.nip)
        values = merged_values(spec, old.values if old else None)
        if old is None:
            plan.new_people.append(values)
        elif values != old.values:
            plan.changed_people.append((old.id, values))
            if old.values.active and old.values.supervisor_nip and not values.supervisor_nip:
                plan.unsupervised.append((spec.nip, spec.name))
            if not old.values.active:
                plan.reactivated.append(spec.nip)
        else:
            plan.unchanged_people += 1
    for nip, old in stored_people.items():
        if nip not in seen and nip not in keep_nips and old.values.active:
            plan.deactivated.append(old)
    plan.nip_changes = _same_names(plan.deactivated, plan.new_people)
    plan.active_before = sum(p.values.active for p in stored_people.values())
    if plan.new_units:
        in_file = {spec.nip for spec in chart.people}
        staffed_after = {spec.unit for spec in chart.people} | {  # and people of rejected rows, kept as stored
            p.values.unit for nip, p in stored_people.items() if nip in keep_nips - in_file and p.values.active}
        plan.emptied_units = sorted({p.values.unit for p in stored_people.values() if p.values.active} - staffed_after)
    return plan


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _same_names(gone: list[StoredPerson], new: list[PersonValues]) -> list[tuple[str, str, str]]:
    """Pairs of a deactivated and a new person with the same name, where the name is unique on both sides."""
    by_name_gone: dict[str, list[StoredPerson]] = {}
    for person in gone:
        by_name_gone.setdefault(_name_key(person.values.name), []).append(person)
    by_name_new: dict[str, list[PersonValues]] = {}
    for values in new:
        by_name_new.setdefault(_name_key(values.name), []).append(values)
    return [
        (new_ones[0].name, by_name_gone[key][0].values.nip, new_ones[0].nip)
        for key, new_ones in by_name_new.items()
        if len(new_ones) == 1 and len(by_name_gone.get(key, [])) == 1
    ]


def deactivated(values: PersonValues) -> PersonValues:
    return replace(values, active=False)


PERSON_FIELDS = tuple(f.name for f in fields(PersonValues))
