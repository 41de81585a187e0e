"""What the core needs from the outside world, as Protocols. `storage/` implements them with SQL;
tests may implement them with fakes. Nothing here names a framework."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, Self

from bot.domain.org_sync import StoredPerson, StoredUnit, SyncPlan
from bot.domain.check_moments import CheckOutcome, CheckRecord
from bot.domain.duplicates import Candidate
from bot.domain.flags import FlagRecord, NewFlag
from bot.domain.org_terms import Channel

# (done, total) after each chunk of a long job; total may be None when unknown.
Progress = Callable[[int, int | None], None]


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware UTC."""


@dataclass(frozen=True)
class PersonRow:
    """A person as listed: names resolved, for display and export."""

    id: int
    nip: str
    name: str
    position: str
    unit: str
    supervisor_nip: str | None
    rank: str | None
    role: str
    active: bool
    phone: str | None
    language: str | None
    added_at: dt.datetime | None = None  # when the org chart brought them into Apel
    removed_at: dt.datetime | None = None  # when an import deactivated them; None while active

    def in_org_chart_at(self, moment: dt.datetime) -> bool:
        """Whether the person was in the org chart at that instant: added before it and not yet deactivated.
        A day is a person's (owed a report, in a digest or an export) when this holds at its deadline."""
        if self.added_at is not None and moment < self.added_at:
            return False
        return self.active or (self.removed_at is not None and moment <= self.removed_at)


@dataclass(frozen=True)
class InviteRecord:
    id: int
    person_id: int
    channel: Channel
    expires_at: dt.datetime
    used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@dataclass(frozen=True)
class NewInvite:
    person_id: int
    channel: Channel
    code_hash: str
    created_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class LinkedPerson:
    person_id: int
    nip: str
    name: str
    unit: str
    language: str | None
    active: bool


class OrgRepository(Protocol):
    async def stored_units(self) -> dict[str, StoredUnit]: ...
    async def stored_people(self) -> dict[str, StoredPerson]: ...
    async def apply(self, plan: SyncPlan, now: dt.datetime, progress: Progress | None = None) -> None: ...
    async def count_active_people(self) -> int: ...
    async def list_people(self, unit_names: set[str] | None, *, include_inactive: bool,
                          reporting_to: int | None = None) -> list[PersonRow]: ...
    async def person_by_id(self, person_id: int) -> LinkedPerson | None: ...
    async def holder_of_nip(self, nip: str) -> tuple[int, str] | None: ...
    async def set_nip(self, person_id: int, nip: str, now: dt.datetime) -> None: ...
    async def rename_unit(self, unit_id: int, name: str, now: dt.datetime) -> None: ...


class InviteRepository(Protocol):
    async def revoke_open(self, person_ids: Sequence[int], channel: Channel, now: dt.datetime) -> int: ...
    async def add_many(self, invites: Sequence[NewInvite]) -> None: ...
    async def by_hash(self, code_hash: str) -> InviteRecord | None: ...
    async def mark_used(self, invite_id: int, now: dt.datetime) -> bool: ...


class AccountRepository(Protocol):
    async def link(self, person_id: int, channel: Channel, external_id: str, now: dt.datetime) -> str | None: ...
    async def person_for(self, channel: Channel, external_id: str) -> LinkedPerson | None: ...


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: dt.datetime
    actor: str  # "cli", "person:<id>", "telegram:<chat>"...
    action: str
    detail: dict


class AuditRepository(Protocol):
    async def record(self, at: dt.datetime, actor: str, action: str, detail: dict) -> None: ...

    async def entries(self, *, since: dt.datetime | None = None, until: dt.datetime | None = None,
                      action: str | None = None, actor: str | None = None, limit: int = 200) -> list[AuditRecord]: ...


class UnitOfWork(Protocol):
    org: OrgRepository
    invites: InviteRepository
    accounts: AccountRepository
    audit: AuditRepository
    people: PeopleRepository
    day: DayRepository
    flags: FlagRepository
    presence: PresenceRepository
    leave: LeaveRepository
    checks: CheckRepository
    live: LiveFixRepository
    evidence: EvidenceRepository

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc) -> None: ...
    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class StoredMedia:
    sha256: str
    path: str  # the original, private
    thumb_path: str | None  # what others may be shown (images only)
    size: int
    derivative_path: str | None = None  # full size without EXIF/GPS (images only); others may see it
    phash: str | None = None  # perceptual hash, 16 hex digits (images only)
    probes: tuple[str, ...] = ()  # hashes to look duplicates up with (shifted crops; includes phash)
    taken: dt.datetime | None = None  # EXIF capture time; naive = local time of the sender's zone
    gps: tuple[float, float] | None = None  # EXIF position (lat, lon)


