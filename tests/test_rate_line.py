"""The line of sends waiting for a channel's shared buckets: one task asks the buckets and hands the slots
to the waiters, first come first served (bot/outbox/rate.py `_Line`)."""

from __future__ import annotations

import asyncio
import time

import pytest
from limits import RateLimitItemPerSecond
from limits.aio.storage import memory as limits_memory

from bot.domain.org_terms import Channel
from bot.outbox.rate import ChannelLimits, PacedMemoryStorage, SendLimits, telegram_limits


def limits_of(per_s: int, storage=None) -> SendLimits:
    rate = RateLimitItemPerSecond(per_s)
    return SendLimits({Channel.TELEGRAM: ChannelLimits(rate, rate, RateLimitItemPerSecond(3, 3))}, storage)


class _HeldTime:
    """`time` as limits' memory storage reads it, held at one moment while `held` is set."""

    def __init__(self) -> None:
        self.held: float | None = None

    def time(self) -> float:
        return self.held if self.held is not None else time.time()

    def __getattr__(self, name: str):
        return getattr(time, name)


async def test_slots_freed_together_reach_every_waiter_in_the_same_turn_of_the_event_loop(monkeypatch):
    # Passing a lock from waiter to waiter let one send through per turn once the window was full: at
    # 1,000/s the turns themselves were the ceiling.
    clock = _HeldTime()
    monkeypatch.setattr(limits_memory, "time", clock)
    limits = limits_of(20)
    # The first twenty hits share one stamp, so their slots free at one moment. Left to the wall clock, a
    # machine at load 4 spread them over a tenth of a second, and they freed (rightly) one per turn.
    clock.held = time.time()
    await asyncio.gather(*(limits.acquire(Channel.TELEGRAM, f"a{chat}", 2) for chat in range(20)))  # window full
    clock.held = None
    waiting = [asyncio.create_task(limits.acquire(Channel.TELEGRAM, f"b{chat}", 2)) for chat in range(20)]
    while not any(send.done() for send in waiting):  # about a second, until the first twenty slots free
        await asyncio.sleep(0.001)
    turns = 0
    while not all(send.done() for send in waiting):
        await asyncio.sleep(0)
        turns += 1
    assert turns <= 3, turns
    await asyncio.gather(*waiting)


async def test_the_line_keeps_the_window_and_serves_in_order():
    limits = limits_of(5)
    order: list[int] = []

    async def send(n: int) -> None:
        await limits.acquire(Channel.TELEGRAM, str(n), 2)
        order.append(n)

    await asyncio.wait_for(asyncio.gather(*(send(n) for n in range(8))), timeout=5)
    assert order[:5] == [0, 1, 2, 3, 4] and sorted(order) == list(range(8))
    assert limits.waited_s > 0  # the last three waited for the window


class FakeBrokenStorage(PacedMemoryStorage):
    """Redis gone: every moving-window hit fails."""

    async def acquire_entry(self, *args, **kwargs):
        raise ConnectionError("redis is down")


async def test_a_storage_failure_reaches_every_waiting_send_instead_of_leaving_it_waiting():
    limits = limits_of(1000, FakeBrokenStorage())
    results = await asyncio.wait_for(asyncio.gather(
        *(limits.acquire(Channel.TELEGRAM, str(n), 2) for n in range(3)), return_exceptions=True), timeout=5)
    assert [type(r) for r in results] == [ConnectionError] * 3
    with pytest.raises(ConnectionError):  # and the next one is asked again, not failed by an old error
        await asyncio.wait_for(limits.acquire(Channel.TELEGRAM, "9", 2), timeout=5)


async def test_replies_take_the_next_free_slots_before_bulk_however_many_come_at_once():
    rate = RateLimitItemPerSecond
    limits = SendLimits({Channel.TELEGRAM: ChannelLimits(rate(5), rate(6), rate(3, 3))})
    bulk = [asyncio.create_task(limits.acquire(Channel.TELEGRAM, f"b{n}", 2)) for n in range(30)]
    await asyncio.sleep(0.1)  # the broadcast has the windows full
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(asyncio.gather(*(limits.acquire(Channel.TELEGRAM, f"r{n}", 0) for n in range(5))),
                           timeout=5)
    # With a fixed headroom of one a second (6 − 5), the fifth reply waited about five seconds.
    assert asyncio.get_running_loop().time() - started < 1.5
    assert not all(task.done() for task in bulk)
    for task in bulk:
        task.cancel()
    await asyncio.gather(*bulk, return_exceptions=True)


async def test_a_cancelled_dispenser_cancels_its_waiters_and_the_next_send_gets_a_new_one():
    limits = limits_of(1)
    await limits.acquire(Channel.TELEGRAM, "a", 2)  # the window is full for a second
    waiting = asyncio.create_task(limits.acquire(Channel.TELEGRAM, "b", 2))
    await asyncio.sleep(0.05)
    [line] = limits._lines.values()
    line.dispenser.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(waiting, timeout=1)
    await asyncio.wait_for(limits.acquire(Channel.TELEGRAM, "c", 2), timeout=3)


async def test_a_telegram_group_chat_gets_twenty_a_minute_and_a_private_chat_its_own_pace():
    # Telegram: 20 messages a minute in a group (negative chat id), about 1/s with short bursts in private.
    # One send to a chat at a time, as the sender's claim hands them out.
    limits = SendLimits({Channel.TELEGRAM: telegram_limits(25, 30)}, PacedMemoryStorage())

    async def one_after_another(chat: str, count: int) -> None:
        for _ in range(count):
            await limits.acquire(Channel.TELEGRAM, chat, 2)

    await asyncio.wait_for(one_after_another("-1001234", 20), timeout=2)
    with pytest.raises(TimeoutError):  # the 21st waits for the minute's window, not for a second
        await asyncio.wait_for(limits.acquire(Channel.TELEGRAM, "-1001234", 2), timeout=1.5)
    await asyncio.wait_for(one_after_another("1234", 3), timeout=2)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(limits.acquire(Channel.TELEGRAM, "1234", 2), timeout=0.5)
