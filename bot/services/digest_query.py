"""Digests on demand, for any day: the CLI (`apel digest`) and `/rekap [date]`; never sends anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.clock import iso_utc
from bot.ports import PersonRow, UnitOfWork
from bot.services import digest, digest_presence
from bot.services.day_schedule import modes_of_people
from bot.services.org_directory import units_under


@dataclass(frozen=True)
class SupervisorDigest:
    supervisor: PersonRow
    lines: list[digest.Line]
    nips: dict[int, str]


async def digests_for(uow: UnitOfWork, *, day: dt.date, unit: str | None) -> list[SupervisorDigest]:
    """Every supervisor in the unit (and below), with their direct reports' lines; one batch of queries."""
    scope = await units_under(uow, unit)
    people = await uow.org.list_people(None, include_inactive=False)
    by_nip = {p.nip: p for p in people}
    reports: dict[int, list[PersonRow]] = {}
    for p in people:
        boss = by_nip.get(p.supervisor_nip) if p.supervisor_nip else None
        if boss is not None:
            reports.setdefault(boss.id, []).append(p)
    bosses = [p for p in people if p.id in reports and (scope is None or p.unit in scope)]
    wanted = {r.id: r.name for b in bosses for r in reports[b.id]}
    # a weekend or holiday: libur, not "missing"
    modes = await modes_of_people(uow, day, {r.id: r.unit for b in bosses for r in reports[b.id]})
    lines = await digest.lines_for(uow, wanted, day, modes)
    return [
        SupervisorDigest(b, [lines[r.id] for r in sorted(reports[b.id], key=lambda r: r.name)],
                         {r.id: r.nip for r in reports[b.id]})
        for b in sorted(bosses, key=lambda b: (b.unit, b.name))
    ]


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
