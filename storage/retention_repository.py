"""Retention in SQL: what is older than the cut-off, and removing it a chunk at a time (one short statement
per chunk, so a province's millions of rows never hold a long lock). Counting and removing select the same
rows, so a dry run's numbers are the purge's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.org_terms import Channel
from bot.outbox.records import Status
from storage.day_tables import ConversationState, Evidence, LocationFix, SeenUpdate
from storage.outbox_repository import attachment_sha
from storage.outbox_tables import OutboxFile, OutboxMessage
from storage.presence_tables import PresenceCheck
from storage.routine_tables import Delivery
from storage.tables import AuditEntry, ChannelAccount, Person
from storage.whatsapp_tables import WhatsAppChat, WhatsAppHeld, WhatsAppSent

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

    async def count_deliveries(self, cutoff: dt.datetime) -> int:
        return await self._count(Delivery, Delivery.day < cutoff.date())

    async def delete_deliveries(self, cutoff: dt.datetime, limit: int) -> int:
        chunk = select(Delivery.key).where(Delivery.day < cutoff.date()).limit(limit).scalar_subquery()
        return (await self.session.execute(delete(Delivery).where(Delivery.key.in_(chunk)))).rowcount

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

    # Messages: the outbox keeps a copy of every text it sent (names, tasks, reports), the WhatsApp adapter
    # what it held and what the Cloud API accepted. Ended messages, and the adapter's rows, go after the
    # cut-off; queued and sending ones never do.
    @staticmethod
    def _old_messages(cutoff):
        ended = [Status.SENT.value, Status.FAILED.value, Status.EXPIRED.value]
        return and_(OutboxMessage.status.in_(ended), OutboxMessage.created_at < cutoff)

    async def count_messages(self, cutoff: dt.datetime) -> int:
        return await self._count(OutboxMessage, self._old_messages(cutoff))

    async def delete_messages(self, cutoff: dt.datetime, limit: int) -> int:
        chunk = select(OutboxMessage.id).where(self._old_messages(cutoff)).limit(limit).scalar_subquery()
        return (await self.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(chunk)))).rowcount

    async def _unused_files(self, cutoff: dt.datetime) -> list[str]:
        """Stored attachments (digest cards, exports, the invites CSV an admin asked for in chat) that no
        queued or sending message needs, made before the cut-off. A few per supervisor a day: read whole."""
        pending = await self.session.scalars(select(OutboxMessage.payload).where(
            OutboxMessage.status.in_([Status.QUEUED.value, Status.SENDING.value]),
            OutboxMessage.payload.like('%"sha256":"%')))
        needed = {attachment_sha(payload) for payload in pending}
        made = await self.session.scalars(select(OutboxFile.sha256).where(OutboxFile.created_at < cutoff))
        return sorted(set(made) - needed)

    async def count_files(self, cutoff: dt.datetime) -> int:
        return len(await self._unused_files(cutoff))

    async def delete_files(self, cutoff: dt.datetime, limit: int) -> int:
        chunk = (await self._unused_files(cutoff))[:limit]
        if not chunk:
            return 0
        return (await self.session.execute(delete(OutboxFile).where(OutboxFile.sha256.in_(chunk)))).rowcount

    async def count_whatsapp_sent(self, cutoff: dt.datetime) -> int:
        return await self._count(WhatsAppSent, WhatsAppSent.sent_at < cutoff)

    async def delete_whatsapp_sent(self, cutoff: dt.datetime, limit: int) -> int:
        chunk = select(WhatsAppSent.id).where(WhatsAppSent.sent_at < cutoff).limit(limit).scalar_subquery()
        return (await self.session.execute(delete(WhatsAppSent).where(WhatsAppSent.id.in_(chunk)))).rowcount

    async def count_whatsapp_held(self, cutoff: dt.datetime) -> int:
        return await self._count(WhatsAppHeld, WhatsAppHeld.held_at < cutoff)

    async def delete_whatsapp_held(self, cutoff: dt.datetime, limit: int) -> int:
        # Released or not: a briefing held for weeks is no longer worth sending when the person comes back.
        chunk = select(WhatsAppHeld.id).where(WhatsAppHeld.held_at < cutoff).limit(limit).scalar_subquery()
        return (await self.session.execute(delete(WhatsAppHeld).where(WhatsAppHeld.id.in_(chunk)))).rowcount

    @staticmethod
    def _stranger_chats(cutoff):
        # Anyone can write to the number: a chat nobody is linked to keeps their phone number only so long.
        linked = select(ChannelAccount.external_id).where(ChannelAccount.channel == Channel.WHATSAPP.value,
                                                          ChannelAccount.unlinked_at.is_(None))
        return and_(WhatsAppChat.external_id.not_in(linked),
                    or_(WhatsAppChat.last_inbound_at.is_(None), WhatsAppChat.last_inbound_at < cutoff))

    async def count_whatsapp_strangers(self, cutoff: dt.datetime) -> int:
        return await self._count(WhatsAppChat, self._stranger_chats(cutoff))

    async def delete_whatsapp_strangers(self, cutoff: dt.datetime, limit: int) -> int:
        chunk = select(WhatsAppChat.id).where(self._stranger_chats(cutoff)).limit(limit).scalar_subquery()
        return (await self.session.execute(delete(WhatsAppChat).where(WhatsAppChat.id.in_(chunk)))).rowcount

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