class MediaFetcher(Protocol):
    """The adapter's download of a file a person sent (Telegram getFile, WhatsApp media API)."""

    async def fetch(self, file_ref: str) -> bytes: ...


class MediaStore(Protocol):
    async def save(self, content: bytes, *, filename: str | None, mime: str | None,
                   kind: str | None = None) -> StoredMedia:
        """Checks and stores; raises bot.domain.evidence.MediaRefused when the file is not accepted."""

    async def make_derivative(self, original: str, sha256: str) -> str:
        """A pending derivative (turned photo), made from the original; its path."""

    async def resemble(self, thumb_path: str, earlier: Sequence[str | None]) -> list[int | None]:
        """The second opinion on near-duplicates found by the 64-bit hash: bits (of 256) between this
        thumbnail and each earlier one; None where an earlier one is missing or unreadable."""


class SheetReader(Protocol):
    """Turns an uploaded org-chart file into a header and numbered rows (raises ServiceError sheet.*), off the
    event loop: a province's sheet takes seconds to parse, and other people's updates must not wait."""

    async def read(self, content: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]: ...


from bot.day_records import (  # noqa: E402  (records of the day, defined beside their use)
    Actor,
    ActorInState,
    Address,
    EvidenceRecord,
    LeaveRecord,
    NewEvidence,
    ReportRecord,
    TaskRecord,
    WorkDayRecord,
)
from bot.domain.coverage import Fix  # noqa: E402
from bot.presence_records import HomeRecord, OfficeRecord, SummaryRecord  # noqa: E402


class PeopleRepository(Protocol):
    async def actor(self, person_id: int) -> Actor | None: ...
    async def actors(self, person_ids: Sequence[int]) -> dict[int, Actor]: ...
    async def account_actor(self, channel: Channel, external_id: str) -> ActorInState | None: ...
    async def direct_reports(self, person_id: int) -> list[Actor]: ...
    async def subtree(self, person_id: int) -> list[Actor]: ...
    async def chain(self, person_id: int) -> list[int]: ...
    async def set_language(self, person_id: int, language: str) -> None: ...
    async def set_home_pending(self, person_id: int, lat: float, lon: float, at: dt.datetime) -> None: ...
    async def everyone_in(self, unit_names: set[str] | None) -> list[int]: ...
    async def addresses(self, person_ids: Sequence[int]) -> list[Address]: ...
    async def account_person(self, channel: Channel, external_id: str) -> int | None: ...
    async def linked_to_deactivated(self, channel: Channel, external_id: str) -> bool: ...
    async def mark_unreachable(self, channel: Channel, external_id: str, at: dt.datetime) -> None: ...
    async def mark_reachable(self, channel: Channel, external_id: str) -> None: ...
    async def menu_holders(self) -> list[tuple[Actor, Address]]: ...


class EvidenceRepository(Protocol):
    """Reads of the evidence checks (storage/evidence_repository.py)."""

    async def similar(self, probes: Sequence[str], *, person_id: int, day: dt.date,
                      before_id: int | None = None) -> list[Candidate]: ...
    async def same_file(self, sha256: str, *, person_id: int, day: dt.date) -> Candidate | None: ...


class FlagRepository(Protocol):
    async def raise_many(self, flags: Sequence[NewFlag], at: dt.datetime) -> int: ...
    async def excuse(self, person_id: int, start: dt.datetime, end: dt.datetime) -> int: ...
    async def for_day(self, person_ids: list[int], day: dt.date) -> dict[int, list[FlagRecord]]: ...
    async def for_person(self, person_id: int) -> list[FlagRecord]: ...


