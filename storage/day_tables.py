"""Tables of the working day: what people do, send and report. Times UTC, dates in the unit's zone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import time_field as _time


class WorkDay(SQLModel, table=True):
    """One person on one date: the mode, and what happened to the briefing."""

    __tablename__ = "work_day"
    __table_args__ = (UniqueConstraint("person_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    day: dt.date = Field(index=True)
    mode: str = Field(max_length=10)
    reason: str | None = Field(default=None, max_length=300)
    source: str = Field(default="default", max_length=20)
    briefed_at: dt.datetime | None = _time(nullable=True)
    acknowledged_at: dt.datetime | None = _time(nullable=True)


class Task(SQLModel, table=True):
    __tablename__ = "task"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    title: str = Field(max_length=500)
    due_date: dt.date = Field(index=True)
    status: str = Field(default="open", max_length=12)
    blocked_reason: str | None = Field(default=None, max_length=300)
    source: str = Field(max_length=10)
    assigned_by_id: int | None = Field(default=None, foreign_key="person.id")
    announced_at: dt.datetime | None = _time(nullable=True)  # when the assignee was told
    created_at: dt.datetime = _time()
    updated_at: dt.datetime = _time()
    done_at: dt.datetime | None = _time(nullable=True)


class Evidence(SQLModel, table=True):
    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    day: dt.date = Field(index=True)
    task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    kind: str = Field(max_length=12)
    sha256: str = Field(max_length=64, index=True)
    path: str = Field(max_length=300)
    thumb_path: str | None = Field(default=None, max_length=300)
    # What others may be shown of an image: re-encoded without EXIF/GPS, orientation applied.
    derivative_path: str | None = Field(default=None, max_length=300)
    phash: str | None = Field(default=None, max_length=16, index=True)  # imagehash.phash as hex
    # The phash cut into bands (bot/domain/duplicates.py): near-duplicates share at least one exactly,
    # so the lookup is an index search, not a scan of every row.
    phash_b0: int | None = Field(default=None, index=True)
    phash_b1: int | None = Field(default=None, index=True)
    phash_b2: int | None = Field(default=None, index=True)
    phash_b3: int | None = Field(default=None, index=True)
    phash_b4: int | None = Field(default=None, index=True)
    taken_at: dt.datetime | None = _time(nullable=True)  # EXIF DateTimeOriginal, when sent as a file
    original_purged_at: dt.datetime | None = _time(nullable=True)  # retention removed the original
    mime: str | None = Field(default=None, max_length=100)
    filename: str | None = Field(default=None, max_length=255)
    size: int
    album: str | None = Field(default=None, max_length=64)
    caption: str | None = Field(default=None, max_length=1024)
    received_at: dt.datetime = _time()


class LocationFix(SQLModel, table=True):
    __tablename__ = "location_fix"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    day: dt.date = Field(index=True)
    lat: float
    lon: float
    accuracy_m: float | None = None
    at: dt.datetime = _time()
    live: bool = False
    live_key: str | None = Field(default=None, max_length=64, index=True)
    live_until: dt.datetime | None = _time(nullable=True)


class Report(SQLModel, table=True):
    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("person_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    day: dt.date = Field(index=True)
    status: str = Field(max_length=12)
    summary: str | None = Field(default=None, sa_type=Text)
    task_lines: str = Field(default="[]", sa_type=Text)  # JSON: what each task was when submitted
    evidence_count: int = 0
    late: bool = False
    revision: int = 0
    submitted_at: dt.datetime | None = _time(nullable=True)
    reviewed_by_id: int | None = Field(default=None, foreign_key="person.id")
    reviewed_at: dt.datetime | None = _time(nullable=True)
    review_note: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime = _time()
    updated_at: dt.datetime = _time()


class ConversationState(SQLModel, table=True):
    """What the bot is waiting for from a person (a report draft, the task a photo belongs to).
    Kept here, not in a framework's memory: WhatsApp has no such memory and a restart loses none."""

    __tablename__ = "conversation_state"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    state: str = Field(max_length=30)
    data: str = Field(default="{}", sa_type=Text)
    updated_at: dt.datetime = _time()


class SeenUpdate(SQLModel, table=True):
    """Updates already handled (platforms deliver at least once)."""

    __tablename__ = "seen_update"

    key: str = Field(max_length=80, primary_key=True)
    seen_at: dt.datetime = _time(index=True)


class LeaveRequest(SQLModel, table=True):
    __tablename__ = "leave_request"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=10)
    day: dt.date  # the first day asked for
    end_day: dt.date | None = None  # the last day (None: the same as `day`)
    # A short permission (izin keluar rumah) is a window of time within a day.
    starts_at: dt.datetime | None = _time(nullable=True)
    ends_at: dt.datetime | None = _time(nullable=True)
    reason: str = Field(max_length=300)
    status: str = Field(default="pending", max_length=10)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: dt.datetime | None = _time(nullable=True)
    refusal_reason: str | None = Field(default=None, max_length=300)  # what the superior told the person
    asked_ids: str | None = Field(default=None, sa_type=Text)  # JSON: who was asked to decide (person ids)
    # JSON {day: [mode, source, reason]}: the work days an approval overwrote, given back by a cancellation
    replaced_modes: str | None = Field(default=None, sa_type=Text)
    cancelled_at: dt.datetime | None = _time(nullable=True)  # by the person themself
    created_at: dt.datetime = _time()
