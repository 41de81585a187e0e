"""One scheduler process for `test_routine_processes`: ticks N times at a fixed instant against the
given database and prints how many ticks it ran and how many briefings it made, as JSON."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys

from bot.services.routine import Routine
from schedules.clock_runner import RoutineClock
from storage.unit_of_work import Database


class FakeFixedClock:
    def __init__(self, at: dt.datetime):
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


async def main(url: str, schema: str, holder: str, ticks: int, at: str) -> None:
    db = Database(url, schema=schema or None)
    clock = FakeFixedClock(dt.datetime.fromisoformat(at))
    made: list = []

    async def deliver(out):
        made.extend(out)

    routine_clock = RoutineClock(Routine(db.uow, clock=clock, default_language="id"), db.uow, clock, deliver,
                                 holder=holder)
    ran = 0
    try:
        for _ in range(ticks):
            ran += await routine_clock.tick()
            await asyncio.sleep(0.02)
    finally:
        await db.dispose()
    print(json.dumps({"ticks": ran, "briefings": sum("Apel pagi" in o.reply.text for o in made)}))


if __name__ == "__main__":
    url, schema, holder, ticks, at = sys.argv[1:6]
    asyncio.run(main(url, schema, holder, int(ticks), at))
