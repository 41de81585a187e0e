"""`apel run`: migrate (embedded SQLite), optionally load the sample office, start the channels."""

from __future__ import annotations

import typer

from bot.cli.context import load_settings, open_database, shown_url
from bot.cli.org import load_sample
from bot.cli.output import say
from bot.services.errors import ServiceError
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
    """Start Apel with the channels that have tokens in the configuration."""
    settings = load_settings()
    people = await _active_people(settings)
    if sample_if_empty and people == 0:
        await load_sample(if_empty=True)
        people = await _active_people(settings)
    say("cli.run_database", url=shown_url(settings.database_url), people=people)
    if settings.telegram_bot_token is not None:
        say("cli.run_channel_not_ready", setting="TELEGRAM_BOT_TOKEN", channel="Telegram")
        raise typer.Exit(2)
    if settings.whatsapp_token is not None:
        say("cli.run_channel_not_ready", setting="WHATSAPP_TOKEN", channel="WhatsApp")
        raise typer.Exit(2)
    say("cli.run_no_channel")
