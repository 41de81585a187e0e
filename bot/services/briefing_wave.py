"""The morning briefings as waves: for a province every person's briefing goes into the outbox in a
few statements per thousand people, each keyed (person, day, channel) and expiring at the deadline;
supervisors are queued first so their people's questions find them briefed."""

from __future__ import annotations

import datetime as dt

from bot.domain.workday import DEFAULT_MODE, EXCUSED, Mode
from bot.messages import Outgoing, Urgency
from bot.ports import UnitOfWork
from bot.services.briefing import briefing_key, render_briefing
from bot.services.turn import translator

CHUNK = 1000


async def brief_people(uow: UnitOfWork, *, person_ids: list[int], day: dt.date, apel_at: dt.datetime,
                       deadline_at: dt.datetime, now: dt.datetime, default_language: str) -> list[Outgoing]:
    """Queue the briefing of those not briefed yet who have somewhere to receive it; mark them briefed."""
    out: list[Outgoing] = []
    actors = await uow.people.actors(person_ids)
    addresses: dict[int, list] = {}
    for address in await uow.people.addresses(list(actors)):
        addresses.setdefault(address.person_id, []).append(address)
    # Nobody to send it to yet: left unmarked, so the first tick after they link gets it to them.
    reachable = [pid for pid in person_ids if pid in addresses]
    await uow.waves.ensure_work_days(reachable, day, DEFAULT_MODE.value)
    work_days = await uow.day.work_days_for(reachable, day)
    marked = await uow.waves.mark_briefed(
        [pid for pid in reachable if Mode(work_days[pid].mode) not in EXCUSED], day, now)
    tasks = await uow.waves.tasks_for_people(sorted(marked), day)
    announced: list[int] = []
    ordered = sorted(marked, key=lambda pid: (not actors[pid].is_supervisor, pid))
    for pid in ordered:
        actor = actors[pid]
        t = translator(actor.language, default_language)
        reply, task_ids = render_briefing(actor, day, Mode(work_days[pid].mode), tasks.get(pid, []), deadline_at, t)
        announced += task_ids
        out += [Outgoing(a.channel, a.external_id, reply, Urgency.BULK, pid, kind="briefing",
                         key=briefing_key(day, pid, a.channel.value), target_at=apel_at, expires_at=deadline_at)
                for a in addresses[pid]]
    await uow.day.mark_announced(announced, now)
    uow.outbox.add(out)
    return out
