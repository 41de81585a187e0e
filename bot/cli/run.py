"""`apel run`: migrate (embedded SQLite), optionally load the sample office, start the channels."""

from __future__ import annotations

import asyncio

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
    """Start Apel: Telegram and/or WhatsApp where their tokens are set, else the console chat."""
    settings = load_settings()
    people = await _active_people(settings)
    if sample_if_empty and people == 0:
        await load_sample(if_empty=True)
        people = await _active_people(settings)
    say("cli.run_database", url=shown_url(settings.database_url), people=people)
    if settings.telegram_bot_token is not None or settings.whatsapp_token is not None:
        await _channels(settings)
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


async def _channels(settings) -> None:
    """Telegram (polling or webhook) and WhatsApp (webhook, mounted on the same web server) as configured."""
    from bot.cli.run_whatsapp import check_whatsapp

    whatsapp_on = settings.whatsapp_token is not None
    if whatsapp_on:
        check_whatsapp(settings)
    db = open_database(settings)
    conversation = build_conversation(settings, db, clock())
    delivery = telegram_delivery(settings, db, clock())
    deliver = await delivery.__aenter__()

    async def deliver_all(outgoing) -> None:
        await deliver(outgoing)

    whatsapp = None
    if whatsapp_on:
        from bot.channels.whatsapp.app import build

        whatsapp = build(settings, conversation, db.engine, other_channels=lambda o: deliver([o]))
    routine_clock = RoutineClock(build_routine(settings, db, clock()), db.uow, clock(), deliver_all,
                                 interval_s=settings.routine_tick_seconds or 60)
    if settings.routine_tick_seconds:
        routine_clock.start()
    try:
        if settings.telegram_bot_token is None:
            from bot.cli.run_whatsapp import serve_whatsapp

            await serve_whatsapp(settings, whatsapp, other=None)
        else:
            await _telegram(settings, conversation, whatsapp)
    finally:
        if settings.routine_tick_seconds:
            await routine_clock.stop()
        if whatsapp is not None:
            await whatsapp.close()
        await delivery.__aexit__(None, None, None)
        await db.dispose()


async def _telegram(settings, conversation, whatsapp) -> None:
    from bot.channels.telegram.app import run_polling, webhook_asgi_app
    from bot.cli.run_whatsapp import serve_whatsapp

    token = settings.telegram_bot_token.get_secret_value()
    other = whatsapp.sender.send if whatsapp is not None else None
    if settings.webhook_url:
        if settings.webhook_secret is None:
            raise ServiceError("cli.run_needs_secret")
        import uvicorn

        say("cli.run_webhook", url=settings.webhook_url, host=settings.web_host, port=settings.web_port)
        app = webhook_asgi_app(
            conversation, token=token, api_url=settings.telegram_api_url, webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(), other_channels=other,
        )
        if whatsapp is not None:
            await serve_whatsapp(settings, whatsapp, other=app)
            return
        server = uvicorn.Server(uvicorn.Config(app, host=settings.web_host, port=settings.web_port,
                                               log_level="warning", lifespan="on"))
        await server.serve()
    else:
        say("cli.run_polling", api=settings.telegram_api_url)
        if whatsapp is None:
            await run_polling(conversation, token=token, api_url=settings.telegram_api_url)
            return
        # The web server owns SIGINT/SIGTERM; polling stops when it does.
        polling = asyncio.create_task(run_polling(conversation, token=token, api_url=settings.telegram_api_url,
                                                  other_channels=other, handle_signals=False))
        try:
            await serve_whatsapp(settings, whatsapp, other=None)
        finally:
            polling.cancel()
            await asyncio.gather(polling, return_exceptions=True)
