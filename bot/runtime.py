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
from storage.pseudonym_key import pseudonym_key
from storage.unit_of_work import Database


def build_conversation(settings: Settings, db: Database, clock: Clock) -> Conversation:
    return Conversation(
        db.uow,
        clock=clock,
        media=FileMediaStore(settings.media_dir, max_pixels=settings.media_max_pixels),
        sheets=UploadedSheetReader(settings.org_import_max_rows),
        default_language=settings.default_language.value,
        default_timezone=settings.default_timezone,
        links=LinkSettings(settings.telegram_bot_username, settings.whatsapp_number),
        invite_ttl=dt.timedelta(days=settings.invite_ttl_days),
        pseudonym_key=pseudonym_key(
            settings.pseudonym_secret.get_secret_value() if settings.pseudonym_secret else None, settings.media_dir),
        exporter=export_bytes,
        check_secret=check_secret(settings),
        evidence_policy=evidence_policy(settings),
    )


def evidence_policy(settings: Settings) -> EvidencePolicy:
    return EvidencePolicy(
        max_bytes=settings.evidence_max_mb * 1024 * 1024,
        max_pixels=settings.media_max_pixels,
        duplicate_distance=settings.duplicate_distance,
        exif_max_age_hours=settings.exif_max_age_hours,
        exif_max_distance_km=settings.exif_max_distance_km,
        default_home_radius_m=settings.home_radius_m,
    )


def check_secret(settings: Settings) -> str:
    return settings.presence_check_secret.get_secret_value() if settings.presence_check_secret else ""


def build_routine(settings: Settings, db: Database, clock: Clock):
    from bot.services.routine import Routine

    pictures = None
    if settings.digest_pictures:
        from bot.pictures import PillowPictures

        pictures = PillowPictures()
    from bot.housekeeping import housekeeping_steps

    return Routine(db.uow, clock=clock, default_language=settings.default_language.value, pictures=pictures,
                   send_rate=settings.telegram_bulk_rate, whatsapp_rate=settings.whatsapp_rate,
                   home_radius_m=settings.home_radius_m,
                   housekeeping=housekeeping_steps(settings, db, clock), check_secret=check_secret(settings))


class Senders:
    """The outbox sender of this process and the channel clients it needs (closed on exit)."""

    def __init__(self, settings: Settings, db: Database, clock: Clock, *, worker: str,
                 conversation: Conversation | None = None):
        self.settings, self.db, self.clock, self.worker = settings, db, clock, worker
        self.conversation = conversation
        self.bot = None
        self.whatsapp = None
        self.sender = None

    async def __aenter__(self):
        from bot.domain.org_terms import Channel
        from bot.outbox.rate import SendLimits, storage_for, telegram_limits
        from bot.outbox.sender import OutboxSender

        settings = self.settings
        transports, limits = {}, {}
        if settings.telegram_bot_token is not None:
            from bot.channels.telegram.app import make_bot
            from bot.channels.telegram.transport import TelegramTransport

            self.bot = make_bot(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_url,
                                timeout=settings.telegram_send_timeout)
            transports[Channel.TELEGRAM] = TelegramTransport(self.bot, paid_broadcast=settings.telegram_paid_broadcast)
            limits[Channel.TELEGRAM] = telegram_limits(settings.telegram_bulk_rate, settings.telegram_total_rate)
        if settings.whatsapp_token is not None and settings.whatsapp_phone_id:
            from bot.channels.whatsapp.app import build as build_whatsapp
            from bot.channels.whatsapp.transport import WhatsAppTransport
            from bot.outbox.rate import whatsapp_limits

            conversation = self.conversation or build_conversation(settings, self.db, self.clock)
            self.whatsapp = build_whatsapp(settings, conversation, self.db.engine)
            transports[Channel.WHATSAPP] = WhatsAppTransport(self.whatsapp.sender)
            limits[Channel.WHATSAPP] = whatsapp_limits(settings.whatsapp_rate)
        shared = storage_for(settings.redis_url, settings.redis_key_prefix)
        self.sender = OutboxSender(self.db.uow, transports, SendLimits(limits, shared),
                                   self.clock, worker=self.worker, concurrency=settings.sender_concurrency,
                                   batch=max(10, int(settings.telegram_bulk_rate)), journal=settings.sender_journal)
        return self.sender

    async def __aexit__(self, *exc):
        if self.bot is not None:
            await self.bot.session.close()
        if self.whatsapp is not None:
            await self.whatsapp.close()
