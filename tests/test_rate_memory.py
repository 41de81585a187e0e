"""The in-process rate-limit storage: limits' MemoryStorage with its housekeeping paced. It must answer
every hit as limits' own storage does, and still let old entries go (memory stays bounded)."""

from __future__ import annotations

import random

import pytest
from limits import RateLimitItemPerSecond
from limits.aio import strategies
from limits.aio.storage import MemoryStorage
from limits.aio.storage import memory as limits_memory

from bot.outbox import rate
from bot.outbox.rate import PacedMemoryStorage


class FakeTime:
    """time.time and time.monotonic of the modules that read them, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def fake_time(monkeypatch) -> FakeTime:
    fake = FakeTime()
    for module in (limits_memory, strategies, rate):
        monkeypatch.setattr(module, "time", fake)
    return fake


def test_limits_still_has_the_private_methods_the_paced_storage_replaces():
    # An upgrade that renamed them would silently bring back the expiry pass after every hit.
    assert callable(getattr(MemoryStorage, "_MemoryStorage__schedule_expiry", None))
    assert callable(getattr(MemoryStorage, "_MemoryStorage__expire_events", None))


async def test_every_hit_is_answered_as_limits_own_memory_storage_answers_it(fake_time):
    chat, bulk = RateLimitItemPerSecond(3, 3), RateLimitItemPerSecond(20)
    ours = strategies.MovingWindowRateLimiter(PacedMemoryStorage())
    theirs = strategies.MovingWindowRateLimiter(MemoryStorage())
    rng = random.Random(9)
    refused = 0
    for _ in range(3000):
        fake_time.now += rng.choice([0.0, 0.001, 0.01, 0.05, 0.3, 1.2])
        item, key = (chat, f"chat:{rng.randrange(12)}") if rng.random() < 0.7 else (bulk, "bulk")
        answer = await ours.hit(item, key)
        assert answer == await theirs.hit(item, key)
        refused += not answer
        assert (await ours.get_window_stats(item, key)) == (await theirs.get_window_stats(item, key))
    assert 100 < refused < 2900  # both kinds of answer were compared


async def test_old_entries_go_at_most_a_second_later(fake_time):
    storage = PacedMemoryStorage()
    limiter = strategies.MovingWindowRateLimiter(storage)
    chat = RateLimitItemPerSecond(3, 3)
    for n in range(500):
        assert await limiter.hit(chat, f"chat:{n}")
    assert len(storage.events) == 500
    fake_time.now += 3.5  # every entry has expired; the next hit's pass removes them
    assert await limiter.hit(chat, "chat:new")
    assert [key.split("/")[1] for key in storage.events] == ["chat:new"] and len(storage.locks) <= 1
    fake_time.now += 0.5  # within the second after a pass: no pass, nothing expired anyway
    assert await limiter.hit(chat, "chat:other")
    assert sorted(key.split("/")[1] for key in storage.events) == ["chat:new", "chat:other"]