class PresenceRepository(Protocol):
    async def home(self, person_id: int) -> HomeRecord | None: ...
    async def homes(self, person_ids: Sequence[int]) -> dict[int, HomeRecord]: ...
    async def approve_home(self, person_id: int, pending_at: dt.datetime, by: int, at: dt.datetime) -> bool: ...
    async def refuse_home(self, person_id: int, pending_at: dt.datetime) -> bool: ...
    async def admins(self) -> list[int]: ...
    async def offices(self, unit_ids: Sequence[int] | None = None) -> dict[int, OfficeRecord]: ...
    async def set_office(self, unit: str, lat: float | None, lon: float | None, radius_m: int | None,
                         at: dt.datetime) -> bool: ...
    async def fixes_for(self, person_ids: Sequence[int], day: dt.date) -> dict[int, list[Fix]]: ...
    async def summaries_for(self, person_ids: Sequence[int], day: dt.date) -> dict[int, SummaryRecord]: ...
    async def save_summaries(self, summaries: Sequence[SummaryRecord], at: dt.datetime) -> None: ...


class LeaveRepository(Protocol):
    async def add(self, person_id: int, kind: str, day: dt.date, reason: str, at: dt.datetime, *,
                  end_day: dt.date | None = None, starts_at: dt.datetime | None = None,
                  ends_at: dt.datetime | None = None, asked_ids: Sequence[int] = ()) -> int: ...
    async def get(self, leave_id: int) -> LeaveRecord | None: ...
    async def keep_replaced_modes(self, leave_id: int, modes: dict) -> None: ...
    async def cancel(self, leave_id: int, was: str, at: dt.datetime) -> bool: ...
    async def open_of(self, person_id: int, since: dt.date) -> list[LeaveRecord]: ...
    async def decide(self, leave_id: int, status: str, by: int | None, at: dt.datetime, *,
                     refusal_reason: str | None = None) -> bool: ...
    async def open_between(self, person_id: int, first: dt.date, last: dt.date) -> list[LeaveRecord]: ...
    async def pending_of(self, person_ids: Sequence[int]) -> list[LeaveRecord]: ...
    async def pending_ending_by(self, day: dt.date) -> list[LeaveRecord]: ...
    async def approved_windows(self, person_ids: Sequence[int], start: dt.datetime,
                               end: dt.datetime) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]: ...
    async def for_person(self, person_id: int) -> list[LeaveRecord]: ...


class LiveFixRepository(Protocol):
    """Live-location moves in batches (storage/live_fix_repository.py)."""

    async def first_times(self, keys: Sequence[str], at: dt.datetime) -> set[str]: ...
    async def account_actors(self, channel: Channel, external_ids: Sequence[str]) -> dict[str, Actor]: ...
    async def add_fixes(self, fixes: Sequence[dict]) -> None: ...


class CheckRepository(Protocol):
    """Presence checks (storage/check_repository.py)."""

    async def planned(self, person_ids: Sequence[int], day: dt.date) -> set[int]: ...
    async def plan(self, moments: Sequence[tuple[int, dt.date, dt.datetime]]) -> int: ...
    async def due(self, now: dt.datetime, since: dt.date) -> list[CheckRecord]: ...
    async def next_unasked(self, person_ids: Sequence[int], day: dt.date) -> list[CheckRecord]: ...
    async def open_people(self, person_ids: Sequence[int], now: dt.datetime) -> set[int]: ...
    async def open_check(self, person_id: int, now: dt.datetime) -> CheckRecord | None: ...
    async def closed_unanswered(self, person_id: int, now: dt.datetime, since: dt.datetime) -> CheckRecord | None: ...
    async def selfie_wanted(self, person_id: int, now: dt.datetime) -> CheckRecord | None: ...
    async def mark_asked(self, asked: Sequence[tuple[int, dt.datetime, dt.datetime]]) -> None: ...
    async def set_outcome(self, check_ids: Sequence[int], outcome: CheckOutcome) -> None: ...
    async def answer(self, check_id: int, *, at: dt.datetime, lat: float, lon: float, accuracy_m: float | None,
                     distance_m: float | None, outcome: CheckOutcome, asked_at: dt.datetime | None = None) -> bool: ...
    async def link_selfie(self, check_id: int, evidence_id: int) -> None: ...
    async def live_positions(self, person_ids: Sequence[int], since: dt.datetime,
                             now: dt.datetime) -> dict[int, tuple[dt.datetime, float, float]]: ...


