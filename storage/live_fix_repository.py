"""Live-location moves written in batches: a burst of updates costs a handful of statements in one
transaction (seen keys, senders, fixes), not five per update (DESIGN.md, "Live-location ingest")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.day_records import Actor
from bot.domain.org_terms import Channel
from storage.conflict_insert import built_per_dialect
from storage.day_tables import LocationFix, SeenUpdate
from storage.people_repository import ACCOUNT_ACTORS, _actor


# Built once (BENCHMARKS.md, "Update ingest"): over long polling every move is a batch of one.
_FIRST_TIMES = built_per_dialect(
    lambda insert: insert(SeenUpdate.__table__).on_conflict_do_nothing().returning(SeenUpdate.__table__.c.key))


class SqlLiveFixRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def first_times(self, keys: Sequence[str], at: dt.datetime) -> set[str]:
        """Record update keys; the ones not recorded before (the others are redeliveries)."""
        if not keys:
            return set()
        rows = [{"key": k, "seen_at": at} for k in dict.fromkeys(keys)]
        # An executemany with RETURNING, which SQLAlchemy sends as multi-row INSERTs ("insertmanyvalues").
        return set((await self.session.execute(_FIRST_TIMES[self.session.bind.dialect.name], rows)).scalars())

    async def account_actors(self, channel: Channel, external_ids: Sequence[str]) -> dict[str, Actor]:
        """The active people behind linked chat identities, by identity, in one query."""
        ids = sorted(set(external_ids))
        if not ids:
            return {}
        rows = await self.session.execute(ACCOUNT_ACTORS, {"channel": channel.value, "external_ids": ids})
        return {r.external_id: _actor(r) for r in rows}

    async def add_fixes(self, fixes: Sequence[dict]) -> None:
        """Location fixes as column -> value rows, in one INSERT."""
        if fixes:
            await self.session.execute(insert(LocationFix.__table__), list(fixes))
