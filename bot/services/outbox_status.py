"""What the outbox holds and the plan of today's briefing waves: for `apel outbox status|plan`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.org_terms import Channel
from bot.domain.schedule import local_time
from bot.outbox.plan import Wave, estimated_finish, plan
from bot.outbox.records import QueueCount, WaveProgress
from bot.ports import UnitOfWork
from bot.services.briefing import briefing_key_prefix
from bot.services.routine import unit_days
from bot.texts import ZONE_ABBREVIATIONS


@dataclass(frozen=True)
class WaveRow:
    channel: Channel
    rate: float  # the channel's bulk sends a second, the wave planned on it
    target: dt.datetime  # apel, UTC
    zones: str  # e.g. "WIT" or "WITA, WIB"
    timezone: str  # of the first of `zones`, to show the times in
    units: int
    people: int
    sent: int  # briefings of the wave sent so far on the channel
    start: dt.datetime  # the latest start that still reaches everyone by apel at the rate
    # When the wave's last briefing was sent, once it is out; until then the expected end, if started now
    # behind what is queued (or at `start`, if later).
    finish: dt.datetime
    on_time: bool


async def queue(uow: UnitOfWork) -> list[QueueCount]:
    return await uow.outbox.counts()


async def waves(uow: UnitOfWork, now: dt.datetime, rates: Mapping[Channel, float]) -> list[WaveRow]:
    """Today's briefing waves of the units that work today and have not passed their deadline, a plan per
    channel of `rates` (its bulk sends a second), each channel's senders sending at their own pace. WhatsApp's
    are the people the routine reaches there (`addresses`); Telegram's everyone else, also people without a
    chat yet, as the routine's own plan counts everyone at Telegram's rate. A channel other than Telegram is
    listed when it reaches someone of the waves."""
    days = [u for u in await unit_days(uow, now) if u.kind.workday and now < u.deadline_at]
    active = await uow.org.list_people({u.unit.name for u in days}, include_inactive=False)
    reached = {a.person_id: a.channel for a in await uow.people.addresses([p.id for p in active])}
    by_target: dict[dt.datetime, list] = {}
    for u in days:
        by_target.setdefault(u.apel_at, []).append(u)
    rows = []
    for channel, rate in rates.items():
        people = Counter(p.unit for p in active if _planned_on(reached.get(p.id), rates) is channel)
        if channel is not Channel.TELEGRAM and not people:
            continue
        rows += await _channel_waves(uow, now, channel, rate, days, by_target, people)
    return rows


def _planned_on(channel: Channel | None, rates: Mapping[Channel, float]) -> Channel:
    return channel if channel in rates else Channel.TELEGRAM


async def _channel_waves(uow: UnitOfWork, now: dt.datetime, channel: Channel, rate_per_s: float, days: list,
                         by_target: dict[dt.datetime, list], people: Counter) -> list[WaveRow]:
    planned = plan([Wave(t, sum(people[u.unit.name] for u in us)) for t, us in by_target.items()], rate_per_s)
    by_unit = await _briefings_by_unit(uow, days, channel)
    rows = []
    for p in planned:
        progress = _sum([by_unit.get((u.unit.id, u.day)) for u in by_target[p.target]])
        if progress.sent and not progress.pending:
            finish = progress.last_sent_at  # out already: when it finished, not a forecast from now
        else:
            ahead = await uow.outbox.queued_before(channel, p.target)
            if progress.pending:  # on its way: everything queued up to its apel goes first
                finish = estimated_finish(now, ahead, 0, rate_per_s)
            else:
                begin = max(now, p.start)
                finish = estimated_finish(begin, ahead if begin == now else 0, p.count, rate_per_s)
        zones = sorted({(ZONE_ABBREVIATIONS.get(u.unit.timezone, u.unit.timezone), u.unit.timezone)
                        for u in by_target[p.target]})
        rows.append(WaveRow(channel, rate_per_s, p.target, ", ".join(dict.fromkeys(z for z, _ in zones)), zones[0][1],
                            len(by_target[p.target]), p.count, progress.sent, p.start, finish, finish <= p.target))
    return rows


async def _briefings_by_unit(uow: UnitOfWork, days: list, channel: Channel) -> dict[tuple[int, dt.date], WaveProgress]:
    """Each unit's briefings of its day (in its zone), counted by day and kind: a wave sent at 07.10 for a 07.30
    apel is still sent when apel has moved to 08.00 since (its messages keep the target they were queued for)."""
    found: dict[tuple[int, dt.date], WaveProgress] = {}
    for day in sorted({u.day for u in days}):
        since = min(local_time(day, dt.time(0, 0), u.unit.timezone) for u in days if u.day == day)
        progress = await uow.outbox.briefings_by_unit(channel, briefing_key_prefix(day), since)
        found.update({(unit_id, day): p for unit_id, p in progress.items()})
    return found


def _sum(parts: list[WaveProgress | None]) -> WaveProgress:
    present = [p for p in parts if p is not None]
    last = max((p.last_sent_at for p in present if p.last_sent_at is not None), default=None)
    return WaveProgress(sum(p.pending for p in present), sum(p.sent for p in present), last)
