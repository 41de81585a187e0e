"""The roster writes a period's work days in a few statements, whatever the size of the office: written one
day and person at a time (three statements each) it took minutes for a few thousand people and an hour for
a province, inside one transaction, with nothing on the screen."""

import datetime as dt

from bot.services.roster_admin import generate_roster
from tests.org_rows import flat_office_nip
from tests.sql_statements import recorded_statements
from tests.test_org_import import run_import

HEAD = "197001012000031001"
MONDAY, FRIDAY = dt.date(2026, 11, 23), dt.date(2026, 11, 27)


def office(people: int) -> list[dict[str, str]]:
    rows = [{"nip": HEAD, "name": "Kepala Dinas", "position": "Kepala", "unit": "Dinas", "supervisor_nip": ""}]
    rows += [{"nip": flat_office_nip(i), "name": f"Pegawai {i}", "position": "Pelaksana",
              "unit": f"Bidang {i % 3 + 1}", "supervisor_nip": HEAD} for i in range(1, people)]
    return rows


async def test_a_week_of_an_office_is_written_in_a_few_statements_and_keeps_leave(db, clock):
    clock.current = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
    await run_import(db, clock, office(300))
    async with db.uow() as uow:
        ids = {p.nip: p.id for p in await uow.org.list_people(None, include_inactive=False)}
        on_leave = ids[flat_office_nip(7)]
        await uow.day.set_mode(on_leave, MONDAY, "cuti", "leave", "Cuti tahunan")
        await uow.commit()

    for _ in range(2):  # made again, the same week is rewritten in place
        with recorded_statements(db.engine) as statements:
            async with db.uow() as uow:
                report = await generate_roster(uow, start=MONDAY, end=FRIDAY, unit=None, actor="test",
                                               now=clock.current)
                await uow.commit()
        writes = [s for s in statements if s.split()[0].upper() in ("INSERT", "UPDATE")]
        assert report.written == 300 * 5 - 1
        assert len(writes) <= 5, len(writes)  # 1,499 days: two INSERTs of 1,000 rows and the audit entry

    async with db.uow() as uow:
        days = await uow.day.work_days_between(list(ids.values()), MONDAY, FRIDAY)
    by_key = {(w.person_id, w.day): w for w in days}
    assert len(by_key) == 300 * 5
    assert (by_key[on_leave, MONDAY].mode, by_key[on_leave, MONDAY].source) == ("cuti", "leave")
    assert {w.source for k, w in by_key.items() if k != (on_leave, MONDAY)} == {"roster"}
    assert {w.mode for w in days} >= {"wfh", "wfo", "piket"}


async def test_planning_never_overwrites_leave_an_override_or_a_briefed_day(db, clock):
    # The roster reads what to keep, then writes: a leave approved in between must survive the write too.
    clock.current = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
    await run_import(db, clock, office(4))
    async with db.uow() as uow:
        a, b, c, d = sorted(p.id for p in await uow.org.list_people(None, include_inactive=False))
        await uow.day.set_mode(a, MONDAY, "cuti", "leave", "Cuti tahunan")
        await uow.day.set_mode(b, MONDAY, "wfo", "override", "Rapat")
        await uow.day.ensure_work_day(c, MONDAY, "wfo")
        await uow.day.mark_briefed(c, MONDAY, clock.current)
        await uow.day.set_mode(d, MONDAY, "wfo", "roster", "rotation")
        await uow.day.plan_modes([(p, MONDAY, "wfh", "rotation") for p in (a, b, c, d)], "roster")
        days = {w.person_id: (w.mode, w.source) for w in await uow.day.work_days_between([a, b, c, d], MONDAY, MONDAY)}
    assert days == {a: ("cuti", "leave"), b: ("wfo", "override"), c: ("wfo", "default"), d: ("wfh", "roster")}


async def test_the_roster_tells_its_progress_unit_by_unit(db, clock):
    # A province's roster takes minutes: the CLI shows a bar fed with the units planned so far.
    clock.current = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
    await run_import(db, clock, office(30))  # Dinas and its three Bidang
    calls = []
    async with db.uow() as uow:
        report = await generate_roster(uow, start=MONDAY, end=FRIDAY, unit=None, actor="test", now=clock.current,
                                       progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert report.written == 30 * 5


async def test_one_persons_day_reads_that_person_not_the_whole_office(db, clock):
    # `apel roster set` read every person of the office (with their supervisors) to find one NIP: seconds
    # for a province, for one day of one person, with nothing on the screen.
    from bot.services.roster_admin import override_day

    clock.current = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
    await run_import(db, clock, office(30))
    with recorded_statements(db.engine) as statements:
        async with db.uow() as uow:
            await override_day(uow, nip=flat_office_nip(7), day=MONDAY, mode="wfh", reason="", actor="test",
                               now=clock.current)
            await uow.commit()
    people = [s for s in statements if s.upper().startswith("SELECT") and " FROM PERSON" in s.upper()]
    assert people and all(" WHERE " in s.upper() for s in people), people
    async with db.uow() as uow:
        person = await uow.org.holder_of_nip(flat_office_nip(7))
        days = await uow.day.work_days_between([person[0]], MONDAY, MONDAY)
    assert [(w.mode, w.source) for w in days] == [("wfh", "override")]
