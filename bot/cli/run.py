"""`apel run [--role all|web|sender|scheduler]`: migrate (embedded SQLite), optionally load the sample
office, start this process's part of the bot.

- all (the embedded default): the channels (long polling or the webhook), the routine's clock and an
  outbox sender in one process; with no token, the console chat.
- web: the webhook only (several behind a load balancer); messages go to the outbox.
- sender: drains the outbox (several share one rate limit through REDIS_URL).
- scheduler: the routine's clock (several may run; the lease lets one tick)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable
from enum import StrEnum

import typer

from bot.cli.chat import console
from bot.cli.context import clock, load_settings, open_database, shown_url
from bot.cli.org import load_sample
from bot.cli.output import say
from bot.cli.process_logs import configure as configure_logs
from bot.heap import freeze_startup_heap
from bot.runtime import Senders, build_conversation, build_routine
from bot.services.errors import ServiceError
from bot.services.onboarding import end_console_trial, first_staff_member
from schedules.clock_runner import RoutineClock, holder_name
from storage.database import is_sqlite
from storage.migrate import pending, upgrade


class Role(StrEnum):
    ALL = "all"
    WEB = "web"
    SENDER = "sender"
    SCHEDULER = "scheduler"


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
    role: Role = typer.Option(Role.ALL, "--role", help="all (one process), or web, sender, scheduler (at scale)."),
) -> None:
    """Start Apel: the channels whose tokens are set (TELEGRAM_BOT_TOKEN, WHATSAPP_TOKEN), else the console chat."""
    settings = load_settings()
    _refuse_settings_that_cannot_serve(settings, role)
    people = await _active_people(settings)
    if sample_if_empty and people == 0:
        await load_sample(if_empty=True)
        people = await _active_people(settings)
    say("cli.run_database", url=shown_url(settings.database_url), people=people)
    if role is not Role.ALL or settings.telegram_bot_token is not None or settings.whatsapp_token is not None:
        configure_logs(settings.log_level)  # not for the console chat, whose terminal is the conversation
        if unlinked := await _end_console_trial(settings):
            say("cli.run_console_unlinked", count=unlinked)
    if role is Role.SENDER:
        await _sender_only(settings)
        return
    if role is Role.SCHEDULER:
        await _scheduler_only(settings)
        return
    if settings.telegram_bot_token is not None or settings.whatsapp_token is not None:
        await _channels(settings, role)
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


def _refuse_settings_that_cannot_serve(settings, role: Role) -> None:
    """Before the database and the imports of the channels: found only there, a missing secret took seconds
    of start-up to be told, and a web role without a webhook counted the people first."""
    telegram = settings.telegram_bot_token is not None
    if role in (Role.ALL, Role.WEB) and telegram and settings.webhook_url and settings.webhook_secret is None:
        raise ServiceError("cli.run_needs_secret")
    if role is Role.WEB and (not settings.webhook_url if telegram else settings.whatsapp_token is None):
        raise ServiceError("cli.run_web_needs_webhook")
    if role in (Role.ALL, Role.WEB) and settings.whatsapp_token is not None:
        # Found after the start, it came once the console's accounts had been unlinked for nothing.
        from bot.cli.run_whatsapp import check_whatsapp

        check_whatsapp(settings)


async def _end_console_trial(settings) -> int:
    db = open_database(settings)
    try:
        return await end_console_trial(db.uow, clock=clock())
    finally:
        await db.dispose()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def _sender_only(settings) -> None:
    # Without a channel the sender would claim nothing and say so nowhere, while the queue grows.
    if settings.telegram_bot_token is None and not (settings.whatsapp_token is not None and settings.whatsapp_phone_id):
        raise ServiceError("cli.run_sender_needs_channel")
    db = open_database(settings)
    try:
        async with Senders(settings, db, clock(), worker=holder_name()) as sender:
            say("cli.run_sender", rate=settings.telegram_bulk_rate,
                shared="Redis" if settings.redis_url else "-")
            freeze_startup_heap()
            await sender.run(_stop_on_signals())
    finally:
        await db.dispose()


async def _scheduler_only(settings) -> None:
    db = open_database(settings)
    routine_clock = RoutineClock(build_routine(settings, db, clock()), db.uow, clock(), _queued,
                                 interval_s=settings.routine_tick_seconds or 60)
    try:
        say("cli.run_scheduler", seconds=settings.routine_tick_seconds or 60)
        routine_clock.start()
        freeze_startup_heap()
        await _stop_on_signals().wait()
    finally:
        await routine_clock.stop()
        await db.dispose()


async def _queued(outgoing) -> None:
    """The routine's messages are in the outbox already; the senders poll it."""


