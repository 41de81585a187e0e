"""The benchmarks, run with tiny sizes: they import for real and record their table. No timing is asserted
here (speed targets live in `python -m bench` and BENCHMARKS.md, where they are compared side by side)."""

import asyncio

import pytest

from sqlalchemy import text as sql

from bench import org_import
from bench.report import INTRO, markers, write_section
from storage.unit_of_work import Database


async def _active_people(path) -> int:
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.uow() as uow:
            return await uow.org.count_active_people()
    finally:
        await db.dispose()


def test_org_import_benchmark_stores_the_people_and_records_a_table(tmp_path):
    measured = org_import.measure((200, 2000), workdir=tmp_path, engines=("sqlite",), log=lambda _: None)
    out = tmp_path / "BENCHMARKS.md"
    write_section(out, org_import.NAME, org_import.render(measured, "python -m bench --quick"))

    text = out.read_text(encoding="utf-8")
    assert text.startswith(INTRO)
    for row in ("| SQLite | 200 |", "| SQLite | 2,000 |", "| SQLite | import |", "| SQLite | re-import |"):
        assert row in text
    # The benchmark's SQLite files stay in its work directory: count the people in them ourselves.
    for rows in (200, 2000):
        assert asyncio.run(_active_people(tmp_path / f"sqlite_{rows}.db")) == rows


