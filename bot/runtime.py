"""Putting Apel together from the settings: the database, the core, the channels."""

from __future__ import annotations

import datetime as dt

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
        media=FileMediaStore(settings.media_dir),
        sheets=UploadedSheetReader(),
        default_language=settings.default_language.value,
        default_timezone=settings.default_timezone,
        links=LinkSettings(settings.telegram_bot_username, settings.whatsapp_number),
        invite_ttl=dt.timedelta(days=settings.invite_ttl_days),
        exporter=export_bytes,
    )


def build_routine(settings: Settings, db: Database, clock: Clock):
    from bot.services.routine import Routine

    pictures = None
    if settings.digest_pictures:
        from bot.pictures import PillowPictures

        pictures = PillowPictures()
    return Routine(db.uow, clock=clock, default_language=settings.default_language.value, pictures=pictures)


def whatsapp_configured(settings: Settings) -> bool:
    return settings.whatsapp_token is not None


class telegram_delivery:  # noqa: N801 - used as `async with telegram_delivery(...) as deliver`
    """Delivers Outgoing messages to Telegram and WhatsApp where configured (others are counted as not
    sent); returns how many went. `whatsapp_sender` is the WhatsApp sender it made, if any."""

    def __init__(self, settings: Settings, db: Database, clock: Clock):
        self.settings, self.db, self.clock = settings, db, clock
        self.bot = None
        self.whatsapp = None
        self.whatsapp_sender = None

    async def __aenter__(self):
        from bot.domain.org_terms import Channel

        token = self.settings.telegram_bot_token
        sender = None
        if token is not None:
            from bot.channels.telegram.app import make_bot
            from bot.channels.telegram.outbound import TelegramSender

            self.bot = make_bot(token.get_secret_value(), self.settings.telegram_api_url)
            sender = TelegramSender(self.bot, build_conversation(self.settings, self.db, self.clock))

        if whatsapp_configured(self.settings):
            from bot.channels.whatsapp.app import build as build_whatsapp

            self.whatsapp = build_whatsapp(self.settings, build_conversation(self.settings, self.db, self.clock),
                                           self.db.engine)
            self.whatsapp_sender = self.whatsapp.sender

        async def deliver(outgoing) -> int:
            sent = 0
            for item in outgoing:
                if sender is not None and item.channel is Channel.TELEGRAM:
                    sent += bool(await sender.send(item))
                elif self.whatsapp_sender is not None and item.channel is Channel.WHATSAPP:
                    sent += bool(await self.whatsapp_sender.send(item))
            return sent

        return deliver

    async def __aexit__(self, *exc):
        if self.bot is not None:
            await self.bot.session.close()
        if self.whatsapp is not None:
            await self.whatsapp.close()
