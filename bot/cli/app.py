"""The `apel` command for admins and scripts. Listings take --format table|csv|json (`apel digest`
text|json, `apel export` xlsx|csv); errors go to stderr with a non-zero exit code."""

from __future__ import annotations

import typer

from bot.cli import (
    audit_cli,
    chat,
    db,
    demo_cli,
    digest_cli,
    export_cli,
    help_format,  # noqa: F401 - flags without "<bool>" in --help
    invite,
    org,
    outbox_cli,
    person_cli,
    purge_cli,
    routine_cli,
    run,
    run_step,
)
from bot.cli.context import run_async
from bot.cli.usage_errors import ApelGroup

app = typer.Typer(
    name="apel",
    cls=ApelGroup,
    help="Apel: the daily reporting routine of a WFH/WFO office on Telegram and WhatsApp.",
    no_args_is_help=True,
    # Tracebacks with local variables could print tokens and invite codes.
    pretty_exceptions_show_locals=False,
)
app.add_typer(org.app, name="org", cls=ApelGroup)
app.add_typer(person_cli.app, name="person", cls=ApelGroup)
app.add_typer(db.app, name="db", cls=ApelGroup)
app.add_typer(outbox_cli.app, name="outbox", cls=ApelGroup)
app.add_typer(routine_cli.schedule_app, name="schedule", cls=ApelGroup)
app.add_typer(routine_cli.calendar_app, name="calendar", cls=ApelGroup)
app.add_typer(routine_cli.roster_app, name="roster", cls=ApelGroup)
app.command("invite")(run_async(invite.invite_command))
app.command("run")(run_async(run.run_command))
app.command("chat")(run_async(chat.chat_command))
app.command("run-step")(run_async(run_step.run_step_command))
app.command("digest")(run_async(digest_cli.digest_command))
app.command("export")(run_async(export_cli.export_command))
app.command("demo")(run_async(demo_cli.demo_command))
app.command("purge")(run_async(purge_cli.purge_command))
app.command("audit")(run_async(audit_cli.audit_command))


def main() -> None:
    app()
