"""Sending today's briefing to everyone (or a unit) now: `apel run-step briefing`, for testing and for
recovering after an outage. Idempotent like the routine's own tick: nobody is briefed twice a day."""

from __future__ import annotations

from bot.domain.schedule import is_workday, local_date
from bot.messages import Outgoing
from bot.ports import Clock, UnitOfWorkFactory
from bot.services.briefing import send_briefing
from bot.services.org_directory import units_under


async def brief_everyone(
    uow_factory: UnitOfWorkFactory, *, clock: Clock, unit: str | None, default_language: str
) -> list[Outgoing]:
    async with uow_factory() as uow:
        people = await uow.people.everyone_in(await units_under(uow, unit))
        actors = await uow.people.actors(people)
    out: list[Outgoing] = []
    for person_id in people:
        actor = actors[person_id]
        day = local_date(clock.now(), actor.timezone)
        if not is_workday(day):
            continue
        out += await send_briefing(
            uow_factory, clock=clock, person_id=person_id, day=day, default_language=default_language
        )
    return out
