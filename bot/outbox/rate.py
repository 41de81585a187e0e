"""The platforms' send limits, shared by every sender process through Redis (or kept in memory when
one process sends). Built on `limits`' moving windows: never more than N in any window, so a bot
configured below Telegram's 30/s never sees a 429 from its own pace.

Buckets per channel: `bulk` (reminders, approvals, briefings, digests), `total` (everything, so
replies to people's own actions keep headroom above bulk and never queue behind a broadcast), and one
per chat (Telegram paces a group chat, whose id is negative, at 20 a minute). A 429's retry_after pauses the whole channel for every process."""

from __future__ import annotations

import asyncio
import bisect
import math
import time
from collections import deque
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from bot.domain.org_terms import Channel

SHORTEST_WAIT_S = 0.002


@dataclass(frozen=True)
class ChannelLimits:
    bulk: RateLimitItem
    total: RateLimitItem
    chat: RateLimitItem
    group: RateLimitItem | None = None  # a group chat's own pace, where the platform has one

    def for_chat(self, chat: str) -> RateLimitItem:
        # Telegram gives groups and supergroups negative ids. Apel talks to people in private chats
        # only (inbound.py ignores groups), so this is the guard for a chat id that is not a person's.
        return self.group if self.group is not None and chat.startswith("-") else self.chat


def telegram_limits(bulk_per_s: float, total_per_s: float) -> ChannelLimits:
    # Telegram: ~30/s in all, 1/s per private chat with short bursts tolerated (3 in 3 s), 20/min per group.
    return ChannelLimits(RateLimitItemPerSecond(max(1, int(bulk_per_s))),
                         RateLimitItemPerSecond(max(1, int(total_per_s))), RateLimitItemPerSecond(3, 3),
                         RateLimitItemPerMinute(20))


def whatsapp_limits(per_s: float) -> ChannelLimits:
    # Cloud API: 80/s per number; one message per 6 s to the same person (error 131056 beyond).
    return ChannelLimits(RateLimitItemPerSecond(whatsapp_bulk_rate(per_s)), RateLimitItemPerSecond(max(1, int(per_s))),
                         RateLimitItemPerMinute(10))


def whatsapp_bulk_rate(per_s: float) -> int:
    """WhatsApp's bulk sends a second: nine tenths of the number's rate, the rest kept for replies."""
    return max(1, int(per_s * 0.9))


class PacedMemoryStorage(MemoryStorage):
    """`limits`' in-process storage, with its housekeeping paced: old entries go at most once a second.

    limits 5.8 starts an expiry pass after every hit once the last pass has ended, and the pass visits every
    key, each moving window through a thread of its own (`asyncio.to_thread`). With a key per chat, a paid
    broadcast (1,000 new chats a second) kept a pass running all the time: about a third of the sender's CPU
    (BENCHMARKS "Outbox fan-out"). Expiring is only about memory: every decision filters its window by time
    (`acquire_entry`, `get_moving_window`, `get`), so old entries change no answer while they wait. The two
    methods below take the places of limits' private ones (hence the mangled names; tests/test_rate_memory.py
    fails if an upgrade renames them)."""

    EXPIRE_EVERY_S = 1.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_expiry = 0.0

    async def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_expiry:
            self._next_expiry = now + self.EXPIRE_EVERY_S
            self._MemoryStorage__expire_events()

    def _MemoryStorage__expire_events(self) -> None:
        # One synchronous pass: a bisect per window costs microseconds, and nothing else runs meanwhile,
        # so the per-key locks limits takes around it are not needed.
        now = time.time()
        for key in list(self.events):
            events = self.events[key]
            kept = events[:bisect.bisect_left(events, -now, key=lambda entry: -entry.expiry)]
            if kept:
                self.events[key] = kept
            else:
                self.events.pop(key, None)
                self.locks.pop(key, None)
        for key, expires in list(self.expirations.items()):
            if expires <= now:
                self.storage.pop(key, None)
                self.expirations.pop(key, None)
                self.locks.pop(key, None)


# REDIS_URL as people write it -> the scheme of the limits library's asyncio Redis storage.
_ASYNC_SCHEMES = {"redis": "async+redis", "rediss": "async+rediss", "unix": "async+redis+unix"}


def storage_for(redis_url: str | None, key_prefix: str = "apel") -> Storage:
    if redis_url:
        scheme, _, rest = redis_url.partition("://")
        return RedisStorage(f"{_ASYNC_SCHEMES.get(scheme, scheme)}://{rest}", key_prefix=key_prefix)
    return PacedMemoryStorage()


