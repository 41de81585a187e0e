"""A supervisor's month export (`/ekspor`) and a past day's digest follow the supervision chain as it stood
each day (`org_membership.supervisor_id`), not as it stands on the day they are asked for: a person's day
belongs to A's export when A was their supervisor, or their supervisor's supervisor…, that day.

November 2026 has no national holiday; Seksi Timur is in WITA (deadline 16.00 = 08.00 UTC)."""

from __future__ import annotations

import datetime as dt

from bot.domain.membership import Membership
from bot.domain.team_history import team_days
from bot.services.digest_query import chain_of_day, digests_for, supervisor_lines
from bot.services.month_export import build_month
from tests.conftest import FakeClock
from tests.org_rows import HEAD, KABID, KASI, SEK, STAF, small_office
from tests.sql_statements import recorded_statements
from tests.test_month_export import NOVEMBER, _reads, nov, utc
from tests.test_month_export_history import AFTER_NOVEMBER, rudi_moves_on_the_15th
from tests.test_org_import import run_import

BEFORE = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13]  # the workdays of 1–14
AFTER = [16, 17, 18, 19, 20, 23, 24, 25, 26, 27, 30]  # of 15–30


def under(boss: str, staff_boss: str | None = None) -> list[dict[str, str]]:
    """The small office with Rudi (still in Seksi Timur) reporting to `boss`, and Dewi to `staff_boss`."""
    rows = small_office()
    for row in rows:
        if row["nip"] == STAF:
            row["supervisor_nip"] = boss
        if row["nip"] == KASI and staff_boss:
            row["supervisor_nip"] = staff_boss
    return rows


async def ids_of(db) -> dict[str, int]:
    async with db.uow() as uow:
        return {p.nip: p.id for p in await uow.org.list_people(None, include_inactive=True)}


async def rudi_days(db, boss: str) -> dict[str, list[int]]:
    """unit -> the days of Rudi's log in `boss`'s export of November."""
    async with db.uow() as uow:
        export = await build_month(uow, month=NOVEMBER, unit=None, now=AFTER_NOVEMBER,
                                   below=(await ids_of(db))[boss], team_of="x")
    return {log.unit: [r.day.day for r in log.rows] for log in export.people if log.nip == STAF}


async def digest_of(db, day: int) -> dict[str, set[str]]:
    """supervisor NIP -> names listed under them in the digest of the day."""
    async with db.uow() as uow:
        items = await digests_for(uow, day=nov(day), unit=None)
    return {item.supervisor.nip: {line.name for line in item.lines} for item in items}


async def test_a_move_to_another_supervisor_splits_the_month_between_their_exports(db):
    # Rudi stays in Seksi Timur; the import of Sunday 15 has him report to Andi (Dewi's own supervisor).
    await run_import(db, FakeClock(utc(1, 0)), small_office())
    assert (await run_import(db, FakeClock(utc(15, 1)), under(KABID))).written
    await run_import(db, FakeClock(utc(16, 1)), [dict(r, position=r["position"] + " Ahli") for r in under(KABID)])
    ids = await ids_of(db)
    async with db.uow() as uow:
        history = await uow.org.memberships(utc(1, 0), utc(30, 0))
    # A supervisor change alone starts a new membership; nothing else does, nor the top's "nobody" (NULL).
    assert [(m.supervisor_id, m.valid_from, m.valid_until) for m in history[ids[STAF]]] == [
        (ids[KASI], utc(1, 0), utc(15, 1)), (ids[KABID], utc(15, 1), None)]
    assert [(m.supervisor_id, m.supervisor_known, m.valid_until) for m in history[ids[HEAD]]] == [(None, True, None)]
    assert len(history[ids[KASI]]) == 1
    assert await rudi_days(db, KASI) == {"Seksi Timur": BEFORE}  # Dewi's: the days he was hers
    assert await rudi_days(db, KABID) == {"Seksi Timur": BEFORE + AFTER}  # under Andi through Dewi, then directly
    assert await rudi_days(db, HEAD) == {"Seksi Timur": BEFORE + AFTER}
    # The digest of the 10th lists him under Dewi; of the 16th under Andi.
    assert "Rudi Hartono" in (await digest_of(db, 10))[KASI]
    assert "Rudi Hartono" not in (await digest_of(db, 10)).get(KABID, set())
    assert "Rudi Hartono" in (await digest_of(db, 16))[KABID] and KASI not in await digest_of(db, 16)
    async with db.uow() as uow:  # Dewi's own /rekap of the 10th, and Andi's
        assert [line.name for line in await supervisor_lines(uow, ids[KASI], nov(10))] == ["Rudi Hartono"]
        assert [line.name for line in await supervisor_lines(uow, ids[KABID], nov(10))] == ["Dewi Lestari"]
        assert "Rudi Hartono" in [line.name for line in await supervisor_lines(uow, ids[KABID], nov(16))]
        # A /rekap reads the supervisor's people, not the org chart: a province has 100,000 of them.
        with recorded_statements(db.engine) as statements:
            await supervisor_lines(uow, ids[KASI], nov(10))
        whole = [s for s in _reads(statements) if (" FROM person " in s or " FROM org_membership " in s)
                 and not any(f in s for f in ("person.id IN", "person.supervisor_id IN", "org_membership.person_id IN",
                                              "org_membership.supervisor_id IN", "= ANY"))]
        assert whole == [], whole
    async with db.uow() as uow:  # who may review Rudi's report of the 10th besides today's chain: Dewi, then up
        assert await chain_of_day(uow, ids[STAF], nov(10)) == [ids[KASI], ids[KABID], ids[HEAD]]
        assert await chain_of_day(uow, ids[STAF], nov(16)) == [ids[KABID], ids[HEAD]]


