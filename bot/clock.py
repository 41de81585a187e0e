"""The real clock. The core never reads the time itself; it is handed a Clock (tests hand a fake)."""

from __future__ import annotations

import datetime as dt


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)
