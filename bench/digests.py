"""Benchmark: every supervisor's digest of one day, built in one tick (quick: smaller offices).

The issue's goal: all digests of a synthetic office of 100,000 people (about 10,000 supervisors in 5
levels) are built in one tick with a constant number of queries, not one per person; the time is at most
5x one full scan of the day's rows, the peak memory at most 500 MB.

Each office is written straight into an empty migrated database with SQL core bulk inserts (not timed):
the org chart of `synthetic_office_rows(n, branching=b)` (b chosen for 5 supervisor levels), a Telegram
account for every supervisor, and one Monday's rows (work days, reports, tasks, evidence). Then, side by
side in each repetition, the scan (the day's rows of the four tables read into lists) and the digests
(`Routine.digests(now, force=True)`, the step the tick runs), with the delivery keys deleted before each
run so that every run does the whole work. The peak memory is that of one more digest run alone in a
fresh process:

    python -m bench.digests --url URL [--schema NAME]     # prints one JSON object
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, event, func, insert, or_, select
from sqlalchemy import text as sql

from bench.databases import reachable_targets
from bench.peak_memory import peak_rss_mb
from bench.report import header
from bot.samples.synthetic import _supervisor_levels, synthetic_office_rows
from bot.services.routine import Routine
from storage.day_tables import Evidence, Report, Task, WorkDay
from storage.routine_tables import Delivery
from storage.tables import ChannelAccount, OrgUnit, Person
from storage.unit_of_work import Database

NAME = "digests"
TITLE = "Supervisors' digests"
SIZES = (2_000, 100_000)
QUICK_SIZES = (1_000, 2_000)
LEVELS = 5
RATIO_GOAL = 5.0
MEMORY_GOAL_MB = 500.0
DAY = dt.date(2026, 11, 23)  # a Monday, no holiday
NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)  # 16:30 WIB, 17:30 WITA, 18:30 WIT: after every deadline
SETUP_AT = dt.datetime(2026, 11, 1, 0, 0, tzinfo=dt.UTC)
CHUNK = 10_000  # rows per bulk insert
CLAIM_BATCH = 2_000  # delivery keys per INSERT in storage/routine_repository.py (claim_many)
ROOT = Path(__file__).resolve().parent.parent


class BenchmarkError(RuntimeError):
    """The digests were not what they should be: their timing would mean nothing."""


class FixedClock:
    def __init__(self, at: dt.datetime):
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def branching_for(n: int, levels: int = LEVELS) -> int:
    """The branching that gives `synthetic_office_rows(n)` `levels` supervisor levels, nearest n/10
    supervisors among those that do; the default branching of 10 when none does."""
    fitting = [b for b in range(2, 101) if len(_supervisor_levels(n, b)) == levels]
    if not fitting:
        return 10
    return min(fitting, key=lambda b: abs(sum(_supervisor_levels(n, b)) - n / 10))


# ------------------------------------------------------------------------------------ the office


@dataclass
class Office:
    people: int
    supervisors: int  # people with at least one active report: each gets a digest
    levels: int
    branching: int
    rows: dict[str, int]  # rows of the day per table


def _local(zone: str, hour: int, minute: int) -> dt.datetime:
    """That day's hour:minute (minutes may run past 59) in the zone, in UTC."""
    start = dt.datetime.combine(DAY, dt.time(hour), ZoneInfo(zone)) + dt.timedelta(minutes=minute)
    return start.astimezone(dt.UTC)


