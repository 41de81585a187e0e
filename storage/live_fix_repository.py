"""Live-location moves written in batches: a burst of updates costs a handful of statements in one
transaction (seen keys, senders, fixes), not five per update (DESIGN.md, "Live-location ingest")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.day_records import Actor
from bot.domain.org_terms import Channel
from storage.conflict_insert import dialect_insert
from storage.day_tables import LocationFix, SeenUpdate
from storage.people_repository import _actor, _actor_query
from storage.tables import ChannelAccount, Person


class SqlLiveFixRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def first_times(self, keys: Sequence[str], at: dt.datetime) -> set[str]:
        """Record update keys; the ones not recorded before (the others are redeliveries)."""
        if not keys:
            return set()
        insert_ = dialect_insert(self.session)
        stmt = (insert_(SeenUpdate.__table__).values([{"key": k, "seen_at": at} for k in dict.fromkeys(keys)])
                .on_conflict_do_nothing().returning(SeenUpdate.__table__.c.key))
        return set((await self.session.execute(stmt)).scalars())

    async def account_actors(self, channel: Channel, external_ids: Sequence[str]) -> dict[str, Actor]:
        """The active people behind linked chat identities, by identity, in one query."""
        ids = sorted(set(external_ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            _actor_query().add_columns(ChannelAccount.external_id)
            .join(ChannelAccount, ChannelAccount.person_id == Person.id)
            .where(ChannelAccount.channel == channel.value, ChannelAccount.external_id.in_(ids),
                   ChannelAccount.unlinked_at.is_(None), Person.active)
        )
        return {r.external_id: _actor(r) for r in rows}

    async def add_fixes(self, fixes: Sequence[dict]) -> None:
        """Location fixes as column -> value rows, in one INSERT."""
        if fixes:
            await self.session.execute(insert(LocationFix.__table__), list(fixes))
