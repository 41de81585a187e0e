from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

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
