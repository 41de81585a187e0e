"""Records of the working day as the core sees them (repositories return these, never table rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.org_terms import Channel


@dataclass(frozen=True)
class Actor:
    """A linked, active person as the conversation needs them."""

    person_id: int
    nip: str
    name: str
    unit: str
    unit_id: int
    timezone: str
    language: str | None
    role: str
    supervisor_id: int | None
    has_reports: bool

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_supervisor(self) -> bool:
        return self.has_reports


@dataclass(frozen=True)
class ActorInState:
    """Who sent an inbound event, and the conversation state they were in when it arrived (None: none)."""

    actor: Actor
    state: tuple[str, dict] | None
    unreachable: bool = False  # the channel gave up on this chat (blocked the bot); it wrote, so it is back
    behind: bool = False  # another account of the person is the routine's; writing from this one chooses it


@dataclass(frozen=True)
class Address:
    person_id: int
    channel: Channel
    external_id: str


@dataclass(frozen=True)
class WorkDayRecord:
    person_id: int
    day: dt.date
    mode: str
    source: str
    briefed_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    reason: str | None = None


@dataclass(frozen=True)
class TaskRecord:
    id: int
    person_id: int
    title: str
    due_date: dt.date
    status: str
    blocked_reason: str | None
    source: str
    assigned_by_id: int | None
    announced_at: dt.datetime | None


@dataclass(frozen=True)
class EvidenceRecord:
    id: int
    person_id: int
    day: dt.date
    task_id: int | None
    kind: str
    path: str
    thumb_path: str | None
    filename: str | None
    received_at: dt.datetime
    caption: str | None = None  # what the person wrote under it


@dataclass(frozen=True)
class NewEvidence:
    person_id: int
    day: dt.date
    task_id: int | None
    kind: str
    sha256: str
    path: str
    thumb_path: str | None
    mime: str | None
    filename: str | None
    size: int
    album: str | None
    caption: str | None
    received_at: dt.datetime
    derivative_path: str | None = None  # images: full size without EXIF/GPS (what others may see)
    phash: str | None = None
    taken_at: dt.datetime | None = None  # EXIF capture time (UTC)


@dataclass(frozen=True)
class ReportRecord:
    id: int
    person_id: int
    day: dt.date
    status: str
    summary: str | None
    task_lines: list
    evidence_count: int
    late: bool
    revision: int
    submitted_at: dt.datetime | None
    reviewed_by_id: int | None = None
    reviewed_at: dt.datetime | None = None
    review_note: str | None = None


@dataclass(frozen=True)
class LeaveRecord:
    id: int
    person_id: int
    kind: str
    day: dt.date
    reason: str
    status: str
    end_day: dt.date | None = None  # the last day asked (None: just `day`)
    starts_at: dt.datetime | None = None  # izin keluar rumah: the window, UTC
    ends_at: dt.datetime | None = None
    decided_by_id: int | None = None
    decided_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    refusal_reason: str | None = None  # a refusal's reason, when the superior gave one
    asked_ids: tuple[int, ...] = ()  # who was asked to decide (empty for requests stored before it was kept)
    replaced_modes: dict | None = None  # {"YYYY-MM-DD": [mode, source, reason]} an approval overwrote

    @property
    def last_day(self) -> dt.date:
        return self.end_day or self.day
