"""Flags: what a superior should look at on a person's day. A flag never refuses anything; it is
shown in the digest with its wording from the catalog (`flag.<kind>`) and the detail's values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class FlagKind(StrEnum):
    REUSED_EVIDENCE = "reused_evidence"  # the same or a near-identical image was sent before
    EXIF_TIME = "exif_time"  # a photo sent as a file was taken long before it was sent
    EXIF_PLACE = "exif_place"  # ... or far from home on a WFH day
    AWAY_FROM_HOME = "away_from_home"  # live location left the home geofence
    LOW_COVERAGE = "low_coverage"  # too little of the working day inside the geofence
    SHARING_STOPPED = "sharing_stopped"  # live location ended before the deadline
    CHECK_MISSED = "check_missed"  # a presence check not answered in time
    CHECK_OFF_SITE = "check_off_site"  # a presence check answered from outside the geofence
    NO_CHECKIN = "no_checkin"  # a WFO day without a check-in inside the office geofence
    UNREACHABLE = "unreachable"  # the bot cannot reach the person (blocked, undeliverable)


@dataclass(frozen=True)
class NewFlag:
    person_id: int
    day: dt.date
    kind: FlagKind
    ref: str = ""  # what it is about ("ev:12", "check:3"); "" for the day as a whole
    detail: dict = field(default_factory=dict)  # values for the catalog's wording
    excused: bool = False


@dataclass(frozen=True)
class FlagRecord:
    id: int
    person_id: int
    day: dt.date
    kind: FlagKind
    ref: str
    detail: dict
    excused: bool
    created_at: dt.datetime