class _Line:
    """Sends waiting for a channel's shared buckets, first come first served, and the task asking for them."""

    def __init__(self) -> None:
        self.waiters: deque[asyncio.Future] = deque()
        self.dispenser: asyncio.Task | None = None

    def next_waiter(self) -> asyncio.Future | None:
        while self.waiters and self.waiters[0].done():  # cancelled while it waited
            self.waiters.popleft()
        return self.waiters[0] if self.waiters else None

    def fail(self, error: Exception | None) -> None:
        """Every waiter raises `error`; with None (the dispenser was cancelled), every waiter is cancelled."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if waiter.done():
                continue
            if error is None:
                waiter.cancel()
            else:
                waiter.set_exception(error)


class SendLimits:
    def __init__(self, limits: dict[Channel, ChannelLimits], storage: Storage | None = None):
        self.limits = limits
        self.storage = storage or PacedMemoryStorage()
        self.window = MovingWindowRateLimiter(self.storage)
        self.waited_s = 0.0  # time spent waiting for the limits (reported by benchmarks)
        self._lines: dict[tuple[Channel, bool], _Line] = {}

    async def acquire(self, channel: Channel, chat: str, priority: int) -> None:
        """Wait until one message to `chat` may go now, then count it."""
        rule = self.limits[channel]
        chat_key, chat_rule = f"{channel.value}:chat:{chat}", rule.for_chat(chat)
        while not await self.window.test(chat_rule, chat_key):
            await self._sleep(await self._reset_in(chat_rule, chat_key))
        # The channel's shared buckets are asked by one task per line (bulk, replies) and process, which
        # hands each slot it gets to the longest waiter. Letting all concurrent sends poll the window spent
        # more CPU on polling than on sending at 1,000/s; a lock passed from waiter to waiter let one send
        # through per turn of the event loop, which at 1,000/s was the ceiling itself. Replies have their own
        # line, so they never wait behind a broadcast's.
        line = self._lines.setdefault((channel, priority > 0), _Line())
        granted = asyncio.get_running_loop().create_future()
        line.waiters.append(granted)
        if line.dispenser is None or line.dispenser.done():
            line.dispenser = asyncio.create_task(self._dispense(line, rule, channel, priority))
        await granted
        await self.window.hit(chat_rule, chat_key)

    async def _dispense(self, line: _Line, rule: ChannelLimits, channel: Channel, priority: int) -> None:
        try:
            while line.next_waiter() is not None:
                await self._take_channel_slot(rule, channel, priority)
                waiter = line.next_waiter()
                if waiter is not None:  # else every waiter gave up meanwhile: the slot goes unused
                    line.waiters.popleft().set_result(None)
        except Exception as error:  # noqa: BLE001 - the storage failed (Redis down): each waiter raises it
            line.fail(error)
        except asyncio.CancelledError:
            line.fail(None)
            raise

    async def _take_channel_slot(self, rule: ChannelLimits, channel: Channel, priority: int) -> None:
        while True:
            paused = await self.paused_for(channel)
            if paused > 0:
                await self._sleep(paused)
                continue
            if priority > 0 and self._replies_waiting(channel):
                # Replies first: the total bucket's next slots are theirs. A fixed headroom (total − bulk,
                # 3/s by default) kept a fourth tap in one second waiting for up to a second.
                await self._sleep(SHORTEST_WAIT_S)
                continue
            if priority > 0 and not await self.window.hit(rule.bulk, f"{channel.value}:bulk"):
                await self._sleep(await self._reset_in(rule.bulk, f"{channel.value}:bulk"))
                continue
            if not await self.window.hit(rule.total, f"{channel.value}:total"):
                await self._sleep(await self._reset_in(rule.total, f"{channel.value}:total"))
                continue
            return

    def _replies_waiting(self, channel: Channel) -> bool:
        line = self._lines.get((channel, False))
        return line is not None and line.next_waiter() is not None

    async def pause(self, channel: Channel, seconds: float) -> None:
        """The platform said 429 with retry_after: nobody sends on this channel until it has passed."""
        key = f"{channel.value}:pause"
        if await self.paused_for(channel) < seconds:
            await self.storage.clear(key)
            await self.storage.incr(key, math.ceil(seconds))

    async def paused_for(self, channel: Channel) -> float:
        key = f"{channel.value}:pause"
        if not await self.storage.get(key):
            return 0.0
        return max(0.0, await self.storage.get_expiry(key) - time.time())

    async def _reset_in(self, item: RateLimitItem, key: str) -> float:
        stats = await self.window.get_window_stats(item, key)
        return max(SHORTEST_WAIT_S, stats.reset_time - time.time())

    async def _sleep(self, seconds: float) -> None:
        seconds = min(seconds, 1.0)
        self.waited_s += seconds
        await asyncio.sleep(seconds)
