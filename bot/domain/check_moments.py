"""Presence checks, the pure part: when to ask (moments drawn per person and day), what an answer means.

Moments are drawn from a generator seeded with a hash of (deployment secret, person, day), so any tick
recomputes the same moments, and nobody can work them out from the code without the secret. The
working window [apel + 30 min, deadline - answer window] is cut into as many equal slots as there are
checks, and each moment falls in its own slot early enough that its answer window ends inside the
slot: the checks are spread over the day and never overlap."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.geo import distance_m

FIRST_AFTER_APEL = dt.timedelta(minutes=30)  # nobody is asked during the roll call itself
LIVE_FRESH = dt.timedelta(minutes=10)  # a live position this recent answers a check without asking


class CheckOutcome(StrEnum):
    PENDING = "pending"  # planned, or asked and waiting for an answer
    OK = "ok"  # answered from inside the home geofence
    OFF_SITE = "off_site"  # answered from outside it (flag)
    MISSED = "missed"  # asked, not answered in time (flag)
    EXCUSED = "excused"  # not asked: on leave, sick, field duty, or inside an approved izin window
    ANSWERED = "answered"  # answered, but the person has no approved home to compare with
    SKIPPED = "skipped"  # never asked: the bot was down past its answer window, or the person is no longer WFH


def _seed(secret: str, person_id: int, day: dt.date) -> int:
    digest = hashlib.sha256(f"{secret}|{person_id}|{day.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def draw_moments(
    secret: str, person_id: int, day: dt.date, *, apel_at: dt.datetime, deadline_at: dt.datetime,
    per_day: int, answer_min: int,
) -> list[dt.datetime]:
    """The day's check moments (UTC, whole minutes), sorted; [] when none fit in the working hours."""
    if per_day <= 0:
        return []
    start = apel_at + FIRST_AFTER_APEL
    last = deadline_at - dt.timedelta(minutes=answer_min)
    span_min = int((last - start).total_seconds() // 60)
    if span_min < 0:
        return []
    count = min(per_day, span_min + 1)  # at most one check per minute of the window
    slot = (span_min + 1) / count
    rng = random.Random(_seed(secret, person_id, day))
    moments = []
    for i in range(count):
        first = math.ceil(i * slot)
        latest = max(first, math.ceil((i + 1) * slot) - 1 - answer_min)  # the answer window ends in the slot
        moments.append(start + dt.timedelta(minutes=rng.randint(first, min(latest, span_min))))
    return moments


def judge(lat: float, lon: float, home: tuple[float, float, int] | None) -> tuple[CheckOutcome, float | None]:
    """The outcome of an answer at (lat, lon) for a home (lat, lon, radius), and the distance."""
    if home is None:
        return CheckOutcome.ANSWERED, None
    home_lat, home_lon, radius = home
    distance = distance_m(lat, lon, home_lat, home_lon)
    return (CheckOutcome.OK if distance <= radius else CheckOutcome.OFF_SITE), distance


@dataclass(frozen=True)
class CheckRecord:
    id: int
    person_id: int
    day: dt.date
    due_at: dt.datetime
    asked_at: dt.datetime | None
    answer_by: dt.datetime | None
    outcome: str
    selfie_evidence_id: int | None = None
    unit: str = ""  # the person's unit (whose schedule and zone apply)
