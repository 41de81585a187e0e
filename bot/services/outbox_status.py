"""What the outbox holds and the plan of today's briefing waves: for `apel outbox status|plan`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from bot.domain.org_terms import Channel
from bot.outbox.plan import Wave, estimated_finish, plan
from bot.outbox.records import QueueCount
from bot.ports import UnitOfWork
from bot.services.routine import unit_days
from bot.texts import ZONE_ABBREVIATIONS


@dataclass(frozen=True)
class WaveRow:
    target: dt.datetime  # apel, UTC
    zones: str  # e.g. "WIT" or "WITA, WIB"
    timezone: str  # of the first of `zones`, to show the times in
    units: int
    people: int
    sent: int  # briefings of the wave sent so far (Telegram)
    start: dt.datetime  # the latest start that still reaches everyone by apel at the rate
    # When the wave's last briefing was sent, once it is out; until then the expected end, if started now
    # behind what is queued (or at `start`, if later).
    finish: dt.datetime
    on_time: bool


async def queue(uow: UnitOfWork) -> list[QueueCount]:
    return await uow.outbox.counts()


async def waves(uow: UnitOfWork, now: dt.datetime, rate_per_s: float) -> list[WaveRow]:
    """Today's briefing waves of the units that work today and have not passed their deadline."""
    days = [u for u in await unit_days(uow, now) if u.kind.workday and now < u.deadline_at]
    people = Counter(p.unit for p in await uow.org.list_people({u.unit.name for u in days}, include_inactive=False))
    by_target: dict[dt.datetime, list] = {}
    for u in days:
        by_target.setdefault(u.apel_at, []).append(u)
    planned = plan([Wave(t, sum(people[u.unit.name] for u in us)) for t, us in by_target.items()], rate_per_s)
    rows = []
    for p in planned:
        progress = await uow.outbox.wave_progress(Channel.TELEGRAM, p.target)
        if progress.sent and not progress.pending:
            finish = progress.last_sent_at  # out already: when it finished, not a forecast from now
        else:
            ahead = await uow.outbox.queued_before(Channel.TELEGRAM, p.target)
            if progress.pending:  # on its way: everything queued up to its apel goes first
                finish = estimated_finish(now, ahead, 0, rate_per_s)
            else:
                begin = max(now, p.start)
                finish = estimated_finish(begin, ahead if begin == now else 0, p.count, rate_per_s)
        zones = sorted({(ZONE_ABBREVIATIONS.get(u.unit.timezone, u.unit.timezone), u.unit.timezone)
                        for u in by_target[p.target]})
        rows.append(WaveRow(p.target, ", ".join(dict.fromkeys(z for z, _ in zones)), zones[0][1],
                            len(by_target[p.target]), p.count, progress.sent, p.start, finish, finish <= p.target))
    return rows
