"""One sender process's share of the limit, for the shared-limit test: acquire through `SendLimits` on
Redis for `seconds`, bulk priority, many chats at once, and print the moment of every granted bulk slot
as the limiter itself stamped it (the time the moving window judged), as JSON on stdout.

`python -m tests.rate_limit_process PREFIX SECONDS BULK TOTAL`"""

from __future__ import annotations

import asyncio
import contextvars
import json
import sys
import time

from limits.aio.strategies import MovingWindowRateLimiter

from bot.domain.org_terms import Channel
from bot.outbox.rate import SendLimits, storage_for, telegram_limits

REDIS_URL = "redis://127.0.0.1:6379/0"
_last_stamp: contextvars.ContextVar[float] = contextvars.ContextVar("last_stamp")


class _StampKeepingTime:
    """Stands for the `time` module inside limits' Redis storage: keeps, per task, the stamp it gave."""

    def time(self) -> float:
        stamp = time.time()
        _last_stamp.set(stamp)
        return stamp

    def __getattr__(self, name: str):
        return getattr(time, name)


async def main(prefix: str, seconds: float, bulk: int, total: int) -> None:
    granted: dict[str, list[float]] = {"bulk": [], "total": []}
    real_hit = MovingWindowRateLimiter.hit

    async def stamped_hit(self, item, *identifiers, cost=1):
        ok = await real_hit(self, item, *identifiers, cost=cost)
        bucket = identifiers[0].rsplit(":", 1)[-1]
        if ok and bucket in granted:
            granted[bucket].append(_last_stamp.get())
        return ok

    MovingWindowRateLimiter.hit = stamped_hit
    storage = storage_for(REDIS_URL, prefix)
    # The very stamp the Lua script judges (the Redis client module limits picked stamps it), not one taken before.
    sys.modules[type(storage.bridge).__module__].time = _StampKeepingTime()
    limits = SendLimits({Channel.TELEGRAM: telegram_limits(bulk, total)}, storage)
    end = time.time() + seconds

    async def chats(worker: int) -> None:
        n = 0
        while time.time() < end:
            await limits.acquire(Channel.TELEGRAM, f"{worker}-{n}", priority=2)
            n += 1

    await asyncio.gather(*(chats(w) for w in range(10)))
    print(json.dumps(granted))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
