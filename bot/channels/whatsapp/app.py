"""Putting the WhatsApp adapter together: a pywa client pointed at GRAPH_API_URL, its store, sender,
channel and webhook. pywa 4.5 builds https://graph.facebook.com/v<version> itself; the session's base URL
is set after construction so that a local stand-in can take its place."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from pywa_async import WhatsApp

from bot.channels.whatsapp.dispatch import AfterTurn, OtherChannels, WhatsAppChannel
from bot.channels.whatsapp.outbound import Sleep, WhatsAppSender
from bot.channels.whatsapp.webhook import WhatsAppWebhook
from bot.channels.whatsapp.window import Templates
from storage.whatsapp_store import WhatsAppStore

DEFAULT_GRAPH_API_URL = "https://graph.facebook.com"


def make_client(token: str, phone_id: str, *, graph_api_url: str = DEFAULT_GRAPH_API_URL, version: str = "23.0",
                transport: httpx.AsyncBaseTransport | None = None) -> WhatsApp:
    session = httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(30.0))
    wa = WhatsApp(phone_id=phone_id, token=token, session=session, api_version=version)
    wa.api._session.base_url = f"{graph_api_url.rstrip('/')}/v{version}"
    return wa


@dataclass
class WhatsAppParts:
    wa: WhatsApp
    store: WhatsAppStore
    sender: WhatsAppSender
    channel: WhatsAppChannel

    async def close(self) -> None:
        await self.wa.api._session.aclose()


def templates_of(settings) -> Templates:
    return Templates(
        language=settings.whatsapp_template_language,
        briefing=settings.whatsapp_template_briefing,
        reminder=settings.whatsapp_template_reminder,
        digest=settings.whatsapp_template_digest,
        approval=settings.whatsapp_template_approval,
        notice=settings.whatsapp_template_notice,
    )


def build(settings, conversation, engine, *, other_channels: OtherChannels | None = None,
          transport: httpx.AsyncBaseTransport | None = None, sleep: Sleep | None = None,
          after_turn: AfterTurn | None = None) -> WhatsAppParts:
    if settings.whatsapp_token is None or not settings.whatsapp_phone_id:
        raise ValueError("WHATSAPP_TOKEN and WHATSAPP_PHONE_ID are both needed")
    wa = make_client(settings.whatsapp_token.get_secret_value(), settings.whatsapp_phone_id,
                     graph_api_url=settings.graph_api_url, version=settings.graph_api_version, transport=transport)
    store = WhatsAppStore(engine)
    extra = {"sleep": sleep} if sleep is not None else {}
    sender = WhatsAppSender(wa, store, conversation, templates=templates_of(settings),
                            default_language=settings.default_language.value, **extra)
    channel = WhatsAppChannel(conversation, wa, store, sender, other_channels=other_channels, after_turn=after_turn)
    return WhatsAppParts(wa, store, sender, channel)


def webhook_of(settings, parts: WhatsAppParts) -> WhatsAppWebhook:
    secret, verify = settings.whatsapp_app_secret, settings.whatsapp_verify_token
    return WhatsAppWebhook(parts.channel, app_secret=secret.get_secret_value() if secret else "",
                           verify_token=verify.get_secret_value() if verify else "",
                           path=settings.whatsapp_webhook_path)
