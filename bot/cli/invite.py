"""`apel invite`: one personal onboarding code per active person, written to a CSV to hand out."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

import typer

from bot.cli.context import CLI_ACTOR, clock, load_settings, open_database
from bot.cli.files import ReplacedFile
from bot.cli.output import FORMAT_OPTION, Format, current_language, emit, fail, progress_bar, say
from bot.domain.org_terms import INVITE_CHANNELS, Channel
from bot.clock import iso_utc
from bot.services.invites import LinkSettings, invites_csv, issue_into
from bot.texts import format_datetime, text

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
    with ReplacedFile(out_path, private=True) as target, progress_bar() as bar:
        # A province's invites take a while: the people done so far (revoked, made, stored), on a terminal.
        issuing = bar.add_task(text(current_language(), "cli.invite_issuing"), total=None)
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
                    progress=lambda done, total: bar.update(issuing, completed=done, total=total),
                )
                if not issued:
                    # An error like any other: "Error: …" on stderr, exit 1.
                    raise fail("cli.invite_none_in_unit", unit=unit) if unit else fail("cli.invite_none")
                target.write(invites_csv(issued))
                await uow.commit()
        finally:
            await db.dispose()
        target.put_in_place()
    # The summary speaks to the admin in the office's zone; each row below in its person's unit's zone.
    expires = format_datetime(issued[0].expires_at, settings.default_timezone, current_language())
    say("cli.invite_written", count=len(issued), channel=channel.value, path=str(out_path), expires=expires)
    # The listing on stdout names who got an invite; the codes stay in the file only.
    emit(
        [{"nip": i.nip, "name": i.name, "unit": i.unit,
          "expires_at": format_datetime(i.expires_at, i.timezone, current_language())
          if fmt is Format.TABLE else iso_utc(i.expires_at)} for i in issued],
        [("nip", "col.nip"), ("name", "col.name"), ("unit", "col.unit"), ("expires_at", "col.expires")],
        fmt,
    )

