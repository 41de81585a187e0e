"""`apel purge [--dry-run] [-f table|csv|json]`: the retention purge now (or what it would remove)."""

from __future__ import annotations

import typer

from bot.cli.context import CLI_ACTOR, clock, load_settings, open_database
from bot.cli.output import FORMAT_OPTION, Format, emit, say
from bot.services.retention import purge
from storage.media_files import LocalMediaFiles


async def purge_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only count what would be removed."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """The retention purge now (it also runs every night): what is older than RETENTION_DAYS.

    Removes location fixes, original images, presence-check coordinates, strangers' refused attempts and WhatsApp chats nobody is linked to older than RETENTION_DAYS; copies of sent messages (outbox, WhatsApp held content and receipts) older than 14 days (RETENTION_DAYS when shorter); message attachments no queued message needs; update keys older than 3 days; the routine's delivery keys of days more than 7 days ago; conversation states of deactivated people or untouched for RETENTION_DAYS. Summaries, thumbnails, derivatives and counts stay."""
    settings = load_settings()
    db = open_database(settings)
    try:
        counts = await purge(db.uow, LocalMediaFiles(), now=clock().now(), retention_days=settings.retention_days,
                             dry_run=dry_run, actor=CLI_ACTOR)
    finally:
        await db.dispose()
    emit(counts.rows(), [("kind", "purge.col_kind"), ("count", "purge.col_count")], fmt)
    say("purge.dry_run" if dry_run else "purge.done", days=settings.retention_days)
