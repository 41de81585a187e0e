"""The real clock, and how an instant is written for machines. The core never reads the time itself; it is
handed a Clock (tests hand a fake)."""

from __future__ import annotations

import datetime as dt


def iso_utc(moment: dt.datetime) -> str:
    """ISO 8601 in UTC to the second, as the CLI's listings, the invites CSV and the digest JSON give times
    ("2026-11-23T00:30:00+00:00": spreadsheets and scripts parse it). The month export's CSV carries its
    sheets' cells instead."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FakeNowClock:
    """Starts at a chosen instant and runs on at real speed: for end-to-end tests and demos that run
    Apel as a process (`FAKE_NOW`); never set it in production."""

    def __init__(self, start: dt.datetime):
        import time

        self._start = start.astimezone(dt.UTC)
        self._monotonic = time.monotonic
        self._origin = time.monotonic()

    def now(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=self._monotonic() - self._origin)
