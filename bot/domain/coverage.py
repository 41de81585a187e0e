"""Presence you can prove: how much of the working day a person's location fixes put them inside a
geofence (home on WFH days, the office on WFO days). Pure: fixes in, a summary out.

Telegram semantics shape the rules. A live location is a first message and then edits, and an edit only
arrives when the position changes: a phone lying still sends none. So a live fix holds from its moment
until the next fix of the same live location, or the end of that live location (its live period, or the
moment sharing was stopped), whichever comes first. A single pin proves a moment, not a stretch: it
counts as a fix (first/last, check-in) but covers no time. A gap is working time with no live location
active. Accuracy: a fix is inside when distance − accuracy ≤ radius, with the accuracy credited at most
`MAX_ACCURACY_CREDIT_M` (a 1.5 km "fix" proves nothing about a 200 m radius)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.domain.geo import distance_m  # noqa: F401  (re-exported: services import it from here)

MAX_ACCURACY_CREDIT_M = 100.0
MIN_AWAY = dt.timedelta(minutes=5)  # shorter excursions are GPS jitter at the fence, not a trip
MIN_GAP = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Fix:
    at: dt.datetime
    lat: float
    lon: float
    accuracy_m: float | None = None
    live_key: str | None = None  # None: a single pin
    live_until: dt.datetime | None = None  # first message: end of the live period; a stop: its own moment


@dataclass(frozen=True)
class Fence:
    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True)
class Coverage:
    expected_minutes: int
    covered_minutes: int
    coverage_pct: float
    first_fix_at: dt.datetime | None
    last_fix_at: dt.datetime | None
    fixes: int
    gaps: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    away: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)  # live, active, outside
    stopped_at: dt.datetime | None = None  # live sharing ended before the end of the window
    first_inside_at: dt.datetime | None = None  # the first fix (pin or live) inside the fence

    @property
    def stopped_early(self) -> bool:
        return self.stopped_at is not None


def inside(fence: Fence, lat: float, lon: float, accuracy_m: float | None) -> bool:
    credit = min(max(accuracy_m or 0.0, 0.0), MAX_ACCURACY_CREDIT_M)
    return distance_m(fence.lat, fence.lon, lat, lon) - credit <= fence.radius_m


def _segments(fixes: list[Fix], fence: Fence) -> tuple[list[tuple[dt.datetime, dt.datetime, bool]], dt.datetime | None]:
    """Each live fix as (start, end, inside); and when the last live location ended."""
    sessions: dict[str, list[Fix]] = {}
    for fix in fixes:
        if fix.live_key is not None:
            sessions.setdefault(fix.live_key, []).append(fix)
    segments = []
    last_end = None
    for session in sessions.values():
        session.sort(key=lambda f: f.at)
        ends = [f.live_until for f in session if f.live_until is not None]
        # Without the first message (missed) nothing says how long it lasts: only up to its last fix.
        end = min(ends) if ends else session[-1].at
        for fix, following in zip(session, session[1:] + [None]):
            stop = min(following.at, end) if following else end
            if stop > fix.at:
                segments.append((fix.at, stop, inside(fence, fix.lat, fix.lon, fix.accuracy_m)))
        last_end = end if last_end is None else max(last_end, end)
    return segments, last_end


def _sweep(segments, start: dt.datetime, end: dt.datetime):
    """The window cut into pieces where the state (no live location / inside / outside) is constant."""
    events: dict[dt.datetime, list[int]] = {}
    for s, e, is_in in segments:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        events.setdefault(s, [0, 0])[0 if is_in else 1] += 1
        events.setdefault(e, [0, 0])[0 if is_in else 1] -= 1
    moments = sorted(set(events) | {start, end})
    counts = [0, 0]
    pieces = []
    for here, there in zip(moments, moments[1:]):
        delta = events.get(here, [0, 0])
        counts = [counts[0] + delta[0], counts[1] + delta[1]]
        state = "in" if counts[0] > 0 else "out" if counts[1] > 0 else "none"
        if pieces and pieces[-1][2] == state and pieces[-1][1] == here:
            pieces[-1] = (pieces[-1][0], there, state)
        else:
            pieces.append((here, there, state))
    return pieces


def coverage(fixes: list[Fix], fence: Fence, start: dt.datetime, end: dt.datetime) -> Coverage:
    """The day's presence between `start` (apel) and `end` (deadline) inside `fence`."""
    in_window = sorted((f for f in fixes if f.at < end), key=lambda f: f.at)  # the day's, up to the end
    segments, last_end = _segments(fixes, fence)
    pieces = _sweep(segments, start, end)
    total = end - start
    covered = sum((b - a for a, b, state in pieces if state == "in"), dt.timedelta())
    gaps = [(a, b) for a, b, state in pieces if state == "none" and b - a >= MIN_GAP]
    away = [(a, b) for a, b, state in pieces if state == "out" and b - a >= MIN_AWAY]
    stopped = last_end if last_end is not None and start < last_end < end else None
    first_inside = next((f.at for f in in_window if inside(fence, f.lat, f.lon, f.accuracy_m)), None)
    return Coverage(
        expected_minutes=round(total.total_seconds() / 60),
        covered_minutes=round(covered.total_seconds() / 60),
        coverage_pct=round(100 * covered / total, 1) if total > dt.timedelta() else 0.0,
        first_fix_at=in_window[0].at if in_window else None,
        last_fix_at=in_window[-1].at if in_window else None,
        fixes=len(in_window),
        gaps=gaps,
        away=away,
        stopped_at=stopped,
        first_inside_at=first_inside,
    )


def subtract(interval: tuple[dt.datetime, dt.datetime], windows: list[tuple[dt.datetime, dt.datetime]]):
    """Split an interval into the parts inside any window (excused) and the parts outside (not)."""
    a, b = interval
    cuts = sorted({a, b} | {t for w in windows for t in w if a < t < b})
    inside_parts, outside_parts = [], []
    for s, e in zip(cuts, cuts[1:]):
        covered = any(ws <= s and e <= we for ws, we in windows)
        target = inside_parts if covered else outside_parts
        if target and target[-1][1] == s:
            target[-1] = (target[-1][0], e)
        else:
            target.append((s, e))
    return inside_parts, outside_parts
