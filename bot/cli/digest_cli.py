"""`apel digest --date DATE [--unit NAME] [--format text|json]`: the supervisors' digests of a day."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import sys
from enum import StrEnum

import typer
from rich.markup import escape

from bot.cli.context import load_settings, office_today, open_database
from bot.cli.output import current_language, fail, out, say
from bot.cli.typed_values import DATE_HELP, date_back
from bot.services import digest
from bot.services.digest_query import as_record, digests_for
from bot.services.turn import translator
from bot.texts import format_date

_TAGS = re.compile(r"</?(b|i|code)>")


class DigestFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


async def digest_command(
    on: dt.date | None = typer.Option(None, "--date", parser=date_back, help=f"{DATE_HELP}; default today"),
    unit: str | None = typer.Option(None, "--unit", help="Supervisors of this unit and the units below it."),
    fmt: DigestFormat = typer.Option(DigestFormat.TEXT, "--format", "-f", case_sensitive=False, help="text or json"),
) -> None:
    """Print each supervisor's digest: text as people see it, or JSON for scripts."""
    settings = load_settings()
    day = on or office_today()
    if day > office_today():
        raise fail("digest.not_yet", date=format_date(day, current_language()))
    db = open_database(settings)
    try:
        async with db.uow() as uow:
            items = await digests_for(uow, day=day, unit=unit)
    finally:
        await db.dispose()
    if fmt is DigestFormat.JSON:
        json.dump([as_record(i, day) for i in items], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    if not items:
        # An empty stdout and exit 0 read as "it did nothing"; a person is told why (stdout stays empty).
        say("cli.digest_none", day=format_date(day, current_language()))
    t = translator(current_language(), current_language())
    for item in items:
        reply = digest.render(item.lines, day=day, timezone=item.timezone, t=t,
                              supervisor_id=item.supervisor.id)
        out.print(f"[bold]{escape(item.supervisor.name)}[/bold] — {escape(item.supervisor.unit)}", highlight=False)
        out.print(html.unescape(_TAGS.sub("", reply.text)), markup=False, highlight=False)
        out.print()
