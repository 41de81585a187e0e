from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports import AuditRecord
from storage.tables import AuditEntry


class SqlAuditRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def record(self, at: dt.datetime, actor: str, action: str, detail: dict) -> None:
        await self.session.execute(
            insert(AuditEntry).values(
                at=at, actor=actor, action=action, detail=json.dumps(detail, ensure_ascii=False, default=str)
            )
        )

    async def entries(self, *, since: dt.datetime | None = None, until: dt.datetime | None = None,
                      action: str | None = None, actor: str | None = None, limit: int = 200) -> list[AuditRecord]:
        """The newest first, within [since, until)."""
        query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        if since is not None:
            query = query.where(AuditEntry.at >= since)
        if until is not None:
            query = query.where(AuditEntry.at < until)
        if action:
            query = query.where(AuditEntry.action == action)
        if actor:
            query = query.where(AuditEntry.actor == actor)
        rows = (await self.session.scalars(query)).all()
        return [AuditRecord(r.id, r.at, r.actor, r.action, json.loads(r.detail or "{}")) for r in rows]
