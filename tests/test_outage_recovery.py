"""The database going away and coming back, inside one process (issue #9): what counts as an outage,
that it is logged once, and that the outbox sender and the routine's clock outlive it.

The shared PostgreSQL is never stopped here: `FakeDatabaseOutage` refuses new connections on either
engine. tests/test_database_outage.py stops a real, private server under a real `apel run`."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import exc as sa_exc

from bot.domain.org_terms import Channel
from bot.messages import Outgoing, Reply
from bot.outage import Outage
from bot.services.routine import Routine
from schedules.clock_runner import RoutineClock
from storage.availability import database_unavailable
from tests.database_outage import FakeDatabaseOutage
from tests.test_outbox import FakeTransport, chat, queue, rows, sender_for  # noqa: F401 - `chat` is a fixture


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _caused(error: BaseException, cause: BaseException) -> BaseException:
    error.__cause__ = cause
    return error


class _Coded(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(f"server said {sqlstate}")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(("error", "outage"), [
    (ConnectionRefusedError(111, "Connect call failed"), True),
    (TimeoutError(), True),
    (OSError(28, "No space left on device"), True),
    (sa_exc.DBAPIError("SELECT 1", {}, Exception("closed"), connection_invalidated=True), True),
    (sa_exc.OperationalError("INSERT", {}, Exception("database is locked")), True),
    (sa_exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")), True),
    (sa_exc.DBAPIError("SELECT 1", {}, _Coded("57P03")), True),  # the database system is starting up
    (sa_exc.DBAPIError("SELECT 1", {}, _Coded("08006")), True),
    (_caused(RuntimeError("turn failed"), ConnectionResetError()), True),
    (sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key")), False),
    (sa_exc.ProgrammingError("SELEC", {}, _Coded("42601")), False),
    (RuntimeError("a bug"), False),
    (PermissionError(13, "Permission denied"), False),  # a wrong MEDIA_DIR: waiting does not mend it
])
def test_an_unreachable_database_is_told_from_a_bug(error, outage):
    assert database_unavailable(error) is outage


def test_an_outage_is_told_once_when_it_starts_again_only_after_long_and_once_when_it_ends(caplog):
    monotonic = FakeMonotonic()
    outage = Outage("the database", monotonic=monotonic, remind_s=600)
    caplog.set_level(logging.INFO, logger="apel.outage")
    for _ in range(1000):
        outage.failed(ConnectionRefusedError(111, "Connect call failed"), "outbox lane 0")
        monotonic.now += 0.5
    outage.back("telegram polling")
    outage.back("outbox lane 2")  # a second part that resumes says nothing more
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines
    assert lines[0].startswith("the database is unavailable (ConnectionRefusedError")
    assert lines[1] == "the database is back after 500 s (1000 failed attempts; telegram polling resumed first)"
    outage.failed(RuntimeError("x"), "a")
    monotonic.now += 601
    outage.failed(RuntimeError("x"), "a")
    assert "still unavailable after 601 s" in caplog.records[-1].getMessage()


async def _until(condition, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_the_outbox_sender_outlives_an_outage_logs_it_once_and_sends_what_was_queued_meanwhile(chat, caplog):
    outage = FakeDatabaseOutage(chat.db)
    transport = FakeTransport()
    sender = sender_for(chat, transport, outage=Outage("the database"), poll_s=0.05)
    stop = asyncio.Event()
    caplog.set_level(logging.INFO)
    running = asyncio.create_task(sender.run(stop))
    try:
        await asyncio.sleep(0.3)
        await outage.start()
        await asyncio.sleep(2.0)  # both lanes poll every 0.05 s: without a back-off that is 80 failures
        outage.end()
        await queue(chat.db, Outgoing(channel=Channel.TELEGRAM, external_id="501", reply=Reply(text="after")))

        async def delivered_and_recorded() -> bool:
            return any(text == "after" for _, text, _ in transport.calls) and await _all_sent(chat.db)

        await _until(delivered_and_recorded, 10)
    finally:
        stop.set()
        await running
    assert not running.exception()
    assert outage.refused >= 2
    unavailable = [r for r in caplog.records if "is unavailable" in r.getMessage()]
    back = [r for r in caplog.records if "is back after" in r.getMessage()]
    assert len(unavailable) == 1 and len(back) == 1, caplog.text
    assert not [r for r in caplog.records if r.exc_info], "an outage is one line, not a traceback per try"


async def _all_sent(db) -> bool:
    return all(row.status == "sent" for row in await rows(db))


async def test_the_routines_clock_outlives_an_outage_and_ticks_again_after_it(db, clock, caplog):
    outage = FakeDatabaseOutage(db)
    ticks: list[int] = []

    async def deliver(out) -> None:
        ticks.append(len(out))

    routine_clock = RoutineClock(Routine(db.uow, clock=clock, default_language="id"), db.uow, clock, deliver,
                                 holder="t", outage=Outage("the database"))
    caplog.set_level(logging.INFO)
    await routine_clock._safe_tick()
    assert await routine_clock.holds_lease()
    await outage.start()
    for _ in range(3):
        await routine_clock._safe_tick()  # each fails; none raises
    outage.end()
    await routine_clock._safe_tick()
    assert await routine_clock.holds_lease()  # the same holder renews after the outage
    unavailable = [r for r in caplog.records if "is unavailable" in r.getMessage()]
    back = [r for r in caplog.records if "is back after" in r.getMessage()]
    assert len(unavailable) == 1 and "the routine's clock" in unavailable[0].getMessage() and len(back) == 1
    assert outage.refused >= 3
    await outage.start()
    await routine_clock.stop()  # stopping during an outage leaves the lease to expire, without raising
    outage.end()
