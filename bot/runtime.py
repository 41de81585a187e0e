"""Putting Apel together from the settings: the database, the core, the channels."""

from __future__ import annotations

import datetime as dt

from bot.domain.evidence import EvidencePolicy
from bot.exports import export_bytes
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
        media=FileMediaStore(settings.media_dir, max_pixels=settings.media_max_pixels),
        sheets=UploadedSheetReader(),
        default_language=settings.default_language.value,
        default_timezone=settings.default_timezone,
        links=LinkSettings(settings.telegram_bot_username, settings.whatsapp_number),
        invite_ttl=dt.timedelta(days=settings.invite_ttl_days),
        exporter=export_bytes,
        evidence_policy=evidence_policy(settings),
    )


def evidence_policy(settings: Settings) -> EvidencePolicy:
    return EvidencePolicy(
        max_bytes=settings.evidence_max_mb * 1024 * 1024,
        max_pixels=settings.media_max_pixels,
        duplicate_distance=settings.duplicate_distance,
        exif_max_age_hours=settings.exif_max_age_hours,
        exif_max_distance_km=settings.exif_max_distance_km,
        # HOME_RADIUS_M belongs to the presence settings; read defensively until they are merged.
        default_home_radius_m=int(getattr(settings, "home_radius_m", None) or 200),
    )


def build_routine(settings: Settings, db: Database, clock: Clock):
    from bot.services.routine import Routine

    pictures = None
    if settings.digest_pictures:
        from bot.pictures import PillowPictures

        pictures = PillowPictures()
    return Routine(db.uow, clock=clock, default_language=settings.default_language.value, pictures=pictures)


class telegram_delivery:  # noqa: N801 - used as `async with telegram_delivery(...) as deliver`
    """Delivers Outgoing messages to Telegram (others are counted as not sent); returns how many went."""

    def __init__(self, settings: Settings, db: Database, clock: Clock):
        self.settings, self.db, self.clock = settings, db, clock
        self.bot = None

    async def __aenter__(self):
        from bot.domain.org_terms import Channel

        token = self.settings.telegram_bot_token
        sender = None
        if token is not None:
            from bot.channels.telegram.app import make_bot
            from bot.channels.telegram.outbound import TelegramSender

            self.bot = make_bot(token.get_secret_value(), self.settings.telegram_api_url)
            sender = TelegramSender(self.bot, build_conversation(self.settings, self.db, self.clock))

        async def deliver(outgoing) -> int:
            sent = 0
            for item in outgoing:
                if sender is not None and item.channel is Channel.TELEGRAM:
                    sent += bool(await sender.send(item))
            return sent

        return deliver

    async def __aexit__(self, *exc):
        if self.bot is not None:
            await self.bot.session.close()
