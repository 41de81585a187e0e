"""What the core needs from the outside world, as Protocols. `storage/` implements them with SQL;
tests may implement them with fakes. Nothing here names a framework."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, Self

from bot.domain.org_sync import StoredPerson, StoredUnit, SyncPlan
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
    async def list_people(self, unit_names: set[str] | None, *, include_inactive: bool) -> list[PersonRow]: ...
    async def person_by_id(self, person_id: int) -> LinkedPerson | None: ...


class InviteRepository(Protocol):
    async def revoke_open(self, person_ids: Sequence[int], channel: Channel, now: dt.datetime) -> int: ...
    async def add_many(self, invites: Sequence[NewInvite]) -> None: ...
    async def by_hash(self, code_hash: str) -> InviteRecord | None: ...
    async def mark_used(self, invite_id: int, now: dt.datetime) -> bool: ...


class AccountRepository(Protocol):
    async def link(self, person_id: int, channel: Channel, external_id: str, now: dt.datetime) -> None: ...
    async def person_for(self, channel: Channel, external_id: str) -> LinkedPerson | None: ...


class AuditRepository(Protocol):
    async def record(self, at: dt.datetime, actor: str, action: str, detail: dict) -> None: ...


class UnitOfWork(Protocol):
    org: OrgRepository
    invites: InviteRepository
    accounts: AccountRepository
    audit: AuditRepository

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc) -> None: ...
    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