def _day_rows(people: list[tuple[int, int | None, str]], seed: int = 11):
    """(person id, supervisor id, time zone) → the day's rows of work_day, report, task, evidence."""
    rng = random.Random(seed)
    work_days, reports, tasks, evidence = [], [], [], []
    task_id = 0
    for pid, boss, zone in people:
        roll = rng.random()
        if roll < 0.04:
            mode, source = "cuti", "leave"
        elif roll < 0.06:
            mode, source = "sakit", "leave"
        elif roll < 0.08:
            mode, source = "dl", "override"
        elif roll < 0.20:
            mode, source = "wfh", "roster"
        else:
            mode, source = "wfo", "default"
        excused = mode in ("cuti", "sakit", "dl")
        if rng.random() < 0.97:  # a few were never briefed: no row, the default mode
            briefed = _local(zone, 7, 30 + rng.randrange(5))
            work_days.append({
                "person_id": pid, "day": DAY, "mode": mode, "reason": "Cuti tahunan" if mode == "cuti" else None,
                "source": source, "briefed_at": None if excused else briefed,
                "acknowledged_at": None if excused or rng.random() < 0.1 else briefed + dt.timedelta(minutes=3),
            })
        own_tasks = 0 if excused else rng.randrange(4)
        done = 0
        first_task = task_id + 1
        for k in range(own_tasks):
            task_id += 1
            carried = rng.random() < 0.15
            status = "open" if carried else rng.choice(("open", "in_progress", "done", "done", "blocked"))
            done += status == "done"
            created = _local(zone, 8, rng.randrange(60)) - dt.timedelta(days=3 if carried else 0)
            tasks.append({
                "id": task_id, "person_id": pid, "title": f"Tugas {k + 1}: menyusun bahan rapat koordinasi",
                "due_date": DAY - dt.timedelta(days=3) if carried else DAY, "status": status,
                "blocked_reason": "Menunggu data dari bidang lain" if status == "blocked" else None,
                "source": "assigned" if boss and rng.random() < 0.5 else "own",
                "assigned_by_id": boss if boss and rng.random() < 0.5 else None, "announced_at": created,
                "created_at": created, "updated_at": created, "done_at": created if status == "done" else None,
            })
        pieces = 0 if excused else rng.randrange(3)
        for k in range(pieces):
            received = _local(zone, 10 + rng.randrange(5), rng.randrange(60))
            digest = hashlib.sha256(f"{pid}:{k}".encode()).hexdigest()
            evidence.append({
                "person_id": pid, "day": DAY, "task_id": first_task if own_tasks else None, "kind": "photo",
                "sha256": digest, "path": f"evidence/{DAY}/{pid}/{digest[:16]}.jpg",
                "thumb_path": f"evidence/{DAY}/{pid}/{digest[:16]}_t.jpg", "mime": "image/jpeg",
                "filename": None, "size": 150_000 + rng.randrange(100_000), "album": None,
                "caption": "Dokumentasi kegiatan", "received_at": received,
            })
        if excused:
            continue
        roll = rng.random()  # 10% never wrote a report, 5% left a draft: both are "missing"
        if roll < 0.10:
            continue
        status, late, reviewed = "submitted", False, False
        if roll < 0.15:
            status = "draft"
        elif roll < 0.25:
            late = True
        elif roll < 0.40:
            status, reviewed = "approved", True
        elif roll < 0.45:
            status, reviewed = "returned", True
        submitted = (_local(zone, 16, 5 + rng.randrange(50)) if late else _local(zone, 14, rng.randrange(120)))
        reports.append({
            "person_id": pid, "day": DAY, "status": status,
            "summary": "Menyelesaikan penyusunan laporan kegiatan dan koordinasi dengan bidang terkait.",
            "task_lines": json.dumps([{"title": "Tugas 1", "status": "done"}] * min(own_tasks, 1)),
            "evidence_count": pieces, "late": late, "revision": 0 if status == "draft" else 1,
            "submitted_at": None if status == "draft" else submitted,
            "reviewed_by_id": boss if reviewed else None,
            "reviewed_at": submitted + dt.timedelta(minutes=30 + rng.randrange(120)) if reviewed else None,
            "review_note": "Lengkapi bukti kegiatan" if status == "returned" else None,
            "created_at": submitted - dt.timedelta(minutes=20), "updated_at": submitted,
        })
    return work_days, reports, tasks, evidence


