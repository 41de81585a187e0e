"""The org chart in SQL: read it whole for an import, write an import's plan in bulk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import bindparam, exists, func, insert, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain.membership import Membership
from bot.domain.org_sync import PersonValues, StoredPerson, StoredUnit, SyncPlan
from bot.domain.org_terms import Language, Rank, Role, UnitKind
from bot.ports import LinkedPerson, PersonRow, Progress
from storage.day_repository import ids_in
from storage.tables import OrgMembership, OrgUnit, Person
from storage.types import UtcDateTime

CHUNK = 5000
_Boss = aliased(Person)
_PERSON_COLUMNS = (
    Person.id,
    Person.nip,
    Person.name,
    Person.position,
    Person.rank,
    Person.role,
    Person.phone,
    Person.language,
    Person.home_lat,
    Person.home_lon,
    Person.home_radius_m,
    Person.wfh_eligible,
    Person.active,
)


def _people_with_names():
    """People with their unit's name and their supervisor's NIP: what the org chart file speaks in."""
    return (
        select(*_PERSON_COLUMNS, OrgUnit.name.label("unit_name"), _Boss.nip.label("boss_nip"))
        .join(OrgUnit, Person.unit_id == OrgUnit.id)
        .outerjoin(_Boss, Person.supervisor_id == _Boss.id)
    )


def _chunks(items: Sequence, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _person_columns(values: PersonValues, unit_id: int, supervisor_id: int | None, now: dt.datetime) -> dict:
    return {
        "nip": values.nip,
        "name": values.name,
        "position": values.position,
        "rank": values.rank.value if values.rank else None,
        "unit_id": unit_id,
        "supervisor_id": supervisor_id,
        "role": values.role.value,
        "phone": values.phone,
        "language": values.language.value if values.language else None,
        "home_lat": values.home_lat,
        "home_lon": values.home_lon,
        "home_radius_m": values.home_radius_m,
        "wfh_eligible": values.wfh_eligible,
        "active": values.active,
        "deactivated_at": None,
        "updated_at": now,
    }


def _levels(new_people: list[PersonValues]) -> list[list[PersonValues]]:
    """Group new people so that each one's supervisor is inserted in an earlier group (or exists)."""
    by_nip = {p.nip: p for p in new_people}
    depth: dict[str, int] = {}
    for person in new_people:
        chain = []
        node = person
        while node is not None and node.nip not in depth:
            chain.append(node)
            node = by_nip.get(node.supervisor_nip) if node.supervisor_nip else None
        base = depth[node.nip] + 1 if node is not None else 0
        for offset, member in enumerate(reversed(chain)):
            depth[member.nip] = base + offset
    levels: list[list[PersonValues]] = []
    for person in new_people:
        d = depth[person.nip]
        while len(levels) <= d:
            levels.append([])
        levels[d].append(person)
    return levels


def _membership_changes(ids: list[int], now: dt.datetime) -> tuple:
    """Two statements that bring `org_membership` in line with `person` for these ids: close the open row of
    whoever's unit, supervisor or active flag now differs from it, then open a row for whoever has none open."""
    moved = exists().where(Person.id == OrgMembership.person_id,
                           or_(Person.unit_id != OrgMembership.unit_id, Person.active != OrgMembership.active,
                               Person.supervisor_id.is_distinct_from(OrgMembership.supervisor_id),
                               OrgMembership.supervisor_known.is_(False)))
    close = (update(OrgMembership)
             .where(OrgMembership.person_id.in_(ids), OrgMembership.valid_until.is_(None), moved)
             .values(valid_until=now)
             .execution_options(synchronize_session=False))
    is_open = exists().where(OrgMembership.person_id == Person.id, OrgMembership.valid_until.is_(None))
    open_ = insert(OrgMembership).from_select(
        ["person_id", "unit_id", "supervisor_id", "supervisor_known", "active", "valid_from"],
        select(Person.id, Person.unit_id, Person.supervisor_id, true(), Person.active,
               bindparam("now", now, type_=UtcDateTime()))
        .where(Person.id.in_(ids), ~is_open),
    )
    return close, open_


class SqlOrgRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def stored_units(self) -> dict[str, StoredUnit]:
        rows = (await self.session.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.parent_id, OrgUnit.kind, OrgUnit.timezone))).all()
        name_of = {r.id: r.name for r in rows}
        return {
            r.name: StoredUnit(r.id, r.name, name_of.get(r.parent_id), UnitKind(r.kind), r.timezone) for r in rows
        }

    async def stored_people(self) -> dict[str, StoredPerson]:
        out: dict[str, StoredPerson] = {}
        for r in await self.session.execute(_people_with_names()):
            out[r.nip] = StoredPerson(
                r.id,
                PersonValues(
                    nip=r.nip,
                    name=r.name,
                    position=r.position,
                    unit=r.unit_name,
                    supervisor_nip=r.boss_nip,
                    rank=Rank(r.rank) if r.rank else None,
                    role=Role(r.role),
                    phone=r.phone,
                    language=Language(r.language) if r.language else None,
                    home_lat=r.home_lat,
                    home_lon=r.home_lon,
                    home_radius_m=r.home_radius_m,
                    wfh_eligible=r.wfh_eligible,
                    active=r.active,
                ),
            )
        return out

    async def _unit_ids(self) -> dict[str, int]:
        return {name: id_ for name, id_ in await self.session.execute(select(OrgUnit.name, OrgUnit.id))}

    async def _person_ids(self, nips: set[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        ordered = sorted(nips)
        for chunk in _chunks(ordered, 1000):
            rows = await self.session.execute(select(Person.nip, Person.id).where(Person.nip.in_(chunk)))
            found.update((nip, id_) for nip, id_ in rows)
        return found

    async def apply(self, plan: SyncPlan, now: dt.datetime, progress: Progress | None = None) -> None:
        total = len(plan.new_people) + len(plan.changed_people) + len(plan.deactivated)
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, total)

        if plan.new_units:
            await self.session.execute(
                insert(OrgUnit),
                [
                    {"name": u.name, "kind": u.kind.value, "timezone": u.timezone, "created_at": now, "updated_at": now}
                    for u in plan.new_units
                ],
            )
        unit_ids = await self._unit_ids()
        touched_units = plan.new_units + plan.changed_units
        if touched_units:
            await self.session.execute(
                update(OrgUnit),
                [
                    {
                        "id": unit_ids[u.name],
                        "parent_id": unit_ids[u.parent] if u.parent else None,
                        "kind": u.kind.value,
                        "timezone": u.timezone,
                        "updated_at": now,
                    }
                    for u in touched_units
                ],
            )

        referenced = {v.supervisor_nip for _, v in plan.changed_people if v.supervisor_nip}
        referenced |= {v.supervisor_nip for v in plan.new_people if v.supervisor_nip}
        person_ids = await self._person_ids(referenced)
        for level in _levels(plan.new_people):
            for chunk in _chunks(level):
                rows = [
                    _person_columns(v, unit_ids[v.unit], person_ids.get(v.supervisor_nip), now) | {"created_at": now}
                    for v in chunk
                ]
                result = await self.session.execute(insert(Person).returning(Person.nip, Person.id), rows)
                added = dict(iter(result))
                person_ids.update(added)
                await self._record_memberships(list(added.values()), now, new=True)
                advance(len(chunk))

        for chunk in _chunks(plan.changed_people):
            await self.session.execute(
                update(Person),
                [
                    _person_columns(v, unit_ids[v.unit], person_ids.get(v.supervisor_nip), now) | {"id": pid}
                    for pid, v in chunk
                ],
            )
            await self._record_memberships([pid for pid, _ in chunk], now)
            advance(len(chunk))

        for chunk in _chunks(plan.deactivated, 1000):
            await self.session.execute(
                update(Person)
                .where(Person.id.in_([p.id for p in chunk]))
                .values(active=False, deactivated_at=now, updated_at=now)
            )
            await self._record_memberships([p.id for p in chunk], now)
            advance(len(chunk))

    async def _record_memberships(self, person_ids: list[int], now: dt.datetime, *, new: bool = False) -> None:
        """After writing these people: a move to another unit or under another supervisor, a deactivation or
        a return starts a new membership at `now`; people whose unit, supervisor and flag stayed are left as
        they are. `new`: people just added, who have no membership to close."""
        if person_ids:
            close, open_ = _membership_changes(person_ids, now)
            for statement in (open_,) if new else (close, open_):
                await self.session.execute(statement)

    async def memberships(self, start: dt.datetime, end: dt.datetime, *, person_ids: Collection[int] | None = None,
                          supervisor_ids: Collection[int] | None = None) -> dict[int, list[Membership]]:
        """person id -> their memberships that overlap [start, end), oldest first: everyone's, in one query
        (the month export reads a province's month with it); or only these people's, or only those under
        one of `supervisor_ids` (a supervisor's `/rekap` of a past day, a level of their `/ekspor`)."""
        query = (
            select(OrgMembership.person_id, OrgMembership.unit_id, OrgMembership.active, OrgMembership.valid_from,
                   OrgMembership.valid_until, OrgMembership.supervisor_id, OrgMembership.supervisor_known)
            .where(OrgMembership.valid_from < end,
                   or_(OrgMembership.valid_until.is_(None), OrgMembership.valid_until > start))
            .order_by(OrgMembership.person_id, OrgMembership.valid_from, OrgMembership.id)
        )
        if person_ids is not None:
            query = query.where(ids_in(self.session, OrgMembership.person_id, sorted(person_ids)))
        if supervisor_ids is not None:
            query = query.where(ids_in(self.session, OrgMembership.supervisor_id, sorted(supervisor_ids)))
        rows = await self.session.execute(query)
        found: dict[int, list[Membership]] = {}
        for row in rows:
            found.setdefault(row[0], []).append(Membership(*row))
        return found

    async def count_active_people(self) -> int:
        return (await self.session.execute(select(func.count()).select_from(Person).where(Person.active))).scalar_one()

    async def list_people(self, unit_names: set[str] | None, *, include_inactive: bool,
                          ids: Collection[int] | None = None,
                          reporting_to: Collection[int] | None = None) -> list[PersonRow]:
        """`ids`, `reporting_to` (today's direct reports of these people): a few people, not the office."""
        # Just the columns a PersonRow holds, in its order: a whole office is listed at every routine step.
        query = (
            select(Person.id, Person.nip, Person.name, Person.position, OrgUnit.name, _Boss.nip, Person.rank,
                   Person.role, Person.active, Person.phone, Person.language, Person.created_at,
                   Person.deactivated_at)
            .join(OrgUnit, Person.unit_id == OrgUnit.id)
            .outerjoin(_Boss, Person.supervisor_id == _Boss.id)
            .order_by(Person.id)
        )
        if not include_inactive:
            query = query.where(Person.active)
        if ids is not None:
            query = query.where(ids_in(self.session, Person.id, sorted(ids)))
        if reporting_to is not None:
            query = query.where(ids_in(self.session, Person.supervisor_id, sorted(reporting_to)))
        rows = await self.session.execute(query)
        if unit_names is None:
            return [PersonRow(*r) for r in rows]
        return [PersonRow(*r) for r in rows if r[4] in unit_names]

    async def person_by_id(self, person_id: int) -> LinkedPerson | None:
        row = (
            await self.session.execute(
                select(Person.id, Person.nip, Person.name, OrgUnit.name, Person.language, Person.active)
                .join(OrgUnit, Person.unit_id == OrgUnit.id)
                .where(Person.id == person_id)
            )
        ).first()
        return LinkedPerson(*row) if row else None

    async def holder_of_nip(self, nip: str) -> tuple[int, str] | None:
        """(id, name) of whoever holds this NIP, active or not."""
        row = (await self.session.execute(select(Person.id, Person.name).where(Person.nip == nip))).first()
        return (row[0], row[1]) if row else None

    async def set_nip(self, person_id: int, nip: str, now: dt.datetime) -> None:
        await self.session.execute(update(Person).where(Person.id == person_id).values(nip=nip, updated_at=now))

    async def rename_unit(self, unit_id: int, name: str, now: dt.datetime) -> None:
        await self.session.execute(update(OrgUnit).where(OrgUnit.id == unit_id).values(name=name, updated_at=now))
