"""The routine's housekeeping steps, assembled from the settings (outside the core: they need the files
on disk): expiring leave requests nobody decided, pending derivatives of turned photos, and the nightly
retention purge."""

from __future__ import annotations

import datetime as dt

from bot.messages import Outgoing
from bot.ports import Clock
from bot.services.leave_decision import expire_requests
from bot.services.derivatives import make_pending
from bot.services.retention import daily_purge
from bot.settings import Settings
from storage.media_files import LocalMediaFiles
from storage.media_store import FileMediaStore
from storage.unit_of_work import Database


def housekeeping_steps(settings: Settings, db: Database, clock: Clock):
    language = settings.default_language.value
    files = LocalMediaFiles()

    async def expire(now: dt.datetime) -> list[Outgoing]:
        return await expire_requests(db.uow, now, language)

    async def purge(now: dt.datetime) -> list[Outgoing]:
        await daily_purge(db.uow, files, now=now, retention_days=settings.retention_days)
        return []

    media = FileMediaStore(settings.media_dir)

    async def derivatives(now: dt.datetime) -> list[Outgoing]:
        await make_pending(db.uow, media)
        return []

    return [expire, derivatives, purge]