def test_a_benchmark_rewrites_only_its_own_section(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    write_section(out, "org_import", "first run")
    write_section(out, "other", "another benchmark")
    write_section(out, "org_import", "second run")

    text = out.read_text(encoding="utf-8")
    start, end = markers("org_import")
    assert text.startswith(INTRO)
    assert f"{start}\nsecond run\n{end}" in text and "first run" not in text
    assert "another benchmark" in text
    assert text.index(start) < text.index(markers("other")[0])  # the section keeps its place


async def _supervisors_with_reports(path) -> int:
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.engine.connect() as conn:
            query = "SELECT count(DISTINCT supervisor_id) FROM person WHERE active AND supervisor_id IS NOT NULL"
            return (await conn.execute(sql(query))).scalar_one()
    finally:
        await db.dispose()


def test_digests_benchmark_sends_one_digest_per_supervisor_with_a_constant_statement_count(tmp_path, monkeypatch):
    from bench import digests
    from storage import day_repository

    # Tiny offices, read the way a big one is: every id list in one parameter (json_each), not an IN list.
    monkeypatch.setattr(day_repository, "CHUNK", 100)
    measured = digests.measure((300, 1000), workdir=tmp_path, engines=("sqlite",), log=lambda _: None)
    out = tmp_path / "BENCHMARKS.md"
    write_section(out, digests.NAME, digests.render(measured, "python -m bench --quick"))

    text = out.read_text(encoding="utf-8")
    assert "| SQLite | 300 | 31 | 5 | 31 |" in text and "| SQLite | 1,000 | 121 | 5 | 121 |" in text
    assert "| SQLite | SQL statements of the digest step |" in text
    for result in measured.results:
        # The database says how many people head someone: each of them got exactly one digest.
        stored = asyncio.run(_supervisors_with_reports(tmp_path / f"sqlite_digests_{result.office.people}.db"))
        assert result.digests == result.office.supervisors == stored
        assert result.child["digests"] == stored
    small, big = measured.results
    assert small.statements == big.statements  # more people, the same statements


def test_live_location_benchmark_stores_every_fix_with_three_statements_one_by_one_and_far_fewer_batched(tmp_path):
    from bench import live_locations

    measured = live_locations.measure(150, workdir=tmp_path, engines=("sqlite",), people=40, log=lambda _: None)
    out = tmp_path / "BENCHMARKS.md"
    write_section(out, live_locations.NAME, live_locations.render(measured, "python -m bench --quick"))

    one, batched = measured.results[("SQLite", "one by one")], measured.results[("SQLite", "batched")]
    assert one.stored == batched.stored == 150  # counted back in location_fix by the benchmark itself
    assert one.statements == 3 * 150  # seen-update insert, the sender, the fix
    assert batched.statements <= 3 * 2  # two waves of at most 100, three statements each
    text = out.read_text(encoding="utf-8")
    assert "| SQLite | one by one | 150 |" in text and "| SQLite | batched | 150 |" in text


def test_ingest_benchmark_feeds_the_same_updates_to_both_dispatchers_and_counts_what_was_stored(tmp_path):
    from bench import ingest

    measured = ingest.measure(30, workdir=tmp_path, engines=("sqlite",), people=20, log=lambda _: None)
    out = tmp_path / "BENCHMARKS.md"
    write_section(out, ingest.NAME, ingest.render(measured, "python -m bench --quick"))

    sides = measured.results["SQLite"]
    assert set(sides) == set(ingest.SIDES) and all(side.updates == 30 for side in sides.values())
    full = sides["full"]
    assert set(full.by_kind) == set(ingest.KINDS) and all(s > 0 for s in full.by_kind.values())
    text = out.read_text(encoding="utf-8")
    assert "| SQLite | 30 |" in text and f"{ingest.IN_FLIGHT} in flight" in text


def test_ingest_benchmark_refuses_to_time_a_path_that_did_not_store_the_moves(tmp_path, monkeypatch):
    from bench import ingest

    async def nothing_stored(self, inbound):  # a broken live path: moves acknowledged, never written
        return None

    monkeypatch.setattr("bot.services.live_batch.LiveBatcher.add", nothing_stored, raising=True)
    with pytest.raises(ingest.BenchmarkError, match="fixes stored"):
        ingest.measure(6, workdir=tmp_path, engines=("sqlite",), people=5, log=lambda _: None)


def test_evidence_benchmark_runs_the_pipeline_and_bare_decode_on_every_sample(tmp_path):
    from bench import evidence

    results = evidence.measure(quick=True, repeat=1, workdir=tmp_path)
    text = evidence.render(results, "python -m bench --quick", 1)
    assert [r.sample.label for r in results] == [s.label for s in evidence.samples(True)]
    assert all(r.bare_ms > 0 and r.pipeline_ms > 0 for r in results)
    assert text.count("| ≤ 1.5 |") == len(results)
    # The pipeline really stored each sample: original, derivative and thumbnail; a turned photo's
    # derivative is left pending for the housekeeping (a full re-encode is not on the intake path).
    for n, r in enumerate(results):
        files = sorted(p.parent.parent.name for p in (tmp_path / f"run_{n}_0").rglob("*") if p.is_file())
        turned = "turned" in r.sample.label
        assert files == (["originals", "thumbs"] if turned else ["derivatives", "originals", "thumbs"])


def test_fanout_benchmark_delivers_every_message_once_and_answers_every_tap(tmp_path):
    from bench import fanout

    scenarios = (fanout.Scenario("broadcast", 30, 30, 25, 28, False, True, 2),
                 fanout.Scenario("paid broadcast", 100, 1_000, 1_000, 1_000, True, False, 0))
    measured = fanout.measure(scenarios, workdir=tmp_path, engines=("sqlite",), log=lambda _: None)
    broadcast, paid = measured.results
    for result in measured.results:
        # Counted in the outbox table and at the stand-in: every message sent, none twice, none refused.
        assert result.statuses == {"sent": result.queued}
        assert result.lost == 0 and result.received == result.queued and not result.refused
        assert result.chats == result.scenario.recipients
    assert len(broadcast.latencies) == 2  # both replies to taps arrived and were timed
    text = fanout.render(measured, "python -m bench --quick", quick=True)
    assert "| SQLite | broadcast | 30 | 30 | 25 |" in text and "| SQLite | paid broadcast | 100 | 1000 | 1000 |" in text
