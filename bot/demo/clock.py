"""The demo's clock: the script sets the time, the core reads it. Never the wall clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


class ScriptedClock:
    """A `bot.ports.Clock` that stands still until the script moves it, and only forwards: a day played
    backwards would make the routine's "what is due now?" meaningless."""

    def __init__(self, start: dt.datetime):
        if start.tzinfo is None:
            raise ValueError("ScriptedClock needs an aware datetime")
        self.current = start.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self.current

    def set(self, moment: dt.datetime) -> dt.datetime:
        moment = moment.astimezone(dt.UTC)
        if moment < self.current:
            raise ValueError(f"the scripted clock only moves forward ({moment} < {self.current})")
        self.current = moment
        return moment

    def at(self, day: dt.date, clock_time: str, zone: str = "Asia/Jakarta") -> dt.datetime:
        """Move to `clock_time` ("07.30" or "07:30") of `day` in `zone`."""
        hours, minutes = clock_time.replace(".", ":").split(":")
        local = dt.datetime.combine(day, dt.time(int(hours), int(minutes)), ZoneInfo(zone))
        return self.set(local)

    def advance(self, **delta) -> dt.datetime:
        return self.set(self.current + dt.timedelta(**delta))