async def _channels(settings, role: Role) -> None:
    """Telegram (long polling or webhook) and WhatsApp (webhook, on the same web server) as configured;
    with role all, also the routine's clock and an outbox sender."""
    from bot.channels.telegram.dispatch import wake_sender

    whatsapp_on = settings.whatsapp_token is not None  # its settings were checked before anything started
    db = open_database(settings)
    conversation = build_conversation(settings, db, clock())
    embedded = role is Role.ALL
    senders = Senders(settings, db, clock(), worker=holder_name(), conversation=conversation)
    sender = await senders.__aenter__()
    stop = asyncio.Event()
    sending = asyncio.create_task(sender.run(stop)) if embedded else None
    wake = sender.wake if embedded else None

    async def woken(outgoing) -> None:
        if wake is not None:
            wake()

    whatsapp = None
    if whatsapp_on:
        from bot.channels.whatsapp.app import build

        whatsapp = build(settings, conversation, db.engine, after_turn=woken)
    routine_clock = RoutineClock(build_routine(settings, db, clock()), db.uow, clock(), woken,
                                 interval_s=settings.routine_tick_seconds or 60)
    ticking = embedded and bool(settings.routine_tick_seconds)
    if ticking:
        routine_clock.start()
    freeze_startup_heap()
    try:
        if settings.telegram_bot_token is None:
            from bot.cli.run_whatsapp import serve_whatsapp

            await serve_whatsapp(settings, whatsapp, other=None)
        else:
            await _telegram(settings, role, conversation, whatsapp, wake_sender(wake))
    finally:
        if ticking:
            await routine_clock.stop()
        stop.set()
        if sending is not None:
            await sending
        if whatsapp is not None:
            await whatsapp.close()
        await senders.__aexit__(None, None, None)
        await db.dispose()


async def _telegram(settings, role: Role, conversation, whatsapp, deliver) -> None:
    from aiogram.exceptions import TelegramNetworkError, TelegramServerError

    from bot.channels.telegram.app import run_polling, webhook_asgi_app
    from bot.channels.telegram.outbound import redact
    from bot.cli.run_whatsapp import serve_whatsapp

    token = settings.telegram_bot_token.get_secret_value()
    if settings.webhook_url:  # with its secret: _refuse_settings_that_cannot_serve
        import uvicorn

        say("cli.run_webhook", url=settings.webhook_url, host=settings.web_host, port=settings.web_port)
        app = webhook_asgi_app(
            conversation, token=token, api_url=settings.telegram_api_url, webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(), deliver=deliver,
        )
        if whatsapp is not None:
            await serve_whatsapp(settings, whatsapp, other=app)
            return
        server = uvicorn.Server(uvicorn.Config(app, host=settings.web_host, port=settings.web_port,
                                               log_level="warning", lifespan="on"))
        await server.serve()
        return
    say("cli.run_polling", api=settings.telegram_api_url)

    async def polled(polling: Awaitable[None]) -> None:
        try:
            await polling
        except (TelegramNetworkError, TelegramServerError) as exc:
            # Only the start-up's calls get here (aiogram's polling loop rides out outages): one line, as the
            # web role says it, not a traceback quoting the request URL, which holds the token.
            raise ServiceError("cli.run_telegram_unreachable", api=settings.telegram_api_url,
                               reason=redact(str(exc), token)) from None

    if whatsapp is None:
        await polled(run_polling(conversation, token=token, api_url=settings.telegram_api_url, deliver=deliver))
        return
    # The web server owns SIGINT/SIGTERM; polling stops when it does. Polling that ends first failed at its
    # start: WhatsApp alone would look alive while Telegram's people got nothing, so the process stops and says so.
    polling = asyncio.create_task(polled(run_polling(conversation, token=token, api_url=settings.telegram_api_url,
                                                     deliver=deliver, handle_signals=False)))
    serving = asyncio.create_task(serve_whatsapp(settings, whatsapp, other=None))
    try:
        done, _ = await asyncio.wait({polling, serving}, return_when=asyncio.FIRST_COMPLETED)
        await (serving if serving in done else polling)
    finally:
        for task in (polling, serving):
            task.cancel()
        await asyncio.gather(polling, serving, return_exceptions=True)
