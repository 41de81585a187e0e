"""Waiting out a dependency that went away (the database), and saying so once.

Every part of the process that needs the database (polling, the outbox sender's lanes, the routine's
clock) retries on its own, but the log should read like what happened: one line when the database
went away, one when it was back — not a line per retry per part. So the parts share one `Outage` per
dependency (`DATABASE`), and each keeps its own `Backoff`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("apel.outage")

REMIND_S = 600.0  # a long outage is mentioned again every ten minutes, so the log shows it still lasts


def first_line(error: BaseException, limit: int = 200) -> str:
    """The exception's name and first line: no traceback, no SQL parameters (they may be personal data)."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:limit]}" if text else type(error).__name__


class Outage:
    """Whether a dependency is away, shared by everyone who uses it; logs the transitions only."""

    def __init__(self, what: str, *, logger: logging.Logger = log, monotonic: Callable[[], float] = time.monotonic,
                 remind_s: float = REMIND_S):
        self.what = what
        self.logger = logger
        self.monotonic = monotonic
        self.remind_s = remind_s
        self.since: float | None = None
        self.failures = 0
        self._told_at = 0.0

    @property
    def ongoing(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException, where: str, *, redact: Callable[[str], str] = str) -> None:
        now = self.monotonic()
        self.failures += 1
        if self.since is None:
            self.since = self._told_at = now
            self.logger.error("%s is unavailable (%s, seen by %s); everything that needs it waits and retries",
                              self.what, redact(first_line(error)), where)
        elif now - self._told_at >= self.remind_s:
            self._told_at = now
            self.logger.error("%s is still unavailable after %.0f s (%d failed attempts; last: %s)",
                              self.what, now - self.since, self.failures, redact(first_line(error)))

    def back(self, where: str) -> None:
        if self.since is None:
            return
        self.logger.warning("%s is back after %.0f s (%d failed attempts; %s resumed first)",
                            self.what, self.monotonic() - self.since, self.failures, where)
        self.since, self.failures = None, 0


# One per process: whoever notices first says so, whoever succeeds first says it is over.
DATABASE = Outage("the database")
# The senders' shared rate limits (REDIS_URL): without them no message may go, since several senders
# would together exceed the platform's limits.
RATE_LIMITS = Outage("Redis (the senders' shared rate limits)")


@dataclass
class Backoff:
    """Growing waits between attempts, capped low enough that work resumes soon after a recovery."""

    first_s: float = 0.5
    max_s: float = 5.0
    attempts: int = 0

    def next_delay(self) -> float:
        delay = min(self.max_s, self.first_s * 2 ** self.attempts)
        self.attempts += 1
        return delay

    def reset(self) -> None:
        self.attempts = 0
