"""One unit's hours on one day (apel, deadline, weekdays), as its schedule, inherited and overridden
(Ramadan hours, a Friday deadline), sets them: what a turn and a single briefing judge a day by."""

from __future__ import annotations

import datetime as dt

from bot.domain.schedule import DaySchedule
from bot.domain.unit_schedule import resolve
from bot.ports import UnitOfWork


async def day_schedule_of(uow: UnitOfWork, unit_id: int, day: dt.date) -> DaySchedule:
    chain, layers = await uow.routine.chain_layers(unit_id)
    return resolve(chain, layers, day).day(day)
