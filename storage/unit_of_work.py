"""One transaction for one use case. Repositories never commit; the use case calls `commit()`,
and leaving the block without it rolls everything back."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.audit_repository import SqlAuditRepository
from storage.check_repository import SqlCheckRepository
from storage.day_repository import SqlDayRepository
from storage.evidence_repository import SqlEvidenceRepository
from storage.database import make_engine, make_session_factory
from storage.flag_repository import SqlFlagRepository
from storage.outbox_repository import SqlOutboxRepository
from storage.invite_repository import SqlAccountRepository, SqlInviteRepository
from storage.leave_repository import SqlLeaveRepository
from storage.live_fix_repository import SqlLiveFixRepository
from storage.org_repository import SqlOrgRepository
from storage.people_repository import SqlPeopleRepository
from storage.plh_repository import SqlPlhRepository
from storage.presence_repository import SqlPresenceRepository
from storage.person_data_repository import SqlPersonDataRepository
from storage.retention_repository import SqlRetentionRepository
from storage.routine_repository import SqlRoutineRepository
from storage.wave_repository import SqlWaveRepository


class SqlUnitOfWork:
    def __init__(self, session_factory):
        self._session_factory = session_factory

    async def __aenter__(self) -> SqlUnitOfWork:
        self.session = self._session_factory()
        self.org = SqlOrgRepository(self.session)
        self.invites = SqlInviteRepository(self.session)
        self.accounts = SqlAccountRepository(self.session)
        self.audit = SqlAuditRepository(self.session)
        self.people = SqlPeopleRepository(self.session)
        self.day = SqlDayRepository(self.session)
        self.routine = SqlRoutineRepository(self.session)
        self.flags = SqlFlagRepository(self.session)
        self.outbox = SqlOutboxRepository(self.session)
        self.waves = SqlWaveRepository(self.session)
        self.presence = SqlPresenceRepository(self.session)
        self.leave = SqlLeaveRepository(self.session)
        self.retention = SqlRetentionRepository(self.session)
        self.person_data = SqlPersonDataRepository(self.session)
        self.checks = SqlCheckRepository(self.session)
        self.live = SqlLiveFixRepository(self.session)
        self.evidence = SqlEvidenceRepository(self.session)
        self.plh = SqlPlhRepository(self.session)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.session.rollback()
        await self.session.close()

    async def commit(self) -> None:
        # The messages a use case queued are written in its own transaction: both happen or neither.
        await self.outbox.flush()
        await self.session.commit()


class Database:
    """The engine and the unit-of-work factory the services are given."""

    def __init__(self, url: str, *, schema: str | None = None):
        self.url = url
        self.engine: AsyncEngine = make_engine(url, schema=schema)
        self._sessions = make_session_factory(self.engine)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions)

    async def dispose(self) -> None:
        await self.engine.dispose()
