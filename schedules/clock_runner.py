"""The routine's clock: one APScheduler 3 interval job that asks `Routine.tick` what is due now.

Why it cannot lose a briefing: the job only asks the database what is due at this instant, so a tick
that fires late, or a process that starts at 07:40, still finds the 07:30 briefing due (until the
deadline). APScheduler's default `misfire_grace_time` of 1 s would silently drop a late run; here it
is None (run however late), runs coalesce, and at most one runs at a time.

Why it fires once in a deployment: a tick only runs while this process holds the scheduler lease
(a row in `scheduler_lease`, renewed every tick). A second scheduler waits; when the holder stops
renewing, the lease expires and the other takes over."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.messages import Outgoing
from bot.outage import DATABASE, Outage
from bot.ports import Clock, UnitOfWorkFactory
from bot.services.routine import Routine
from storage.availability import database_unavailable

log = logging.getLogger(__name__)

STOP_WAIT_S = 20.0  # how long stop() lets a tick in progress finish (systemd waits 90 s by default)
LEASE = "routine"
WHERE = "the routine's clock"
Deliver = Callable[[list[Outgoing]], Awaitable[None]]


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class RoutineClock:
    def __init__(
        self,
        routine: Routine,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        deliver: Deliver,
        *,
        holder: str | None = None,
        interval_s: int = 60,
        lease_ttl_s: int = 180,
        outage: Outage = DATABASE,
        unavailable: Callable[[BaseException], bool] = database_unavailable,
    ):
        self.routine = routine
        self.uow_factory = uow_factory
        self.clock = clock
        self.deliver = deliver
        self.holder = holder or holder_name()
        self.interval_s = interval_s
        self.lease_ttl = dt.timedelta(seconds=lease_ttl_s)
        self.scheduler: AsyncIOScheduler | None = None
        self.outage = outage
        self.unavailable = unavailable
        self._failing = False  # in a run of failed ticks that are not a database outage
        self._ticking: asyncio.Task | None = None  # the tick in progress, which stop() lets finish
        self._held: bool | None = None  # whether the last tick found the lease ours (None: not asked yet)

    async def holds_lease(self) -> bool:
        async with self.uow_factory() as uow:
            held = await uow.routine.take_lease(LEASE, self.holder, self.clock.now(), self.lease_ttl)
            await uow.commit()
        if held != self._held:  # a deployer reading the log learns which scheduler is the active one
            log.info("%s: this process (%s) %s", WHERE, self.holder,
                     "holds the lease and ticks" if held else "stands by: another process holds the lease")
            self._held = held
        return held

    async def tick(self) -> bool:
        """One tick; False when another process holds the lease (then nothing is done here)."""
        if not await self.holds_lease():
            return False
        out = await self.routine.tick()
        if out:
            await self.deliver(out)
        return True

    async def _safe_tick(self) -> None:
        """One tick that never stops the clock. Nothing is retried here: the next tick asks again what
        is due, and finds whatever this one could not do (every step is idempotent)."""
        self._ticking = asyncio.current_task()
        try:
            await self._guarded_tick()
        finally:
            self._ticking = None

    async def _guarded_tick(self) -> None:
        try:
            await self.tick()
        except Exception as error:  # noqa: BLE001 - one failed tick must not stop the clock
            if self.unavailable(error):
                self.outage.failed(error, WHERE)  # once per outage, not once per tick
            elif not self._failing:
                self._failing = True
                log.exception("routine tick failed; the next tick tries again")
            return
        if self.outage.ongoing:
            self.outage.back(WHERE)
        if self._failing:
            self._failing = False
            log.warning("routine tick works again")

    def start(self) -> None:
        self.scheduler = AsyncIOScheduler(timezone=dt.UTC)
        self.scheduler.add_job(
            self._safe_tick,
            IntervalTrigger(seconds=self.interval_s),
            next_run_time=dt.datetime.now(dt.UTC),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            id="routine-tick",
        )
        self.scheduler.start()

    async def stop(self) -> None:
        if self.scheduler is not None:
            # No new tick; one in progress finishes (a few short transactions) before the shutdown, which
            # would cancel it, and APScheduler logged that cancellation as a failed job, with a traceback.
            self.scheduler.pause()
            ticking = self._ticking
            if ticking is not None and not ticking.done():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(ticking), STOP_WAIT_S)
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        try:
            async with self.uow_factory() as uow:
                await uow.routine.drop_lease(LEASE, self.holder)
                await uow.commit()
            # Without it the log of a stopped holder ended at "holds the lease and ticks", and nothing told the
            # deployer that a standby would now take over at its next tick.
            log.info("%s: this process (%s) stops%s", WHERE, self.holder,
                     " and releases the lease" if self._held else "")
        except Exception as error:
            if not self.unavailable(error):
                raise
            # Stopping during an outage: the lease expires by itself (lease_ttl) and a standby takes over.
            log.warning("the scheduler lease could not be released: the database is unavailable")
