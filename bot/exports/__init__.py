"""Files made from the core's plain data (openpyxl lives here, never in bot/services).

`render` turns a `MonthExport` into (file name, bytes); `export_bytes` reads and renders in one call, for
the chat command `/ekspor` and anything else that sends the export as a document."""

from __future__ import annotations

import asyncio
import datetime as dt
import io

from bot.ports import Progress, UnitOfWork
from bot.services.month_export import MonthExport, build_month, export_filename, parse_format, parse_month


def render(export: MonthExport, fmt: str, *, summary: bool = False, progress: Progress | None = None
           ) -> tuple[str, bytes]:
    """(file name, content). CSV: the activity rows, or the per-person summary with `summary=True`;
    UTF-8 with a BOM, so that Excel shows names with accents right when the file is opened directly."""
    from bot.exports.workbook import write_csv, write_xlsx

    fmt = parse_format(fmt)
    name = export_filename(export.month, export.scope, fmt, summary=summary and fmt == "csv")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(export, buffer, progress)
        return name, buffer.getvalue()
    stream = io.StringIO()
    write_csv(export, stream, "summary" if summary else "activity")
    return name, stream.getvalue().encode("utf-8-sig")


async def export_bytes(
    uow: UnitOfWork,
    *,
    month: str | dt.date,
    unit: str | None,
    fmt: str,
    now: dt.datetime,
    lang: str = "id",
    below: int | None = None,
    team_of: str | None = None,
    summary: bool = False,
) -> tuple[str, bytes]:
    """Read the month (inside the caller's unit of work) and render it off the event loop."""
    fmt = parse_format(fmt)
    export = await build_month(uow, month=parse_month(month), unit=unit, now=now, lang=lang, below=below,
                               team_of=team_of)
    return await asyncio.to_thread(render, export, fmt, summary=summary)
