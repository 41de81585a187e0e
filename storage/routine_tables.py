"""Tables of the routine's clock: schedules, the calendar, deliveries already made, the scheduler lease."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from storage.types import time_field as _time


class UnitScheduleRow(SQLModel, table=True):
    """What one unit sets of its schedule (JSON of field -> text); with dates, an override for a period."""

    __tablename__ = "unit_schedule"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="org_unit.id", index=True)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    values: str = Field(default="{}", sa_type=Text)
    updated_at: dt.datetime = _time()


class CalendarEntryRow(SQLModel, table=True):
    """A day off or a directive an admin added (national holidays come from the `holidays` package)."""

    __tablename__ = "calendar_entry"

    id: int | None = Field(default=None, primary_key=True)
    day: dt.date = Field(index=True)
    kind: str = Field(max_length=20)
    name: str = Field(max_length=200)
    unit_id: int | None = Field(default=None, foreign_key="org_unit.id")
    created_at: dt.datetime = _time()


class Delivery(SQLModel, table=True):
    """One message of the routine made for one person and one step of one day: its key makes every
    tick idempotent (a second tick finds the key and sends nothing)."""

    __tablename__ = "delivery"

    key: str = Field(max_length=120, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=30)
    day: dt.date = Field(index=True)
    created_at: dt.datetime = _time()


class SchedulerLease(SQLModel, table=True):
    """Which process runs the ticks; another takes over when the holder stops renewing."""

    __tablename__ = "scheduler_lease"

    name: str = Field(max_length=40, primary_key=True)
    holder: str = Field(max_length=100)
    expires_at: dt.datetime = _time()
