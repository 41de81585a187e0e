"""Tables of trust: flags raised on a person's day, presence checks asked and answered, and the daily
presence summary that outlives the raw location fixes (retention purges those, not this)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import time_field as _time


class DayFlag(SQLModel, table=True):
    """Something a superior should look at (a reused screenshot, a missed presence check...).
    A flag is raised once: (person, day, kind, ref) is unique, so re-computing raises nothing new."""

    __tablename__ = "day_flag"
    __table_args__ = (UniqueConstraint("person_id", "day", "kind", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    day: dt.date = Field(index=True)
    kind: str = Field(max_length=30)
    ref: str = Field(default="", max_length=40)  # what it is about: "ev:12", "check:3", "" for the day
    detail: str = Field(default="{}", sa_type=Text)  # JSON, for the digest's wording
    excused: bool = False  # an approved permission covered it; shown, not counted
    created_at: dt.datetime = _time()


class PresenceCheck(SQLModel, table=True):
    """A moment the bot asks someone to send their current location (and, where the unit wants it, a selfie)."""

    __tablename__ = "presence_check"
    __table_args__ = (UniqueConstraint("person_id", "day", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    day: dt.date = Field(index=True)
    due_at: dt.datetime = _time()  # the drawn moment
    asked_at: dt.datetime | None = _time(nullable=True)
    answer_by: dt.datetime | None = _time(nullable=True)
    answered_at: dt.datetime | None = _time(nullable=True)
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    distance_m: float | None = None
    outcome: str = Field(default="pending", max_length=12)  # pending / ok / off_site / missed / excused
    selfie_evidence_id: int | None = Field(default=None, foreign_key="evidence.id")


class PresenceSummary(SQLModel, table=True):
    """One person's presence on one day, computed from the fixes and checks (kept after they are purged)."""

    __tablename__ = "presence_summary"
    __table_args__ = (UniqueConstraint("person_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    day: dt.date = Field(index=True)
    mode: str = Field(max_length=10)
    expected_minutes: int = 0  # apel to deadline
    covered_minutes: int = 0  # with a fix inside the geofence (home or office)
    coverage_pct: float | None = None
    first_fix_at: dt.datetime | None = _time(nullable=True)
    last_fix_at: dt.datetime | None = _time(nullable=True)
    fixes: int = 0
    gaps: str = Field(default="[]", sa_type=Text)  # JSON [[start_iso, end_iso], ...]
    stopped_early: bool = False
    checkin_at: dt.datetime | None = _time(nullable=True)  # WFO: first fix inside the office geofence
    checks_asked: int = 0
    checks_ok: int = 0
    computed_at: dt.datetime = _time()
