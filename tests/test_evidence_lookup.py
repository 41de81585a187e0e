"""The near-duplicate lookup in SQL: only rows sharing a hash band come back (an index search, not a
scan), a hash within the threshold is always among them, and today's own evidence is left out."""

import datetime as dt
import random

import pytest

from sqlalchemy import text as sql

from bot.day_records import NewEvidence
from bot.domain.duplicates import bands, distance, nearest
from tests.org_rows import KASI, STAF, small_office
from tests.test_org_import import run_import

DAY = dt.date(2026, 11, 23)
AT = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


def flip(phash: str, bits) -> str:
    value = int(phash, 16)
    for bit in bits:
        value ^= 1 << bit
    return f"{value:016x}"


def evidence(person_id: int, day: dt.date, phash: str, n: int) -> NewEvidence:
    return NewEvidence(person_id=person_id, day=day, task_id=None, kind="photo", sha256=f"{n:064x}",
                       path=f"/o/{n}", thumb_path=f"/t/{n}", mime="image/jpeg", filename=None, size=1,
                       album=None, caption=None, received_at=AT, phash=phash)


async def test_only_rows_sharing_a_band_are_read_and_the_near_one_is_found(db, clock):
    await run_import(db, clock, small_office())
    rnd = random.Random(5)
    target = "9f3a5c0177e2b48d"
    near = flip(target, (1, 17, 33, 60))  # 4 bits apart, one in each of four bands
    async with db.uow() as uow:
        people = await uow.org.stored_people()
        staff, boss = people[STAF].id, people[KASI].id
        noise = [f"{rnd.getrandbits(64):016x}" for _ in range(1500)]
        for n, phash in enumerate(noise):
            await uow.day.add_evidence(evidence(boss, DAY - dt.timedelta(days=1 + n % 30), phash, n))
        await uow.day.add_evidence(evidence(boss, DAY - dt.timedelta(days=3), near, 9000))
        await uow.day.add_evidence(evidence(staff, DAY, target, 9001))  # today's own: never a match
        await uow.commit()
    async with db.uow() as uow:
        candidates = await uow.evidence.similar([target], person_id=staff, day=DAY)
    sharing = [h for h in noise if any(a == b for a, b in zip(bands(h), bands(target)))]
    assert sorted(c.phash for c in candidates) == sorted(sharing + [near])
    assert len(candidates) < 20  # of 1,502 rows
    found, gap = nearest([target], candidates, 4)
    assert found.phash == near and gap == distance(target, near) == 4 and found.day == DAY - dt.timedelta(days=3)


async def test_the_lookup_is_served_by_the_band_indexes(db, clock):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's planner scans a table this small whatever the indexes; SQLite's plan is fixed")
    await run_import(db, clock, small_office())
    async with db.uow() as uow:
        conn = await uow.session.connection()
        where = " OR ".join(f"phash_b{i} IN (1, 2)" for i in range(5))
        plan = (await conn.execute(sql(f"EXPLAIN QUERY PLAN SELECT id FROM evidence WHERE {where}"))).all()
    details = " | ".join(str(row[-1]) for row in plan)
    assert "MULTI-INDEX OR" in details and "SCAN evidence" not in details, details
