"""Benchmark: importing a generated org chart of 10,000 and 100,000 people (quick: 500 and 5,000).

The issue's goal: a 100,000-row file imports, and the time grows linearly, time(10× rows) ≤ 12 ×
time(rows). Every size is imported into an empty migrated database and then imported again (the same
file: nothing changes), each import in a fresh process (bench/one_import.py) so that its peak memory
is its own. Sizes run interleaved inside each repetition, so both halves of a ratio see the same
machine weather; each figure is the fastest of the repetitions.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.databases import reachable_targets
from bench.report import header
from bot.samples.synthetic import synthetic_office_rows, write_csv

NAME = "org_import"
TITLE = "Org chart import"
SIZES = (10_000, 100_000)
QUICK_SIZES = (500, 5_000)
RATIO_GOAL = 12.0
ROOT = Path(__file__).resolve().parent.parent


class BenchmarkError(RuntimeError):
    """The import did not do what it should: its timing would mean nothing."""


@dataclass
class SizeResult:
    engine: str
    rows: int
    file_mb: float
    first: dict  # bench/one_import.py's JSON for the import into the empty database
    again: dict  # … and for importing the same file a second time


@dataclass
class Measurements:
    sizes: tuple[int, int]  # the second is 10x the first
    repeat: int
    results: list[SizeResult] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def result(self, engine: str, rows: int) -> SizeResult:
        return next(r for r in self.results if r.engine == engine and r.rows == rows)

    @property
    def engines(self) -> list[str]:
        return list(dict.fromkeys(r.engine for r in self.results))


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _one_import(url: str, schema: str | None, path: Path) -> dict:
    command = [sys.executable, "-m", "bench.one_import", "--url", url, str(path)]
    if schema:
        command += ["--schema", schema]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BenchmarkError(f"importing {path.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check(engine: str, rows: int, first: dict, again: dict) -> None:
    if first["errors"] or first["created"] != rows or first["active_people"] != rows:
        raise BenchmarkError(f"{engine}, {rows} rows: the import stored {first['active_people']} people: {first}")
    if again["written"] or again["unchanged"] != rows or again["active_people"] != rows:
        raise BenchmarkError(f"{engine}, {rows} rows: the re-import changed something: {again}")


def measure(
    sizes: Sequence[int],
    *,
    workdir: Path,
    engines: Sequence[str] = ("sqlite", "postgresql"),
    repeat: int = 1,
    log: Callable[[str], None] = _stderr,
) -> Measurements:
    """Generate the files and the databases under `workdir` and import; SQLite files stay there."""
    small, big = sizes
    if big != 10 * small:
        raise ValueError(f"the goal is about 10x the rows: got {small} and {big}")
    measurements = Measurements((small, big), repeat)
    files = {}
    for rows in sizes:
        files[rows] = workdir / f"office_{rows}.csv"
        write_csv(synthetic_office_rows(rows), files[rows])
    targets = reachable_targets(engines, workdir, name=NAME, log=log, skipped=measurements.skipped)
    for target in targets:
        measurements.versions.append(target.version)
        runs: dict[int, list[tuple[dict, dict]]] = {rows: [] for rows in sizes}
        for attempt in range(1, repeat + 1):
            for rows in sizes:
                with target.fresh(str(rows)) as (url, schema):
                    first = _one_import(url, schema, files[rows])
                    again = _one_import(url, schema, files[rows])
                _check(target.name, rows, first, again)
                runs[rows].append((first, again))
                log(
                    f"{NAME}: {target.name} {rows:,} rows, run {attempt}/{repeat}: "
                    f"import {first['seconds']:.2f} s, re-import {again['seconds']:.2f} s"
                )
        for rows in sizes:
            measurements.results.append(
                SizeResult(
                    target.name,
                    rows,
                    files[rows].stat().st_size / 2**20,
                    min((first for first, _ in runs[rows]), key=lambda r: r["seconds"]),
                    min((again for _, again in runs[rows]), key=lambda r: r["seconds"]),
                )
            )
    return measurements


def _ratio_rows(m: Measurements) -> list[str]:
    small, big = m.sizes
    lines = []
    for engine in m.engines:
        for what, key in (("import", "first"), ("re-import", "again")):
            ratio = getattr(m.result(engine, big), key)["seconds"] / getattr(m.result(engine, small), key)["seconds"]
            verdict = "PASS" if ratio <= RATIO_GOAL else "FAIL"
            lines.append(f"| {engine} | {what} | {ratio:.2f} | ≤ {RATIO_GOAL:g} | {verdict} |")
    return lines


_HOW = (
    "How: `synthetic_office_rows(n)` written to CSV (not timed), imported the way `apel org import` does "
    "(`open_sheet` → `import_org_chart`) into an empty migrated database (SQLite: a file in a temporary "
    "directory; PostgreSQL: a throwaway schema), then the same file again, which changes nothing. "
    "Read + validate ends at the import's first SQL statement; compare + write is the rest (loading "
    "what is stored, planning, writing, commit). Peak RSS is the resident high-water mark (VmHWM) of a fresh "
    "process per import (tracemalloc would slow 100,000 rows too much; `ru_maxrss` there would still hold the "
    "size of the benchmark process that spawned it), so it includes the interpreter and libraries (about "
    "{baseline:.0f} MB before the import starts) and not the database server."
)


def render(m: Measurements, command: str, *, quick: bool = False) -> str:
    small, big = m.sizes
    title = f"## {TITLE}" + (" (quick smoke sizes, not the recorded benchmark)" if quick else "")
    best = f"fastest of {m.repeat} runs" if m.repeat > 1 else "one run"
    lines = [
        title,
        "",
        header(command, f"Engines: {', '.join(m.versions) or 'none'}", f"Each figure: {best} per size"),
        *(f"- Skipped: {reason}" for reason in m.skipped),
        "",
        "| Engine | Rows | File (MB) | Import (s) | Rows/s | Read + validate (s) | Compare + write (s) "
        "| Re-import (s) | Peak RSS import (MB) | Peak RSS re-import (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in m.results:
        first, again = r.first, r.again
        lines.append(
            f"| {r.engine} | {r.rows:,} | {r.file_mb:.1f} | {first['seconds']:.2f} | {r.rows / first['seconds']:,.0f} "
            f"| {first['read_validate_s']:.2f} | {first['write_s']:.2f} | {again['seconds']:.2f} "
            f"| {first['peak_rss_mb']:.0f} | {again['peak_rss_mb']:.0f} |"
        )
    lines += [
        "",
        f"Linear growth: time({big:,} rows) / time({small:,} rows), side by side in this run.",
        "",
        "| Engine | Measured | Ratio | Goal | Result |",
        "|---|---|---:|---:|---|",
        *_ratio_rows(m),
        "",
        _HOW.format(baseline=m.results[0].first["baseline_rss_mb"]) if m.results else "No engine was available.",
    ]
    return "\n".join(lines)


def run(*, quick: bool = False, repeat: int | None = None, command: str = "python -m bench") -> str:
    sizes = QUICK_SIZES if quick else SIZES
    with tempfile.TemporaryDirectory(prefix="apel_bench_") as tmp:
        measurements = measure(sizes, workdir=Path(tmp), repeat=repeat or (1 if quick else 3))
    return render(measurements, command, quick=quick)
