"""When a bulk wave must start to be sent by its target time at the configured rate.

Waves are sent one after another in the order of their targets (the earliest apel first: WIT, then
WITA, then WIB); working backwards from the last one, each must start early enough for itself and for
every later wave that would otherwise have to start before it ends."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

MARGIN = 1.1  # 10% slack for retries and replies that go first


@dataclass(frozen=True)
class Wave:
    target: dt.datetime  # when everybody should have it (apel)
    count: int  # messages in it


@dataclass(frozen=True)
class PlannedWave:
    target: dt.datetime
    count: int
    start: dt.datetime  # the latest moment it may start and still finish in time
    duration: dt.timedelta


def duration(count: int, rate_per_s: float) -> dt.timedelta:
    return dt.timedelta(seconds=math.ceil(count * MARGIN / rate_per_s)) if count else dt.timedelta(0)


def plan(waves: list[Wave], rate_per_s: float) -> list[PlannedWave]:
    """Start times, earliest target first."""
    ordered = sorted(waves, key=lambda w: w.target)
    planned: list[PlannedWave] = []
    next_start: dt.datetime | None = None
    for wave in reversed(ordered):
        length = duration(wave.count, rate_per_s)
        end = wave.target if next_start is None else min(wave.target, next_start)
        start = end - length
        planned.append(PlannedWave(wave.target, wave.count, start, length))
        next_start = start
    return list(reversed(planned))


def estimated_finish(now: dt.datetime, queued_ahead: int, count: int, rate_per_s: float) -> dt.datetime:
    """When a wave queued now behind `queued_ahead` messages is expected to be sent."""
    return now + duration(queued_ahead + count, rate_per_s)


def minute_up(moment: dt.datetime) -> dt.datetime:
    """`moment` rounded up to a whole minute, for a finish shown to the minute: an end at 07.30.40 is not
    over by 07.30, and a cut-off "07.30" beside "not on time" for a 07.30 apel contradicts itself."""
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + dt.timedelta(minutes=1)
