"""Putting Apel together from the settings: the database, the core, the channels."""

from __future__ import annotations

import datetime as dt

from bot.ports import Clock
from bot.services.conversation import Conversation
from bot.services.invites import LinkSettings
from bot.settings import Settings
from bot.spreadsheet import UploadedSheetReader
from storage.media_store import FileMediaStore
from storage.unit_of_work import Database


def build_conversation(settings: Settings, db: Database, clock: Clock) -> Conversation:
    return Conversation(
        db.uow,
        clock=clock,
        media=FileMediaStore(settings.media_dir),
        sheets=UploadedSheetReader(),
        default_language=settings.default_language.value,
        default_timezone=settings.default_timezone,
        links=LinkSettings(settings.telegram_bot_username, settings.whatsapp_number),
        invite_ttl=dt.timedelta(days=settings.invite_ttl_days),
    )
