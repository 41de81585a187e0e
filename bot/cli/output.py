"""How the CLI prints: listings as table, CSV or JSON (`--format`), errors on stderr with exit 1."""

from __future__ import annotations

import csv
import errno
import json
import sys
from collections.abc import Sequence
from enum import StrEnum

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from bot.texts import text


class _Stdout(Console):
    def on_broken_pipe(self) -> None:
        # Rich would exit 1 on its own; a closed stdout ends every command the same way (run_async).
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


# Piped or redirected output is read by scripts and editors, not an 80-column terminal: never crop it.
out = _Stdout(soft_wrap=True, width=None if sys.stdout.isatty() else 1000)
err = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


# Any case, as `apel export -f CSV` always took it: a script's `-f JSON` was a usage error on the listings alone.
FORMAT_OPTION = typer.Option(Format.TABLE, "--format", "-f", case_sensitive=False, help="table, csv or json")


def emit(records: Sequence[dict], columns: Sequence[tuple[str, str]], fmt: Format, *, title: str | None = None,
         table_if_empty: bool = True) -> None:
    """`columns`: (record key, catalog key of the table header). CSV/JSON use the record keys, and print
    `[]` or the header line when there are no records: a script must tell "none" from a failed run.
    `table_if_empty=False` for lists of problems, where an empty table is noise beside the status line."""
    keys = [k for k, _ in columns]
    if fmt is Format.JSON:
        json.dump([{k: r.get(k) for k in keys} for r in records], sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    elif fmt is Format.CSV:
        writer = csv.DictWriter(sys.stdout, fieldnames=keys, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _csv_cell(r.get(k)) for k in keys} for r in records)
    elif records or table_if_empty:
        # Cells hold names and units as the org chart spells them ("[Plt] Kepala"): escaped, not markup.
        table = Table(title=escape(title) if title else None, show_lines=False)
        lang = current_language()
        for _, label in columns:
            table.add_column(text(lang, label) if "." in label else label)
        for r in records:
            table.add_row(*(escape(_table_cell(r.get(k), lang)) for k in keys))
        out.print(table)


def _table_cell(value, lang: str) -> str:
    """What people read: booleans as words of their language ("ya"/"tidak"), not Python's True/False."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return text(lang, "cli.yes" if value else "cli.no")
    return str(value)


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def fail(code: str, **params) -> typer.Exit:
    """Print the catalog text for `code` on stderr; `raise fail(...)` ends the command with exit 1."""
    lang = current_language()
    # The params are what people typed or named (`--unit "[/x]"`): printed as they are, never read as markup.
    err.print(f"[bold red]{text(lang, 'cli.error')}[/] {escape(text(lang, code, **params))}", highlight=False, markup=True)
    return typer.Exit(1)


def fail_lines(lines: Sequence[str]) -> typer.Exit:
    """Like `fail`, for texts already made: one line per problem."""
    label = text(current_language(), "cli.error")
    for line in lines:
        err.print(f"[bold red]{label}[/] {escape(line)}", highlight=False, markup=True)
    return typer.Exit(1)


def say(code: str, **params) -> None:
    """A status line for people, on stderr so that stdout stays clean for --format csv/json."""
    err.print(text(current_language(), code, **params), highlight=False, markup=False)


_language = {"value": "id"}


def set_language(lang: str) -> None:
    _language["value"] = lang


def current_language() -> str:
    return _language["value"]


def progress_bar(*, show: bool = True) -> Progress:
    """A progress bar on stderr, only for a person watching: piped or redirected runs stay quiet."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal or not show,
    )
