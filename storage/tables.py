"""SQLModel tables. Names follow the glossary in DESIGN.md; enums are stored as their string values."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from storage.types import time_field as _time


class OrgUnit(SQLModel, table=True):
    __tablename__ = "org_unit"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, unique=True)
    parent_id: int | None = Field(default=None, foreign_key="org_unit.id", index=True)
    kind: str = Field(max_length=20)
    timezone: str = Field(max_length=40)
    # The office geofence for WFO check-ins, set by admins.
    office_lat: float | None = None
    office_lon: float | None = None
    office_radius_m: int | None = None
    created_at: dt.datetime = _time()
    updated_at: dt.datetime = _time()


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    nip: str = Field(max_length=18, unique=True)
    name: str = Field(max_length=200)
    position: str = Field(max_length=300)
    rank: str | None = Field(default=None, max_length=20)
    unit_id: int = Field(foreign_key="org_unit.id", index=True)
    supervisor_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    role: str = Field(default="staff", max_length=10)
    phone: str | None = Field(default=None, max_length=20, index=True)
    language: str | None = Field(default=None, max_length=5)
    home_lat: float | None = None
    home_lon: float | None = None
    home_radius_m: int | None = None
    wfh_eligible: bool = True
    # A home location shared in chat waits here until the superior or an admin approves it.
    home_pending_lat: float | None = None
    home_pending_lon: float | None = None
    home_pending_at: dt.datetime | None = _time(nullable=True)
    home_approved_at: dt.datetime | None = _time(nullable=True)
    home_approved_by_id: int | None = Field(default=None, foreign_key="person.id")
    erased_at: dt.datetime | None = _time(nullable=True)  # personal data erased (UU PDP); counts kept
    active: bool = Field(default=True, index=True)
    deactivated_at: dt.datetime | None = _time(nullable=True)
    created_at: dt.datetime = _time()
    updated_at: dt.datetime = _time()


class OrgMembership(SQLModel, table=True):
    """Where a person stood in the org chart from one moment to the next: their unit, their supervisor and
    whether they were active. Every change of `person.unit_id`, `person.supervisor_id` or `person.active`
    closes the open row (`valid_until`) and opens another, so the month export can count each day with the
    unit the person was in that day, and a supervisor's export and a past day's digest follow the supervision
    chain as it stood that day."""

    __tablename__ = "org_membership"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="org_unit.id")
    active: bool
    supervisor_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # False on rows closed before supervisors were recorded (migration 0014): who it was is not known, and
    # readers take today's supervisor; True on every row since, where a None supervisor is the top of a chain.
    supervisor_known: bool = True
    valid_from: dt.datetime = _time()
    valid_until: dt.datetime | None = _time(nullable=True)  # None: how things stand now


class PlhDesignation(SQLModel, table=True):
    """An acting official (Plh, Pelaksana Harian) an admin designated for an official's days away: from
    `first_day` to `last_day` (both included) what would be passed up from the official goes to `plh_id`,
    who decides for the official's team on those days. One at a time per official (the admin tool refuses
    overlaps); a cleared one is deleted or cut short, its history is in the audit log."""

    __tablename__ = "plh_designation"

    id: int | None = Field(default=None, primary_key=True)
    official_id: int = Field(foreign_key="person.id", index=True)
    plh_id: int = Field(foreign_key="person.id", index=True)
    first_day: dt.date
    last_day: dt.date
    created_at: dt.datetime = _time()


class ChannelAccount(SQLModel, table=True):
    """One chat identity linked to a person; an unlinked row is kept as history."""

    __tablename__ = "channel_account"
    __table_args__ = (
        Index(
            "uq_channel_account_active_external",
            "channel",
            "external_id",
            unique=True,
            sqlite_where=Column("unlinked_at").is_(None),
            postgresql_where=Column("unlinked_at").is_(None),
        ),
        Index(
            "uq_channel_account_active_person",
            "person_id",
            "channel",
            unique=True,
            sqlite_where=Column("unlinked_at").is_(None),
            postgresql_where=Column("unlinked_at").is_(None),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str = Field(max_length=10)
    external_id: str = Field(max_length=64)
    linked_at: dt.datetime = _time()
    unlinked_at: dt.datetime | None = _time(nullable=True)
    unreachable_at: dt.datetime | None = _time(nullable=True)  # blocked the bot (Telegram 403)
    # When the person wrote from this account while another of theirs was the routine's: the routine writes
    # to the reachable account chosen (or, never chosen, linked) last.
    chosen_at: dt.datetime | None = _time(nullable=True)


class Invite(SQLModel, table=True):
    """A personal onboarding code. Only its SHA-256 is stored; the code itself is handed out once."""

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str = Field(max_length=10)
    code_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = _time()
    expires_at: dt.datetime = _time()
    used_at: dt.datetime | None = _time(nullable=True)
    revoked_at: dt.datetime | None = _time(nullable=True)


class AuditEntry(SQLModel, table=True):
    """Who did what as an admin, and when. `detail` is JSON text, never a secret."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = _time(index=True)
    actor: str = Field(max_length=100)
    action: str = Field(max_length=50, index=True)
    detail: str = Field(default="{}", sa_type=Text)



from storage.day_tables import *  # noqa: E402,F401,F403  (one metadata for Alembic)
from storage.routine_tables import *  # noqa: E402,F401,F403
from storage.presence_tables import *  # noqa: E402,F401,F403
from storage.outbox_tables import *  # noqa: E402,F401,F403
from storage.whatsapp_tables import *  # noqa: E402,F401,F403
