"""One timed org-chart import, alone in a fresh process so that its peak memory is its own.

    python -m bench.one_import --url URL [--schema NAME] FILE     # prints one JSON object

The import goes the way `apel org import` goes (open_sheet → import_org_chart). The peak is the resident
high-water mark of this process at the end (`peak_rss_mb`: VmHWM, not ru_maxrss, which keeps the spawning
benchmark's size), interpreter and libraries included (hence the baseline, taken just before the import).
A database server's own memory is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from sqlalchemy import event

from bench.peak_memory import peak_rss_mb
from bot.clock import SystemClock
from bot.services.org_import import import_org_chart
from bot.spreadsheet import open_sheet
from storage.unit_of_work import Database

DEFAULT_TIMEZONE = "Asia/Jakarta"


async def timed_import(url: str, schema: str | None, path: Path) -> dict:
    db = Database(url, schema=schema)
    first_sql: list[float] = []

    def mark(*_args) -> None:
        first_sql.append(time.perf_counter())

    # The import validates the whole sheet before it asks the database anything: its first SQL statement
    # splits reading + validating from comparing with what is stored and writing.
    event.listen(db.engine.sync_engine, "before_cursor_execute", mark, once=True)
    try:
        baseline = peak_rss_mb()
        started = time.perf_counter()
        with open_sheet(path) as sheet:
            report = await import_org_chart(
                db.uow, sheet.header, sheet.rows, clock=SystemClock(), default_timezone=DEFAULT_TIMEZONE, actor="bench"
            )
        finished = time.perf_counter()
        peak = peak_rss_mb()
        async with db.uow() as counting:  # outside the timing: proof that the people are stored
            active = await counting.org.count_active_people()
    finally:
        await db.dispose()
    split = first_sql[0] if first_sql else finished
    return {
        "seconds": finished - started,
        "read_validate_s": split - started,
        "write_s": finished - split,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
        "rows_read": report.rows_read,
        "errors": len(report.errors),
        "created": report.people_created,
        "updated": report.people_updated,
        "unchanged": report.people_unchanged,
        "written": report.written,
        "active_people": active,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.one_import", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--schema")
    parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(timed_import(args.url, args.schema, args.file))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