async def _bulk(conn, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        await conn.execute(insert(table), rows[start : start + CHUNK])


async def populate(url: str, schema: str | None, n: int) -> Office:
    """Write the office of `n` people and its day into the empty migrated database (ids given here)."""
    branching = branching_for(n)
    rows = list(synthetic_office_rows(n, branching=branching))
    unit_ids: dict[str, int] = {}
    units, people = [], []
    for r in rows:
        if r["unit"] not in unit_ids:
            unit_ids[r["unit"]] = len(unit_ids) + 1
            units.append({
                "id": unit_ids[r["unit"]], "name": r["unit"], "parent_id": unit_ids[r["unit_parent"]] if r["unit_parent"] else None,
                "kind": r["unit_kind"], "timezone": r["timezone"], "created_at": SETUP_AT, "updated_at": SETUP_AT,
            })
    person_ids = {r["nip"]: index + 1 for index, r in enumerate(rows)}
    for index, r in enumerate(rows):
        people.append({
            "id": index + 1, "nip": r["nip"], "name": r["name"], "position": r["position"], "rank": r["rank"] or None,
            "unit_id": unit_ids[r["unit"]], "supervisor_id": person_ids[r["supervisor_nip"]] if r["supervisor_nip"] else None,
            "role": r["role"], "phone": r["phone"] or None, "language": r["language"] or None,
            "home_lat": float(r["home_lat"]), "home_lon": float(r["home_lon"]), "home_radius_m": int(r["home_radius_m"]),
            "wfh_eligible": r["wfh_eligible"] == "true", "active": True, "created_at": SETUP_AT, "updated_at": SETUP_AT,
        })
    bosses = sorted({p["supervisor_id"] for p in people if p["supervisor_id"] is not None})
    accounts = [
        {"person_id": pid, "channel": "telegram", "external_id": str(7_000_000_000 + pid), "linked_at": SETUP_AT}
        for pid in bosses
    ]
    work_days, reports, tasks, evidence = _day_rows(
        [(p["id"], p["supervisor_id"], rows[p["id"] - 1]["timezone"]) for p in people]
    )
    db = Database(url, schema=schema)
    try:
        async with db.engine.begin() as conn:
            for table, batch in ((OrgUnit, units), (Person, people), (ChannelAccount, accounts), (WorkDay, work_days),
                                 (Report, reports), (Task, tasks), (Evidence, evidence)):
                await _bulk(conn, table, batch)
            if db.engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
                for table in ("org_unit", "person", "task"):
                    await conn.execute(sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                           f"(SELECT max(id) FROM {table}))"))
                # Statistics, as autovacuum gathers them after such a load (a server may run without it).
                await conn.execute(sql("ANALYZE org_unit, person, channel_account, work_day, report, task, evidence"))
    finally:
        await db.dispose()
    return Office(
        people=n, supervisors=len(bosses), levels=len(_supervisor_levels(n, branching)), branching=branching,
        rows={"work_day": len(work_days), "report": len(reports), "task": len(tasks), "evidence": len(evidence)},
    )


# ------------------------------------------------------------------------------------ what is timed


async def scan(db: Database) -> tuple[float, int]:
    """One full read of the day's rows (the tasks the digest counts: due that day or carried over)."""
    queries = (
        select(WorkDay.__table__).where(WorkDay.day == DAY),
        select(Report.__table__).where(Report.day == DAY),
        select(Task.__table__).where(or_(Task.due_date == DAY, (Task.due_date < DAY) & (Task.status != "done"))),
        select(Evidence.__table__).where(Evidence.day == DAY),
    )
    started = time.perf_counter()
    async with db.engine.connect() as conn:
        lists = [(await conn.execute(q)).all() for q in queries]
    seconds = time.perf_counter() - started
    return seconds, sum(map(len, lists))


