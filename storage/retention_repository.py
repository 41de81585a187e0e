"""Retention in SQL: what is older than the cut-off, and removing it a chunk at a time (one short statement
per chunk, so a province's millions of rows never hold a long lock). Counting and removing select the same
rows, so a dry run's numbers are the purge's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.day_tables import ConversationState, Evidence, LocationFix, SeenUpdate
from storage.presence_tables import PresenceCheck
from storage.tables import AuditEntry, Person

PURGE_ACTION = "retention_purge"


class SqlRetentionRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    # Which rows each kind covers.
    @staticmethod
    def _old_fixes(cutoff):
        return LocationFix.at < cutoff

    @staticmethod
    def _old_check_places(cutoff):
        return and_(PresenceCheck.due_at < cutoff,
                    or_(PresenceCheck.lat.is_not(None), PresenceCheck.lon.is_not(None)))

    @staticmethod
    def _stale_states(cutoff):
        inactive = select(Person.id).where(Person.active.is_(False)).scalar_subquery()
        return or_(ConversationState.person_id.in_(inactive), ConversationState.updated_at < cutoff)

    async def _count(self, model, where) -> int:
        return (await self.session.execute(select(func.count()).select_from(model).where(where))).scalar_one()

    async def count_fixes(self, cutoff: dt.datetime) -> int:
        return await self._count(LocationFix, self._old_fixes(cutoff))

    async def delete_fixes(self, cutoff: dt.datetime, limit: int) -> int:
        chunk = select(LocationFix.id).where(self._old_fixes(cutoff)).limit(limit).scalar_subquery()
        return (await self.session.execute(delete(LocationFix).where(LocationFix.id.in_(chunk)))).rowcount

    async def count_check_places(self, cutoff: dt.datetime) -> int:
        return await self._count(PresenceCheck, self._old_check_places(cutoff))

    async def clear_check_places(self, cutoff: dt.datetime, limit: int) -> int:
        """The coordinates of old presence checks; the outcome and distance stay (the digests' history)."""
        chunk = select(PresenceCheck.id).where(self._old_check_places(cutoff)).limit(limit).scalar_subquery()
        stmt = update(PresenceCheck).where(PresenceCheck.id.in_(chunk)).values(lat=None, lon=None, accuracy_m=None)
        return (await self.session.execute(stmt)).rowcount

    async def count_seen(self, cutoff: dt.datetime) -> int:
        return await self._count(SeenUpdate, SeenUpdate.seen_at < cutoff)

    async def delete_seen(self, cutoff: dt.datetime, limit: int) -> int:
        chunk = select(SeenUpdate.key).where(SeenUpdate.seen_at < cutoff).limit(limit).scalar_subquery()
        return (await self.session.execute(delete(SeenUpdate).where(SeenUpdate.key.in_(chunk)))).rowcount

    @staticmethod
    def _strangers_refused(cutoff):
        # Anyone can write to the bot: their refusals would otherwise grow the audit log without bound.
        return and_(AuditEntry.at < cutoff, AuditEntry.action == "refused", AuditEntry.actor.like("stranger:%"))

    async def count_stranger_refusals(self, cutoff: dt.datetime) -> int:
        return await self._count(AuditEntry, self._strangers_refused(cutoff))

    async def delete_stranger_refusals(self, cutoff: dt.datetime, limit: int) -> int:
        chunk = select(AuditEntry.id).where(self._strangers_refused(cutoff)).limit(limit).scalar_subquery()
        return (await self.session.execute(delete(AuditEntry).where(AuditEntry.id.in_(chunk)))).rowcount

    async def count_states(self, cutoff: dt.datetime) -> int:
        return await self._count(ConversationState, self._stale_states(cutoff))

    async def delete_states(self, cutoff: dt.datetime, limit: int) -> int:
        chunk = select(ConversationState.person_id).where(self._stale_states(cutoff)).limit(limit).scalar_subquery()
        stmt = delete(ConversationState).where(ConversationState.person_id.in_(chunk))
        return (await self.session.execute(stmt)).rowcount

    async def old_originals(self, cutoff: dt.datetime, after_id: int, limit: int) -> list[tuple[int, str]]:
        """(id, path) of images whose original is still kept, received before the cut-off, by id after
        `after_id`. Only images whose derivative exists (a pending one is made from the original first);
        documents are the work itself."""
        rows = await self.session.execute(
            select(Evidence.id, Evidence.path)
            .where(Evidence.id > after_id, Evidence.received_at < cutoff, Evidence.original_purged_at.is_(None),
                   Evidence.derivative_path.is_not(None))
            .order_by(Evidence.id)
            .limit(limit)
        )
        return [(i, p) for i, p in rows]

    async def paths_still_needed(self, paths: Sequence[str], cutoff: dt.datetime) -> set[str]:
        """Files are content-addressed: a newer row (the same screenshot sent again) keeps its file."""
        if not paths:
            return set()
        rows = await self.session.scalars(
            select(Evidence.path).distinct()
            .where(Evidence.path.in_(list(paths)), Evidence.received_at >= cutoff,
                   Evidence.original_purged_at.is_(None))
        )
        return set(rows)

    async def mark_originals_purged(self, evidence_ids: Sequence[int], at: dt.datetime) -> None:
        if evidence_ids:
            await self.session.execute(
                update(Evidence).where(Evidence.id.in_(list(evidence_ids))).values(original_purged_at=at)
            )

    async def last_purge_at(self) -> dt.datetime | None:
        return (
            await self.session.execute(select(func.max(AuditEntry.at)).where(AuditEntry.action == PURGE_ACTION))
        ).scalar_one()
