"""Digests on demand, for any day: the CLI (`apel digest`) and `/rekap [date]`; never sends anything."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, replace

from bot.clock import iso_utc
from bot.day_records import Actor
from bot.domain.org_sync import StoredUnit
from bot.ports import PersonRow, UnitOfWork
from bot.services import digest, digest_presence
from bot.domain.membership import supervisor_of_day, unit_of_day
from bot.domain.schedule import local_time
from bot.services.day_schedule import unit_dates
from bot.services.org_directory import units_under


@dataclass(frozen=True)
class SupervisorDigest:
    supervisor: PersonRow
    lines: list[digest.Line]
    nips: dict[int, str]
    timezone: str  # the supervisor's unit's: their digest's times read as they read them in the chat


async def digests_for(uow: UnitOfWork, *, day: dt.date, unit: str | None) -> list[SupervisorDigest]:
    """Every supervisor in the unit (and below), with their direct reports of that day (the supervisor each
    had that day, as `org_membership` recorded it); one batch of queries."""
    scope = await units_under(uow, unit)
    everyone = await uow.org.list_people(None, include_inactive=True)
    days, people, zones, boss_of, _ = await _people_of_day(uow, day, everyone)
    by_id = {p.id: p for p in people}
    reports: dict[int, list[PersonRow]] = {}
    for p in people:
        boss = by_id.get(boss_of(p))
        if boss is not None:
            reports.setdefault(boss.id, []).append(p)
    bosses = [p for p in people if p.id in reports and (scope is None or p.unit in scope)]
    wanted = {r.id: r.name for b in bosses for r in reports[b.id]}
    # a weekend or holiday: libur, not "missing"
    modes = {r.id: days[r.unit].mode_without_roster for b in bosses for r in reports[b.id]}
    lines = await digest.lines_for(uow, wanted, day, modes)
    return [
        SupervisorDigest(b, [lines[r.id] for r in sorted(reports[b.id], key=lambda r: r.name)],
                         {r.id: r.nip for r in reports[b.id]}, zones[b.unit])
        for b in sorted(bosses, key=lambda b: (b.unit, b.name))
    ]


async def supervisor_lines(uow: UnitOfWork, supervisor_id: int, day: dt.date) -> list[digest.Line]:
    """A supervisor's own digest of a day (`/rekap [date]`): their direct reports of that day (whom they
    supervised that day, also people moved to another supervisor since), by name. Reads those people only —
    today's reports and whoever the history puts under them around that day — not a province's org chart."""
    start, end = _window(day)
    then = await uow.org.memberships(start, end, supervisor_ids={supervisor_id})
    now = await uow.org.list_people(None, include_inactive=True, reporting_to={supervisor_id})
    rows = await uow.org.list_people(None, include_inactive=True,
                                     ids=set(then) | {p.id for p in now} | {supervisor_id})
    days, people, _, boss_of, _ = await _people_of_day(uow, day, rows, everyone=False)
    people = [p for p in people if boss_of(p) == supervisor_id]
    lines = await digest.lines_for(uow, {p.id: p.name for p in people}, day,
                                   {p.id: days[p.unit].mode_without_roster for p in people})
    return sorted(lines.values(), key=lambda line: line.name)


async def chain_of_day(uow: UnitOfWork, person_id: int, day: dt.date) -> list[int]:
    """The person's superiors on `day`, nearest first, as `org_membership` recorded them (today's where it did
    not): who may review that day's report besides their chain of today. Asked only when today's chain does not
    already allow it; a few small reads a level, the chain's people only."""
    chain: list[int] = []
    current = person_id
    while True:
        rows = await uow.org.list_people(None, include_inactive=True, ids={current})
        if not rows:
            return chain
        boss_nip = rows[0].supervisor_nip
        holder = await uow.org.holder_of_nip(boss_nip) if boss_nip else None
        if holder is not None:
            rows += await uow.org.list_people(None, include_inactive=True, ids={holder[0]})
        _, _, _, boss_of, _ = await _people_of_day(uow, day, rows, everyone=False)
        boss = boss_of(rows[0])
        if boss is None or boss in chain or boss == person_id:  # a cycle (refused by the import) is cut
            return chain
        chain.append(boss)
        current = boss


