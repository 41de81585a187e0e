"""`apel audit`: who did what as an admin (imports, invites, schedules, rosters, holidays, announcements,
exports, erasures, refusals), newest first, in the office's time zone (DEFAULT_TIMEZONE)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import typer

from bot.cli.context import load_settings, open_database
from bot.cli.output import FORMAT_OPTION, Format, emit
from bot.cli.typed_values import DATE_HELP, date_back
from bot.services.errors import ServiceError


async def audit_command(
    first: dt.date | None = typer.Option(None, "--since", parser=date_back,
                                         help=f"From this day, inclusive. {DATE_HELP}."),
    last: dt.date | None = typer.Option(None, "--until", parser=date_back,
                                        help=f"Up to this day, inclusive. {DATE_HELP}."),
    action: str | None = typer.Option(None, "--action", help="Only this action, e.g. org_import, invites_issue."),
    actor: str | None = typer.Option(None, "--actor", help="Only this actor: cli, person:<id>, …"),
    limit: int = typer.Option(200, "--limit", min=1, max=100_000, help="At most this many entries."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """The audit log: when, who, what, and the details (never a secret or an invite code)."""
    settings = load_settings()
    zone = ZoneInfo(settings.default_timezone)
    if first and last and last < first:
        # The dates swapped would list nothing, which a script reads as "nothing happened".
        raise ServiceError("cli.audit_bad_period")
    db = open_database(settings)
    try:
        async with db.uow() as uow:
            entries = await uow.audit.entries(
                since=_start_of(first, zone), until=_start_of(last + dt.timedelta(days=1), zone) if last else None,
                action=action, actor=actor, limit=limit)
    finally:
        await db.dispose()
    # In the office's zone; for scripts ISO 8601 with its offset (2026-12-07T08:00:00+07:00), which any
    # parser reads, for people the zone's name.
    shown = "%Y-%m-%d %H:%M:%S %Z" if fmt is Format.TABLE else None
    records = [{"at": _when(e.at.astimezone(zone), shown), "actor": e.actor, "action": e.action,
                "detail": e.detail if fmt is Format.JSON else json.dumps(e.detail, ensure_ascii=False)}
               for e in entries]
    emit(records, [("at", "cli.audit_h_at"), ("actor", "cli.audit_h_actor"), ("action", "cli.audit_h_action"),
                   ("detail", "cli.audit_h_detail")], fmt)


def _when(at: dt.datetime, shown: str | None) -> str:
    return at.strftime(shown) if shown else at.isoformat(timespec="seconds")


def _start_of(day: dt.date | None, zone: ZoneInfo) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
