"""`apel run`'s WhatsApp part: the settings it needs and its webhook on the web server (beside the
Telegram webhook when both run)."""

from __future__ import annotations

from bot.cli.output import say
from bot.services.errors import ServiceError

NEEDED = ("whatsapp_phone_id", "whatsapp_app_secret", "whatsapp_verify_token")


def check_whatsapp(settings) -> None:
    """WHATSAPP_TOKEN alone is not enough: say which other settings are missing before anything starts."""
    missing = [name.upper() for name in NEEDED if getattr(settings, name) in (None, "")]
    if missing:
        raise ServiceError("cli.run_whatsapp_needs", settings=", ".join(missing))


async def serve_whatsapp(settings, whatsapp, *, other) -> None:
    import uvicorn

    from bot.channels.whatsapp.app import webhook_of
    from bot.channels.whatsapp.webhook import Mounted

    webhook = webhook_of(settings, whatsapp)
    app = Mounted(webhook, other) if other is not None else webhook
    say("cli.run_whatsapp", path=settings.whatsapp_webhook_path, host=settings.web_host, port=settings.web_port,
        api=settings.graph_api_url)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.web_host, port=settings.web_port,
                                           log_level="warning", lifespan="on"))
    await server.serve()