class DayRepository(Protocol):
    async def first_time(self, key: str, at: dt.datetime) -> bool: ...
    async def state(self, person_id: int) -> tuple[str, dict] | None: ...
    async def set_state(self, person_id: int, state: str, data: dict, at: dt.datetime) -> None: ...
    async def clear_state(self, person_id: int) -> None: ...
    async def work_day(self, person_id: int, day: dt.date) -> WorkDayRecord | None: ...
    async def ensure_work_day(self, person_id: int, day: dt.date, mode: str) -> WorkDayRecord: ...
    async def set_mode(self, person_id: int, day: dt.date, mode: str, source: str, reason: str | None) -> None: ...
    async def forget_planned(self, person_ids: Sequence[int], day: dt.date) -> int: ...
    async def forget_leave_days(self, person_id: int, days: Sequence[dt.date]) -> None: ...
    async def mark_briefed(self, person_id: int, day: dt.date, at: dt.datetime) -> bool: ...
    async def acknowledge(self, person_id: int, day: dt.date, at: dt.datetime) -> None: ...
    async def add_task(self, person_id: int, title: str, due: dt.date, source: str, by: int | None,
                       at: dt.datetime, announced: bool) -> int: ...
    async def task(self, task_id: int) -> TaskRecord | None: ...
    async def tasks_for_day(self, person_id: int, day: dt.date) -> list[TaskRecord]: ...
    async def upcoming_tasks(self, person_id: int, day: dt.date) -> list[TaskRecord]: ...
    async def set_task_status(self, task_id: int, status: str, reason: str | None, at: dt.datetime) -> None: ...
    async def mark_announced(self, task_ids: Sequence[int], at: dt.datetime) -> None: ...
    async def add_evidence(self, item: NewEvidence) -> int: ...
    async def evidence_for_day(self, person_id: int, day: dt.date) -> list[EvidenceRecord]: ...
    async def album_received_before(self, person_id: int, album: str, evidence_id: int) -> bool: ...
    async def attach_evidence(self, evidence_ids: Sequence[int], person_id: int, task_id: int | None) -> None: ...
    async def add_fix(self, person_id: int, day: dt.date, lat: float, lon: float, accuracy: float | None,
                      at: dt.datetime, live_key: str | None, live_until: dt.datetime | None) -> None: ...
    async def fix_count(self, person_id: int, day: dt.date) -> int: ...
    async def report(self, person_id: int, day: dt.date) -> ReportRecord | None: ...
    async def save_report(self, person_id: int, day: dt.date, *, status: str, summary: str | None,
                          task_lines: list, evidence_count: int, late: bool, submitted_at: dt.datetime | None,
                          at: dt.datetime) -> None: ...
    async def reports_for(self, person_ids: Sequence[int], day: dt.date) -> dict[int, ReportRecord]: ...
    async def work_days_for(self, person_ids: Sequence[int], day: dt.date) -> dict[int, WorkDayRecord]: ...
    async def evidence_between(self, person_ids: Sequence[int], start: dt.date, end: dt.date) -> list[EvidenceRecord]: ...


@dataclass(frozen=True)
class CardRow:
    """One person on the digest picture; every label already translated by the caller."""

    name: str
    mode: str  # short mode label, e.g. "WFH"
    status: str  # "on_time" | "late" | "missing" | "excused"
    status_label: str  # e.g. "Tepat waktu 15.20"
    done: int
    total: int
    evidence: int
    flags: tuple[str, ...] = ()  # short warnings, e.g. "Bukti dipakai ulang"


@dataclass(frozen=True)
class DigestCardData:
    """The digest picture's content. The text digest stays the source of truth; this is for a glance.
    `sub_units`: roll-up rows (unit name, reported, late, missing, excused), where `reported` counts
    every submitted report, the late ones included. Only the first 60 rows are drawn; when rows are
    cut, `more_label` (e.g. "+12 lainnya") is shown in the footer. `rollup_title` and `rollup_headers`
    (four short column labels: reported, late, missing, excused) are optional labels of the roll-up."""

    title: str  # e.g. "Rekap tim — Senin, 23 November 2026"
    subtitle: str  # e.g. supervisor name and unit
    rows: tuple[CardRow, ...]
    totals_label: str  # the one-line total
    sub_units: tuple[tuple[str, int, int, int, int], ...] = ()
    more_label: str = ""
    rollup_title: str = ""
    rollup_headers: tuple[str, ...] = ()


class Pictures(Protocol):
    """Pictures for a glance (Pillow lives behind this port, in bot/pictures)."""

    async def digest_card(self, data: DigestCardData) -> bytes: ...  # PNG

    async def collage(self, image_paths: Sequence[str], *, columns: int = 4) -> bytes | None:
        """A JPEG grid of square thumbnails; None when none of the images can be read."""
