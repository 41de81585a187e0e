"""`apel export --month 2026-11 [--unit NAME] [--format xlsx|csv] [--out FILE]`: the month's daily logs and
the per-person summary (the allowance inputs), as a workbook or CSV."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path

import typer

from bot.cli.context import CLI_ACTOR, clock, load_settings, open_database
from bot.cli.files import ReplacedFile
from bot.cli.output import current_language, progress_bar, say
from bot.cli.typed_values import month
from bot.exports import render
from bot.exports.workbook import write_csv
from bot.services.errors import ServiceError
from bot.services.month_export import build_month, export_filename
from bot.texts import text


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


async def export_command(
    first: dt.date = typer.Option(..., "--month", parser=month, metavar="<YYYY-MM>", help="The month, e.g. 2026-11."),
    unit: str | None = typer.Option(None, "--unit", help="Only this unit and the units below it."),
    # A choice, so that a wrong one is a usage error (exit 2, the choices named) as for every other --format;
    # any case, since `-f CSV` has always worked.
    fmt: ExportFormat = typer.Option(ExportFormat.XLSX, "--format", "-f", case_sensitive=False,
                                     help="xlsx or csv"),
    out: Path | None = typer.Option(None, "--out", help="Default: apel-YYYY-MM[-unit].xlsx here; - for stdout."),
    summary: bool = typer.Option(False, "--summary", help="CSV only: the per-person summary instead of the rows."),
) -> None:
    """The month's export for e-Kinerja / TPP, as a workbook (XLSX) or CSV.

    Per person the daily activity log (LHPPK layout), per unit the summary: workdays, WFH/WFO/leave,
    reports on time/late/missing, approvals."""
    settings = load_settings()  # sets the catalog language
    fmt = fmt.value
    if summary and fmt != "csv":
        raise ServiceError("export.summary_csv_only")  # the workbook was written without a word about it
    lang = current_language()
    to_stdout = out is not None and str(out) == "-"
    db = open_database(settings)
    try:
        with contextlib.ExitStack() as files, progress_bar() as bar:
            # A named file is checked before the month is read; the default name needs the unit's name.
            target = files.enter_context(ReplacedFile(out)) if out is not None and not to_stdout else None
            reading = bar.add_task(text(lang, "export.reading"), total=None)
            writing = bar.add_task(text(lang, "export.writing"), total=None, visible=False)

            def read(done: int, total: int | None) -> None:
                bar.update(reading, completed=done, total=total)

            def wrote(done: int, total: int | None) -> None:
                bar.update(writing, completed=done, total=total, visible=True)

            async with db.uow() as uow:
                now = clock().now()
                export = await build_month(uow, month=first, unit=unit, now=now, progress=read, lang=lang)
            detail = {"month": f"{first:%Y-%m}", "unit": unit, "people": len(export.people), "format": fmt}
            if to_stdout:
                # What reaches a pipe has left, even if the reader stops early: recorded first.
                await _audit(db, now, detail)
                if fmt == "csv":
                    write_csv(export, sys.stdout, "summary" if summary else "activity")
                else:
                    sys.stdout.buffer.write(render(export, fmt, progress=wrote)[1])
                    sys.stdout.buffer.flush()
                return
            _, content = render(export, fmt, summary=summary, progress=wrote)
            if target is None:
                default = Path(export_filename(first, export.scope, fmt, summary=summary and fmt == "csv"))
                target = files.enter_context(ReplacedFile(default))
            # The audit says what was exported: only once the file is complete, and the file only appears
            # once the audit is stored.
            target.write(content)
            await _audit(db, now, detail)
            target.put_in_place()
    finally:
        await db.dispose()
    rows = len(export.summary_rows) if summary and fmt == "csv" else sum(len(p.rows) for p in export.people)
    say("export.written", month=export.month_text, path=str(target.path), people=len(export.people), rows=rows)


async def _audit(db, now, detail: dict) -> None:
    async with db.uow() as uow:
        await uow.audit.record(now, CLI_ACTOR, "export_month", detail)
        await uow.commit()
