"""`apel db upgrade`: apply the Alembic migrations."""

from __future__ import annotations

import typer

from bot.cli.context import load_settings, open_database, run_async, shown_url
from bot.cli.output import say
from storage.migrate import pending, upgrade

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
@run_async
async def upgrade_command() -> None:
    """Bring the database to the newest schema (safe to run again)."""
    settings = load_settings()
    db = open_database(settings)
    try:
        behind = await pending(db.engine)
        if behind:
            await upgrade(db.engine)
    finally:
        await db.dispose()
    # An admin running it after an update wants to know whether it did anything.
    say("cli.db_upgraded" if behind else "cli.db_current", url=shown_url(settings.database_url))
