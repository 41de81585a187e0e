"""Logging webhook calls refused for a missing or wrong secret (HTTP 401), without filling the disk.

A probe or a misconfigured proxy should show in the log, but a flood of them must not write a line per
call: the first refusal from a source is logged at once, later ones from it within a minute are only
counted, and the count comes with that source's next line. What the caller presented (a secret, a
signature) is never logged, only that it was missing or wrong."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

INTERVAL = 60.0  # seconds between two lines about one source
MAX_SOURCES = 1024  # sources remembered at once; beyond them a flood from many addresses shares one line
OTHERS = "other sources"


class RefusedCalls:
    def __init__(self, log: logging.Logger, what: str, *, interval: float = INTERVAL,
                 monotonic: Callable[[], float] = time.monotonic, max_sources: int = MAX_SOURCES):
        self.log, self.what, self.interval = log, what, interval
        self._monotonic, self._max = monotonic, max_sources
        self._windows: dict[str, list[float]] = {}  # source -> [when its last line was written, calls since]

    def refused(self, scope: dict, reason: str) -> None:
        now = self._monotonic()
        client = scope.get("client")
        source = str(client[0]) if client else "an unknown address"
        if source not in self._windows and len(self._windows) >= self._max:
            self._windows = {s: w for s, w in self._windows.items() if now - w[0] < self.interval}
            if len(self._windows) >= self._max:
                source = OTHERS
        window = self._windows.get(source)
        if window is not None and now - window[0] < self.interval:
            window[1] += 1
            return
        self._windows[source] = [now, 0]
        if window is not None and window[1]:
            self.log.warning("refused a %s call from %s (%s); %d more from there since the line before, %d s ago",
                             self.what, source, reason, int(window[1]), int(now - window[0]))
        else:
            self.log.warning("refused a %s call from %s (%s)", self.what, source, reason)