async def test_a_move_to_another_unit_and_supervisor_on_the_15th(db):
    # Rudi goes from Seksi Timur (Dewi) to Sekretariat (Siti) on the 15th (local holidays: Bidang Timur's
    # 10th, Sekretariat's 19th; see rudi_moves_on_the_15th).
    await rudi_moves_on_the_15th(db)
    assert await rudi_days(db, KASI) == {"Seksi Timur": [2, 3, 4, 5, 6, 9, 11, 12, 13]}
    assert await rudi_days(db, SEK) == {"Sekretariat": [16, 17, 18, 20, 23, 24, 25, 26, 27, 30]}
    assert await rudi_days(db, KABID) == {"Seksi Timur": [2, 3, 4, 5, 6, 9, 11, 12, 13]}
    assert await rudi_days(db, HEAD) == {"Seksi Timur": [2, 3, 4, 5, 6, 9, 11, 12, 13],
                                         "Sekretariat": [16, 17, 18, 20, 23, 24, 25, 26, 27, 30]}
    assert "Rudi Hartono" in (await digest_of(db, 3))[KASI]
    assert "Rudi Hartono" in (await digest_of(db, 16))[SEK]


async def test_a_supervisor_moved_takes_their_people_along_for_those_days(db):
    # Dewi (with Rudi below her) reports to Siti from the 15th: Andi's export has Rudi until the 14th, Siti's
    # from the 15th — the subtree as it stood each day.
    await run_import(db, FakeClock(utc(1, 0)), small_office())
    await run_import(db, FakeClock(utc(15, 1)), under(KASI, staff_boss=SEK))
    assert await rudi_days(db, KABID) == {"Seksi Timur": BEFORE}
    assert await rudi_days(db, SEK) == {"Seksi Timur": AFTER}
    assert await rudi_days(db, KASI) == {"Seksi Timur": BEFORE + AFTER}


def test_days_without_a_recorded_supervisor_follow_todays():
    # Rows closed before supervisors were recorded (migration 0014) say nothing: today's supervisor is taken.
    days = [nov(d) for d in range(1, 31)]

    def deadline(unit_id: int, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC)

    old = {7: [Membership(7, 1, True, utc(1, 0), utc(15, 1)),
               Membership(7, 2, True, utc(15, 1), None, supervisor_id=3, supervisor_known=True)]}
    assert team_days(2, {7: 3, 3: 2}, old, days, deadline) == {7: set(days), 3: set(days)}
    # A recorded "nobody" (the top of a chain) is not today's supervisor.
    top = {7: [Membership(7, 1, True, utc(1, 0), utc(15, 1), supervisor_id=None, supervisor_known=True),
               Membership(7, 1, True, utc(15, 1), None, supervisor_id=3, supervisor_known=True)]}
    assert team_days(3, {7: 3}, top, days, deadline) == {7: set(days[14:])}


async def test_losing_or_gaining_a_supervisor_starts_a_membership(db):
    # Siti is left without a supervisor on the 15th and put back under Budi on the 20th (NULL compares as a value).
    await run_import(db, FakeClock(utc(1, 0)), small_office())
    alone = [dict(r, supervisor_nip="") if r["nip"] == SEK else r for r in small_office()]
    assert (await run_import(db, FakeClock(utc(15, 1)), alone)).written
    assert (await run_import(db, FakeClock(utc(20, 1)), small_office())).written
    ids = await ids_of(db)
    async with db.uow() as uow:
        history = (await uow.org.memberships(utc(1, 0), utc(30, 0)))[ids[SEK]]
    assert [(m.supervisor_id, m.valid_from) for m in history] == [
        (ids[HEAD], utc(1, 0)), (None, utc(15, 1)), (ids[HEAD], utc(20, 1))]


