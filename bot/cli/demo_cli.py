"""`apel demo [--out DIR]`: one working day of the sample office in a few seconds, on a throwaway database."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from bot.cli.context import load_settings
from bot.cli.output import out as console
from bot.demo.script import play_day
from bot.texts import text


def _show(line: str) -> None:
    console.print(line, highlight=False)


async def demo_command(
    out: Path = typer.Option(Path("demo-output"), "--out",
                             help="Where the digest pictures and the month's export are written."),
) -> None:
    """Play one working day of the sample office in a few seconds, on a temporary database.

    Through the real core: a simulated clock, simulated people (on time, late, missing, on leave, a reused screenshot, a location far from home), the conversation per
    person, the digest pictures and the month's export. Uses a temporary database, never DATABASE_URL."""
    lang = load_settings().default_language.value  # only the catalog language: no database is opened
    await play_day(out, show=_show, lang=lang)
    _show("")
    _show("[bold green]" + escape(text(lang, "demo.cli_done", path=str(out))) + "[/bold green]")
