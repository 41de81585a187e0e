"""`apel invite`: one personal onboarding code per active person, written to a CSV to hand out."""

from __future__ import annotations

import csv
import datetime as dt
import io
from enum import StrEnum
from pathlib import Path

import typer

from bot.cli.context import CLI_ACTOR, clock, load_settings, open_database
from bot.cli.files import ReplacedFile
from bot.cli.output import FORMAT_OPTION, Format, current_language, emit, say
from bot.domain.org_terms import INVITE_CHANNELS, Channel
from bot.services.invites import IssuedInvite, LinkSettings, issue_into
from bot.texts import format_datetime

INVITE_COLUMNS = ("nip", "name", "unit", "channel", "code", "link", "expires_at")


def _utc(moment: dt.datetime) -> str:
    """ISO 8601 in UTC to the second, as every CSV and JSON of the CLI gives times."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


# Only the channels that redeem invites are offered, so `--channel console` is a usage error before any
# work (the console chat is linked without one).
InviteChannel = StrEnum("InviteChannel", {c.name: c.value for c in INVITE_CHANNELS})


async def invite_command(
    out_path: Path = typer.Option(..., "--out", "-o", help="Where to write the invites CSV (it holds secret codes)."),
    unit: str | None = typer.Option(None, "--unit", help="Only this unit and the units below it."),
    invite_channel: InviteChannel = typer.Option(InviteChannel.TELEGRAM, "--channel", help="telegram or whatsapp"),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Create invites; re-issuing revokes a person's previous code for that channel."""
    channel = Channel(invite_channel.value)
    settings = load_settings()
    # Issuing revokes everyone's earlier codes: the file must be writable first, and written before the
    # commit, or the new codes would be lost with the old ones already void.
    with ReplacedFile(out_path, private=True) as target:
        db = open_database(settings)
        try:
            async with db.uow() as uow:
                issued = await issue_into(
                    uow,
                    now=clock().now(),
                    channel=channel,
                    unit=unit,
                    ttl=dt.timedelta(days=settings.invite_ttl_days),
                    links=LinkSettings(settings.telegram_bot_username, settings.whatsapp_number),
                    actor=CLI_ACTOR,
                )
                if not issued:
                    say("cli.invite_none")
                    raise typer.Exit(1)
                target.write(_csv(issued))
                await uow.commit()
        finally:
            await db.dispose()
        target.put_in_place()
    expires = format_datetime(issued[0].expires_at, settings.default_timezone, current_language())
    say("cli.invite_written", count=len(issued), channel=channel.value, path=str(out_path), expires=expires)
    # The listing on stdout names who got an invite; the codes stay in the file only.
    emit(
        [{"nip": i.nip, "name": i.name, "unit": i.unit,
          "expires_at": format_datetime(i.expires_at, settings.default_timezone, current_language())
          if fmt is Format.TABLE else _utc(i.expires_at)} for i in issued],
        [("nip", "col.nip"), ("name", "col.name"), ("unit", "col.unit"), ("expires_at", "col.expires")],
        fmt,
    )


def _csv(issued: list[IssuedInvite]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(INVITE_COLUMNS)
    for i in issued:
        writer.writerow([i.nip, i.name, i.unit, i.channel.value, i.code, i.link, _utc(i.expires_at)])
    return buffer.getvalue().encode("utf-8")