async def test_a_supervisors_export_reads_the_months_history_a_level_at_a_time(db):
    await run_import(db, FakeClock(utc(1, 0)), small_office())
    await run_import(db, FakeClock(utc(15, 1)), under(KASI, staff_boss=SEK))
    andi = (await ids_of(db))[KABID]
    with recorded_statements(db.engine) as statements:
        async with db.uow() as uow:
            await build_month(uow, month=NOVEMBER, unit=None, now=AFTER_NOVEMBER, below=andi, team_of="Andi")
    # units, schedules, calendar entries; for each level below Andi (Dewi until the 15th, Rudi, nobody) who the
    # history puts under it and who reports to it today; the people found and their memberships; then work days,
    # reports, evidence for the chunk of people: as many whoever moved, one level more for a deeper chart
    assert len(_reads(statements)) == 3 + 3 * 2 + 2 + 3
    assert sum(" FROM org_membership " in s for s in _reads(statements)) == 3 + 1


def test_a_province_of_100000_people_is_split_by_day_without_walking_it_per_person_and_day():
    # Head 0 over 100 division heads, each over 999 staff; on the 15th staff 500 moves from division 1 to
    # division 2, and division head 3 (with his 999) goes under division head 4.
    days = [nov(d) for d in range(1, 31)]

    def deadline(unit_id: int, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC)

    today = {0: None} | {d: 0 for d in range(1, 101)}
    today |= {p: 1 + p % 100 for p in range(101, 100_000)}  # 500 under 1, 102 under 3, 103 under 4
    today[500], today[3] = 2, 4
    start, move = utc(1, 0), utc(15, 1)
    history = {p: [Membership(p, 1, True, start, None, boss, True)] for p, boss in today.items()}
    history[500] = [Membership(500, 1, True, start, move, 1, True), Membership(500, 1, True, move, None, 2, True)]
    history[3] = [Membership(3, 1, True, start, move, 0, True), Membership(3, 1, True, move, None, 4, True)]
    head = team_days(0, today, history, days, deadline)
    assert len(head) == 99_999 and all(len(d) == 30 for d in head.values())
    one, two, four = (team_days(d, today, history, days, deadline) for d in (1, 2, 4))
    assert one[500] == set(days[:14]) and two[500] == set(days[14:]) and 500 not in four
    assert four[3] == four[102] == set(days[14:]) and four[103] == set(days) and len(four) == 999 + 1 + 999


async def test_a_supervisors_export_reads_their_people_not_the_org_chart(db):
    # Rudi moves from Dewi to Andi on the 15th; Budi (above both, outside Dewi's team) approved his report of
    # the 10th. Dewi's /ekspor read every person and every membership of the month (a province has 100,000).
    from tests.test_month_export import sent

    await run_import(db, FakeClock(utc(1, 0)), small_office())
    await run_import(db, FakeClock(utc(15, 1)), under(KABID))
    ids = await ids_of(db)
    async with db.uow() as uow:
        report = await sent(uow, ids[STAF], nov(10), [], at=utc(10, 7), summary="Rekap")
        assert await uow.day.review(report, status="approved", by=ids[HEAD], note=None, at=utc(10, 9), revision=1)
        await uow.commit()
    with recorded_statements(db.engine) as statements:
        async with db.uow() as uow:
            export = await build_month(uow, month=NOVEMBER, unit=None, now=AFTER_NOVEMBER, below=ids[KASI],
                                       team_of="Dewi")
    whole = [s for s in _reads(statements) if (" FROM person " in s or " FROM org_membership " in s)
             and not any(f in s for f in ("person.id IN", "person.supervisor_id IN", "org_membership.person_id IN",
                                          "org_membership.supervisor_id IN", "= ANY"))]
    assert whole == [], whole
    assert {log.nip: [r.day.day for r in log.rows] for log in export.people} == {STAF: BEFORE}  # as before
    # The reviewer outside her team is still named, as when everyone was read.
    approved = {r.approved_by for log in export.people for r in log.rows if r.day == nov(10)}
    assert approved == {"Budi Santoso"}, approved
    assert await rudi_days(db, KABID) == {"Seksi Timur": BEFORE + AFTER}  # the head's subtree: through Dewi, then his
