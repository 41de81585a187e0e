"""`apel db upgrade`: apply the Alembic migrations."""

from __future__ import annotations

import typer

from bot.cli.context import load_settings, open_database, run_async, shown_url
from bot.cli.output import say
from storage.migrate import upgrade

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
@run_async
async def upgrade_command() -> None:
    """Bring the database to the newest schema (safe to run again)."""
    settings = load_settings()
    db = open_database(settings)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()
    say("cli.db_upgraded", url=shown_url(settings.database_url))
