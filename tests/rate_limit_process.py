"""One sender process's share of the limit, for the shared-limit test: acquire through `SendLimits` on
Redis for `seconds`, bulk priority, many chats at once, and print the moment of every granted bulk slot
as the limiter itself stamped it (the time the moving window judged), as JSON on stdout.

`python -m tests.rate_limit_process PREFIX SECONDS BULK TOTAL`"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from limits.aio.strategies import MovingWindowRateLimiter

from bot.domain.org_terms import Channel
from bot.outbox.rate import SendLimits, storage_for, telegram_limits

REDIS_URL = "redis://127.0.0.1:6379/0"


async def main(prefix: str, seconds: float, bulk: int, total: int) -> None:
    granted: dict[str, list[float]] = {"bulk": [], "total": []}
    real_hit = MovingWindowRateLimiter.hit

    async def stamped_hit(self, item, *identifiers, cost=1):
        stamp = time.time()  # what limits' acquire_entry stamps too, before its first await
        ok = await real_hit(self, item, *identifiers, cost=cost)
        bucket = identifiers[0].rsplit(":", 1)[-1]
        if ok and bucket in granted:
            granted[bucket].append(stamp)
        return ok

    MovingWindowRateLimiter.hit = stamped_hit
    limits = SendLimits({Channel.TELEGRAM: telegram_limits(bulk, total)}, storage_for(REDIS_URL, prefix))
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