async def forget_deliveries(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(delete(Delivery).where(Delivery.day == DAY))


@dataclass
class DigestRun:
    seconds: float
    statements: int
    claims: int  # of the statements: the batches that record the delivery keys
    digests: int
    recipients: int


async def digest_run(db: Database) -> DigestRun:
    """The routine's digest step for the whole office, forced (the delivery keys are deleted first)."""
    await forget_deliveries(db)
    routine = Routine(db.uow, clock=FixedClock(NOW), default_language="id")
    statements: list[str] = []

    def counted(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", counted)
    try:
        started = time.perf_counter()
        out = await routine.digests(NOW, force=True)
        seconds = time.perf_counter() - started
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", counted)
    # A supervisor on leave has theirs passed to the one above, after a line that says so: fewer chats.
    digests = [o for o in out if "📋 <b>Rekap tim" in o.reply.text]
    claims = sum(s.lstrip().upper().startswith("INSERT INTO DELIVERY") for s in statements)
    return DigestRun(seconds, len(statements), claims, len(digests), len({o.external_id for o in digests}))


async def _supervisors_with_reports(db: Database) -> int:
    async with db.engine.connect() as conn:
        query = select(func.count(func.distinct(Person.supervisor_id))).where(Person.active)
        return (await conn.execute(query)).scalar_one()


# ------------------------------------------------------------------------------------ measuring


@dataclass
class SizeResult:
    engine: str
    office: Office
    scan_s: float
    scan_rows: int
    digests_s: float
    statements: int
    claims: int
    digests: int
    child: dict  # the fresh process's JSON: peak memory of one digest run

    @property
    def ratio(self) -> float:
        return self.digests_s / self.scan_s


@dataclass
class Measurements:
    sizes: tuple[int, ...]
    repeat: int
    results: list[SizeResult] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def engines(self) -> list[str]:
        return list(dict.fromkeys(r.engine for r in self.results))


def _child_run(url: str, schema: str | None) -> dict:
    command = [sys.executable, "-m", "bench.digests", "--url", url]
    if schema:
        command += ["--schema", schema]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BenchmarkError(f"the digest run in a fresh process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


async def _timed(url: str, schema: str | None, office: Office, repeat: int) -> tuple[float, int, DigestRun]:
    db = Database(url, schema=schema)
    try:
        expected = await _supervisors_with_reports(db)
        if expected != office.supervisors:
            raise BenchmarkError(f"{expected} supervisors stored, {office.supervisors} written")
        scans, runs = [], []
        for _ in range(repeat):
            scans.append(await scan(db))
            run_ = await digest_run(db)
            if run_.digests != expected or not 0 < run_.recipients <= expected:
                raise BenchmarkError(f"{run_.digests} digests to {run_.recipients} chats for {expected} supervisors")
            runs.append(run_)
        if len({r.statements for r in runs}) != 1:
            raise BenchmarkError(f"the statement count changed between runs: {[r.statements for r in runs]}")
        scan_s, scan_rows = min(scans)
        return scan_s, scan_rows, min(runs, key=lambda r: r.seconds)
    finally:
        await db.dispose()


def measure(
    sizes: Sequence[int],
    *,
    workdir: Path,
    engines: Sequence[str] = ("sqlite", "postgresql"),
    repeat: int = 1,
    log: Callable[[str], None] = _stderr,
) -> Measurements:
    """Write each office into a fresh database under `workdir` and time; SQLite files stay there."""
    measurements = Measurements(tuple(sizes), repeat)
    targets = reachable_targets(engines, workdir, name=NAME, log=log, skipped=measurements.skipped)
    for target in targets:
        measurements.versions.append(target.version)
        for n in sizes:
            with target.fresh(f"digests_{n}") as (url, schema):
                started = time.perf_counter()
                office = asyncio.run(populate(url, schema, n))
                log(f"{NAME}: {target.name} {n:,} people, {office.supervisors:,} supervisors in {office.levels} "
                    f"levels written in {time.perf_counter() - started:.1f} s")
                scan_s, scan_rows, best = asyncio.run(_timed(url, schema, office, repeat))
                child = _child_run(url, schema)
                if child["digests"] != office.supervisors or child["statements"] != best.statements:
                    raise BenchmarkError(f"the fresh process's run differs: {child}")
            result = SizeResult(target.name, office, scan_s, scan_rows, best.seconds, best.statements, best.claims,
                                best.digests, child)
            measurements.results.append(result)
            log(f"{NAME}: {target.name} {n:,} people: scan {scan_s:.3f} s, digests {best.seconds:.3f} s "
                f"(ratio {result.ratio:.2f}), {best.statements} statements, peak {child['peak_rss_mb']:.0f} MB")
    return measurements


# ------------------------------------------------------------------------------------ the section


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _goal_rows(m: Measurements) -> list[str]:
    lines = []
    for engine in m.engines:
        results = [r for r in m.results if r.engine == engine]
        big = max(results, key=lambda r: r.office.people)
        lines.append(f"| {engine} | digests / scan at {big.office.people:,} people | {big.ratio:.2f} "
                     f"| ≤ {RATIO_GOAL:g} | {_verdict(big.ratio <= RATIO_GOAL)} |")
        peak = big.child["peak_rss_mb"]
        lines.append(f"| {engine} | peak RSS at {big.office.people:,} people (MB) | {peak:.0f} "
                     f"| ≤ {MEMORY_GOAL_MB:g} | {_verdict(peak <= MEMORY_GOAL_MB)} |")
        counts = " / ".join(f"{r.statements} at {r.office.people:,}" for r in results)
        constant = len({r.statements for r in results}) == 1
        lines.append(f"| {engine} | SQL statements of the digest step | {counts} | the same at every size "
                     f"| {_verdict(constant)} |")
    return lines


def _statement_note(m: Measurements) -> list[str]:
    """Say what grows when the count does: so far only the batches of delivery keys can."""
    counts = {(r.statements, r.claims) for r in m.results}
    if len({total for total, _ in counts}) <= 1:
        return []
    others = {total - claims for total, claims in counts}
    if len(others) != 1:
        return ["The statement count grows with the office beyond the delivery-key batches.", ""]
    return [
        f"What grows is the delivery-key batches alone (`SqlRoutineRepository.claim_many`: one INSERT per "
        f"{CLAIM_BATCH:,} keys, {max(c for _, c in counts)} for {max(r.office.supervisors for r in m.results):,} "
        f"supervisors); every other read and write is {others.pop()} statements at every size.",
        "",
    ]


_HOW = (
    "How: `synthetic_office_rows(n, branching=b)` (b chosen so that the supervisors form {levels} levels) is "
    "written straight into an empty migrated database with SQL core bulk inserts (SQLite: a file in a temporary "
    "directory; PostgreSQL: a throwaway schema), with a Telegram account for every supervisor and the rows of "
    "Monday {day}: work days (4% cuti, 2% sakit, 2% dinas luar, 12% WFH), reports (on time, late, approved, "
    "returned, drafts and none), 0–3 tasks and 0–2 photos per person; none of that is timed. Each repetition "
    "then times the scan (the day's `work_day`, `report`, `task` and `evidence` rows read into lists, "
    "{rows} rows at the largest size) and the digests (`Routine.digests(now, force=True)`: the org, the "
    "delivery keys, everyone's line of the day, one rendered notice per reachable supervisor, each checked to "
    "be there once), the delivery keys deleted before each run. Statements are counted with a "
    "`before_cursor_execute` listener during the digest step. Peak RSS is the resident high-water mark of one "
    "more digest run in a fresh process (`python -m bench.digests`): VmHWM of `/proc/self/status`, as "
    "`getrusage(RUSAGE_SELF).ru_maxrss` there would still hold the size of the benchmark process that spawned "
    "it; interpreter and libraries included (about {baseline:.0f} MB before the run starts), the database "
    "server not. PostgreSQL's tables are analyzed after the load, as autovacuum would do."
)


def render(m: Measurements, command: str, *, quick: bool = False) -> str:
    title = f"## {TITLE}" + (" (quick smoke sizes, not the recorded benchmark)" if quick else "")
    best = f"fastest of {m.repeat} runs" if m.repeat > 1 else "one run"
    lines = [
        title,
        "",
        header(command, f"Engines: {', '.join(m.versions) or 'none'}", f"Each time: {best} per size"),
        *(f"- Skipped: {reason}" for reason in m.skipped),
        "",
        "| Engine | People | Supervisors | Levels | Digests | Scan (s) | Digests (s) | Ratio | Statements "
        "(delivery-key batches) | Peak RSS (MB) | Result |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    largest = max(m.sizes)
    for r in m.results:
        peak = r.child["peak_rss_mb"]
        ok = r.ratio <= RATIO_GOAL and peak <= MEMORY_GOAL_MB
        # The goals are set for the large office; the small one is there to compare the statement count.
        verdict = _verdict(ok) if r.office.people == largest else "(statement count only)"
        lines.append(
            f"| {r.engine} | {r.office.people:,} | {r.office.supervisors:,} | {r.office.levels} | {r.digests:,} "
            f"| {r.scan_s:.3f} | {r.digests_s:.3f} | {r.ratio:.2f} | {r.statements} ({r.claims}) | {peak:.0f} "
            f"| {verdict} |"
        )
    lines += [
        "",
        f"Goals, at {largest:,} people: digests ≤ {RATIO_GOAL:g}× the scan, measured side by side in this run; "
        f"peak memory ≤ {MEMORY_GOAL_MB:g} MB; and a number of statements that does not grow with the office.",
        "",
        "| Engine | Measured | Value | Goal | Result |",
        "|---|---|---:|---:|---|",
        *_goal_rows(m),
        "",
        *_statement_note(m),
    ]
    if m.results:
        biggest = max(m.results, key=lambda r: r.office.people)
        lines.append(_HOW.format(levels=biggest.office.levels, day=DAY.isoformat(), rows=f"{biggest.scan_rows:,}",
                                 baseline=biggest.child["baseline_rss_mb"]))
    else:
        lines.append("No engine was available.")
    return "\n".join(lines)


def run(*, quick: bool = False, repeat: int | None = None, command: str = "python -m bench") -> str:
    sizes = QUICK_SIZES if quick else SIZES
    with tempfile.TemporaryDirectory(prefix="apel_bench_") as tmp:
        measurements = measure(sizes, workdir=Path(tmp), repeat=repeat or (1 if quick else 3))
    return render(measurements, command, quick=quick)


# ------------------------------------------------------------------------------------ the fresh process


async def one_run(url: str, schema: str | None) -> dict:
    db = Database(url, schema=schema)
    try:
        baseline = peak_rss_mb()
        done = await digest_run(db)
        peak = peak_rss_mb()
    finally:
        await db.dispose()
    return {"seconds": done.seconds, "statements": done.statements, "claims": done.claims, "digests": done.digests,
            "baseline_rss_mb": baseline, "peak_rss_mb": peak}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.digests", description="One digest run, in its own process.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--schema")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(one_run(args.url, args.schema))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
