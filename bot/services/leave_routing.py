"""Who is asked to decide a leave or permission request. The direct superior, unless they cannot get it
(no chat account linked, or the channel gave up on them) or are away themselves (approved cuti or sakit
that day): then the next one up the chain who can, and without anyone in the chain, the admins. Anyone
above in the chain, or an admin, may decide (`leave_decision.on_decision`); this only picks who is told,
so that no request waits, unseen, for someone who will not see it before it expires. A superior with an
acting official (Plh) designated that day is stood in for by the Plh (`standing_in`), at work or not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.workday import Mode
from bot.ports import UnitOfWork

AWAY = frozenset({Mode.LEAVE, Mode.SICK})  # on field duty (DL) a superior still decides by phone
PLH = "plh"  # the why of a superior stood in for by their Plh (`leave.away_plh`)


@dataclass(frozen=True)
class Deciders:
    to: list[int]  # who is told: one superior, or the admins; empty when nobody can get it
    passed_over: int | None = None  # the direct superior, when someone else is told
    away_mode: str | None = None  # why: their mode that day ("cuti", "sakit"), PLH; None when not linked


async def deciders_for(uow: UnitOfWork, person_id: int, day: dt.date) -> Deciders:
    chain = await uow.people.chain(person_id)
    active = await uow.people.actors(chain)
    chain = [boss for boss in chain if boss in active]
    admins = [a for a in await uow.presence.admins() if a != person_id]
    reachable = {a.person_id for a in await uow.people.addresses(chain + admins)}
    modes = {pid: w.mode for pid, w in (await uow.day.work_days_for(chain, day)).items()}
    plh = await standing_in(uow, [(boss, day) for boss in chain])
    chosen = next((plh.get((boss, day), boss) for boss in chain
                   if (boss, day) in plh or boss in reachable and modes.get(boss) not in AWAY), None)
    first = chain[0] if chain else None
    if chosen is not None and chosen == first:
        return Deciders([chosen])
    to = [chosen] if chosen is not None else [a for a in admins if a in reachable]
    if (first, day) in plh:
        return Deciders(to, first, PLH)
    return Deciders(to, first, modes.get(first) if modes.get(first) in AWAY else None)


async def standing_in(uow: UnitOfWork, pairs: Iterable[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], int]:
    """(official, day) -> the Plh designated for them that day, for those of `pairs` whose Plh can get a message
    and is not away themself that day (else the official is passed up as without one)."""
    pairs = set(pairs)
    found = {k: p for k, p in (await uow.plh.acting({o for o, _ in pairs}, {d for _, d in pairs})).items()
             if k in pairs}
    if not found:
        return {}
    plhs = sorted(set(found.values()))
    reachable = {a.person_id for a in await uow.people.addresses(plhs)} - await uow.people.inactive_among(plhs)
    usable = {}
    for day in {d for _, d in found}:
        plhs = sorted({p for (_, d), p in found.items() if d == day})
        away = {pid for pid, w in (await uow.day.work_days_for(plhs, day)).items() if w.mode in AWAY}
        usable.update({k: p for k, p in found.items() if k[1] == day and p in reachable and p not in away})
    return usable


def why_key(deciders: Deciders) -> str:
    """The catalog key saying why the direct superior was passed over."""
    return f"leave.away_{deciders.away_mode}" if deciders.away_mode else "leave.unlinked"