async def people_of_day(uow: UnitOfWork, person_ids: Collection[int], day: dt.date) -> dict[int, Actor]:
    """These people as `day` had them, for a digest's 👁 and a Plh's /rekap of that day: also someone deactivated
    since (as that day's digest still lists them), each with the unit, and its zone, that day was counted with.
    Someone deactivated who was not in the org chart that day is left out, as the digest leaves them out; the
    name is today's (a person's row keeps no history of it)."""
    found = await uow.people.actors(sorted(set(person_ids)), inactive=True)
    if not found:
        return {}
    rows = await uow.org.list_people(None, include_inactive=True, ids=set(found))
    _, present, _, _, unit_of = await _people_of_day(uow, day, rows, everyone=False)
    units = {p.id: unit_of(p) for p in present}
    active = {p.id for p in rows if p.active}
    out: dict[int, Actor] = {}
    for person_id, actor in found.items():
        unit = units.get(person_id)
        if unit is not None:
            out[person_id] = replace(actor, unit=unit.name, unit_id=unit.id, timezone=unit.timezone)
        elif person_id in active:  # added since that day: as they are today, as before
            out[person_id] = actor
    return out


async def _people_of_day(uow: UnitOfWork, day: dt.date, rows: list[PersonRow], *, everyone: bool = True):
    """The units' `day`s; of `rows` the people in the org chart at that day's deadline, as its memberships
    recorded it: a past day's digest keeps someone deactivated since (their report can still be approved)
    and leaves out someone added after it, or out that day (transferred away and back since); the units'
    zones; a function giving a person's supervisor of that day (today's where none was recorded); and one
    giving the unit they were counted with that day (today's where none was recorded).
    `everyone`: `rows` is the whole org chart, whose history is read whole; else only theirs."""
    days = await unit_dates(uow, day)
    stored = await uow.org.stored_units()
    units = stored.values()
    zones, names = {u.name: u.timezone for u in units}, {u.id: u.name for u in units}
    memberships = await uow.org.memberships(*_window(day), person_ids=None if everyone else {p.id for p in rows})

    def deadline_of(unit: str, on: dt.date) -> dt.datetime:
        return local_time(on, days[unit].hours.deadline, zones[unit])

    def deadline_by_id(unit_id: int, on: dt.date) -> dt.datetime:
        return deadline_of(names[unit_id], on)

    def present(p: PersonRow) -> bool:
        if p.id in memberships:
            return unit_of_day(memberships[p.id], day, deadline_by_id) is not None
        return p.in_org_chart_at(deadline_of(p.unit, day))  # none recorded (written around the import)

    by_nip = {p.nip: p.id for p in rows}  # everyone: a supervisor deactivated since is still named

    def boss_of(p: PersonRow) -> int | None:
        today = by_nip.get(p.supervisor_nip) if p.supervisor_nip else None
        return supervisor_of_day(memberships.get(p.id, ()), day, deadline_by_id, today)

    def unit_of(p: PersonRow) -> StoredUnit:
        unit_id = unit_of_day(memberships.get(p.id, ()), day, deadline_by_id)
        return stored[names[unit_id] if unit_id is not None else p.unit]

    return days, [p for p in rows if p.unit in days and present(p)], zones, boss_of, unit_of


def _window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The memberships that can decide `day` in any zone: from the day before to the day after (UTC)."""
    return _midnight(day - dt.timedelta(days=1)), _midnight(day + dt.timedelta(days=2))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def as_record(item: SupervisorDigest, day: dt.date) -> dict:
    return {
        "date": day.isoformat(),
        "supervisor": {"nip": item.supervisor.nip, "name": item.supervisor.name, "unit": item.supervisor.unit},
        "people": [
            {
                "nip": item.nips[x.person_id], "name": x.name, "mode": x.mode.value, "status": x.status,
                "submitted_at": iso_utc(x.submitted_at) if x.submitted_at else None,
                "tasks_done": x.done, "tasks_total": x.total, "evidence": x.evidence,
                "flags": digest_presence.flags_record(x), "presence": digest_presence.presence_record(x),
                "approval": x.approval or ("waiting" if digest.waiting_review(x) else None),
            }
            for x in item.lines
        ],
    }
