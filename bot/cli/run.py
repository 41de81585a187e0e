"""`apel run`: migrate (embedded SQLite), optionally load the sample office, start the channels."""

from __future__ import annotations

import typer

from bot.cli.chat import console
from bot.cli.context import clock, load_settings, open_database, shown_url
from bot.cli.org import load_sample
from bot.cli.output import say
from bot.runtime import build_conversation, build_routine, telegram_delivery
from schedules.clock_runner import RoutineClock
from bot.services.errors import ServiceError
from bot.services.onboarding import first_staff_member
from storage.database import is_sqlite
from storage.migrate import pending, upgrade


async def _active_people(settings) -> int:
    db = open_database(settings)
    try:
        if is_sqlite(settings.database_url):
            await upgrade(db.engine)
        elif await pending(db.engine):
            # Several processes share a server database: migrating is an explicit, single step.
            raise ServiceError("cli.run_needs_upgrade")
        async with db.uow() as uow:
            return await uow.org.count_active_people()
    finally:
        await db.dispose()


async def run_command(
    sample_if_empty: bool = typer.Option(
        False, "--sample-if-empty", help="Load the sample office when no person is stored (what `make run` does)."
    ),
) -> None:
    """Start Apel: Telegram when TELEGRAM_BOT_TOKEN is set, else the console chat."""
    settings = load_settings()
    people = await _active_people(settings)
    if sample_if_empty and people == 0:
        await load_sample(if_empty=True)
        people = await _active_people(settings)
    say("cli.run_database", url=shown_url(settings.database_url), people=people)
    if settings.whatsapp_token is not None:
        say("cli.run_channel_not_ready", setting="WHATSAPP_TOKEN", channel="WhatsApp")
    if settings.telegram_bot_token is not None:
        await _telegram(settings)
        return
    say("cli.run_console")
    db = open_database(settings)
    try:
        nip = await first_staff_member(db.uow)
    finally:
        await db.dispose()
    if nip is None:
        raise ServiceError("cli.org_empty")
    say("cli.run_console_as", nip=nip)
    await console(nip, settings=settings)


async def _telegram(settings) -> None:
    from bot.channels.telegram.app import run_polling, webhook_asgi_app

    token = settings.telegram_bot_token.get_secret_value()
    db = open_database(settings)
    conversation = build_conversation(settings, db, clock())
    delivery = telegram_delivery(settings, db, clock())
    deliver = await delivery.__aenter__()

    async def deliver_all(outgoing) -> None:
        await deliver(outgoing)

    routine_clock = RoutineClock(build_routine(settings, db, clock()), db.uow, clock(), deliver_all,
                                 interval_s=settings.routine_tick_seconds or 60)
    if settings.routine_tick_seconds:
        routine_clock.start()
    try:
        if settings.webhook_url:
            if settings.webhook_secret is None:
                raise ServiceError("cli.run_needs_secret")
            import uvicorn

            say("cli.run_webhook", url=settings.webhook_url, host=settings.web_host, port=settings.web_port)
            app = webhook_asgi_app(
                conversation, token=token, api_url=settings.telegram_api_url, webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
            )
            server = uvicorn.Server(uvicorn.Config(app, host=settings.web_host, port=settings.web_port,
                                                   log_level="warning", lifespan="on"))
            await server.serve()
        else:
            say("cli.run_polling", api=settings.telegram_api_url)
            await run_polling(conversation, token=token, api_url=settings.telegram_api_url)
    finally:
        if settings.routine_tick_seconds:
            await routine_clock.stop()
        await delivery.__aexit__(None, None, None)
        await db.dispose()
