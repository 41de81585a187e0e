"""Comparing what a photo's EXIF says (when it was taken, where) with when it was sent and where the
person lives. A mismatch is a flag for the superior, never a refusal: camera clocks can be wrong."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain.geo import km_between  # noqa: F401  (re-exported)


def taken_instant(taken: dt.datetime, timezone: str) -> dt.datetime:
    """EXIF times are local and usually without an offset: those are read in the person's unit zone."""
    if taken.tzinfo is None:
        taken = taken.replace(tzinfo=ZoneInfo(timezone))
    return taken.astimezone(dt.UTC)


def hours_apart(taken_at: dt.datetime, sent_at: dt.datetime) -> float:
    return abs((sent_at - taken_at).total_seconds()) / 3600


def too_far(gps: tuple[float, float], home: tuple[float, float], radius_m: float, extra_km: float) -> float | None:
    """The distance in km when the photo was taken more than `extra_km` beyond the home radius."""
    km = km_between(gps, home)
    return km if km > radius_m / 1000 + extra_km else None
