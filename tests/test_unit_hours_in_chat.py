"""The chat judges a day by the person's unit's day, not the default Monday–Friday 07.30–16.00: the report
deadline and lateness of /lapor, the deadline /status and a briefing show, and /tugaskan's working hours
follow the unit's schedule, inherited and overridden (Ramadan hours, a later Friday deadline); on a
weekend, a holiday or a closure nobody is expected to report, and a digest of such a day says libur."""

import datetime as dt

from bot.services import calendar_admin, digest_query, schedule_admin
from bot.services.briefing import send_briefing
from storage.day_tables import Report, Task
from tests.chat_harness import texts
from tests.test_conversation_roles import DEWI, RUDI, assign, chat, ids, table  # noqa: F401  (the fixture)
from tests.org_rows import STAF

WITA = dt.timezone(dt.timedelta(hours=8))  # Seksi Timur, where Rudi works
RAMADAN_FROM, RAMADAN_TO = dt.date(2026, 11, 23), dt.date(2026, 12, 20)


async def set_hours(db, clock, field: str, value: str, *, unit: str | None = None, ramadan: bool = False) -> None:
    async with db.uow() as uow:
        await schedule_admin.set_field(uow, unit=unit, field=field, value=value,
                                       valid_from=RAMADAN_FROM if ramadan else None,
                                       valid_to=RAMADAN_TO if ramadan else None, actor="test", now=clock.now())
        await uow.commit()


async def report_at(chat, clock, moment: dt.datetime) -> str:
    clock.current = moment
    await chat.photo(RUDI)
    await chat.text(RUDI, "/lapor")
    await chat.tap(RUDI, "r:next")
    await chat.text(RUDI, "Menyusun data SPBE bersama tim")
    return texts(await chat.tap(RUDI, "r:send"))


async def test_ramadan_hours_make_a_report_after_their_deadline_late_and_status_says_so(chat, db, clock):
    await set_hours(db, clock, "deadline", "15:00", ramadan=True)  # the whole office, for Ramadan
    clock.current = dt.datetime(2026, 11, 24, 14, 0, tzinfo=WITA)
    assert "15.00 WITA" in texts(await chat.text(RUDI, "/status"))
    await report_at(chat, clock, dt.datetime(2026, 11, 24, 15, 30, tzinfo=WITA))
    assert [r.late for r in await table(db, Report)] == [True]  # 16.00 would have made it on time


async def test_a_later_friday_deadline_of_the_section_keeps_a_report_at_16_15_on_time(chat, db, clock):
    await set_hours(db, clock, "deadline_by_weekday", "fri=16:30", unit="Seksi Timur")
    clock.current = dt.datetime(2026, 11, 27, 9, 0, tzinfo=WITA)  # a Friday
    rudi = (await ids(db))[STAF]
    out = await send_briefing(db.uow, clock=clock, person_id=rudi, day=clock.current.date(), default_language="id")
    assert "16.30 WITA" in texts(out)
    await report_at(chat, clock, dt.datetime(2026, 11, 27, 16, 15, tzinfo=WITA))
    assert [r.late for r in await table(db, Report)] == [False]
    await report_at(chat, clock, dt.datetime(2026, 11, 30, 16, 15, tzinfo=WITA))  # Monday: 16.00 again
    assert sorted(r.late for r in await table(db, Report)) == [False, True]


async def test_an_assignee_is_told_at_once_only_within_their_units_hours(chat, db, clock):
    await set_hours(db, clock, "apel", "09:00", unit="Seksi Timur")
    clock.current = dt.datetime(2026, 11, 24, 8, 30, tzinfo=WITA)  # after 07.30, before the section's apel
    _, done = await assign(chat, DEWI, (await ids(db))[STAF], "Rekap data SPBE")
    assert texts(done, RUDI) == ""  # the next briefing tells them
    assert "1 akan melihatnya di apel berikutnya" in texts(done, DEWI)
    assert [t.announced_at for t in await table(db, Task)] == [None]


async def test_the_next_workday_offered_for_a_task_skips_the_units_holidays(chat, db, clock):
    async with db.uow() as uow:
        await calendar_admin.add_entry(uow, day=dt.date(2026, 11, 25), kind="holiday", name="Pilkada", unit=None,
                                       actor="test", now=clock.now())
        await uow.commit()
    clock.current = dt.datetime(2026, 11, 24, 10, 0, tzinfo=WITA)  # Tuesday
    due, _ = await assign(chat, DEWI, (await ids(db))[STAF], "Rekap data SPBE")
    assert "Hari kerja berikutnya (Kamis, 26 November 2026)" in str(due)


async def test_on_a_weekend_or_holiday_status_says_so_and_expects_no_report(chat, db, clock):
    clock.current = dt.datetime(2026, 11, 29, 10, 0, tzinfo=WITA)  # a Sunday
    sunday = texts(await chat.text(RUDI, "/status"))
    assert "Libur" in sunday and "bukan hari kerja" in sunday and "belum dikirim" not in sunday
    assert "tidak perlu membuat laporan" in texts(await chat.text(RUDI, "/lapor"))
    clock.current = dt.datetime(2026, 12, 25, 10, 0, tzinfo=WITA)  # a Friday, national holiday
    assert "libur: Hari Raya Natal" in texts(await chat.text(RUDI, "/status"))
    async with db.uow() as uow:
        await calendar_admin.add_entry(uow, day=dt.date(2026, 12, 1), kind="office_closed", name="Banjir",
                                       unit="Seksi Timur", actor="test", now=clock.now())
        await calendar_admin.add_entry(uow, day=dt.date(2026, 12, 2), kind="all_wfh", name="Asap", unit=None,
                                       actor="test", now=clock.now())
        await uow.commit()
    clock.current = dt.datetime(2026, 12, 1, 10, 0, tzinfo=WITA)
    assert "Kantor ditutup hari ini: Banjir" in texts(await chat.text(RUDI, "/status"))
    clock.current = dt.datetime(2026, 12, 2, 10, 0, tzinfo=WITA)  # before any briefing: the directive's mode
    wfh = texts(await chat.text(RUDI, "/status"))
    assert "WFH" in wfh and "belum dikirim" in wfh


async def test_a_briefing_asked_for_on_a_sunday_says_libur_without_a_deadline(chat, db, clock):
    clock.current = dt.datetime(2026, 11, 29, 9, 0, tzinfo=WITA)
    out = await send_briefing(db.uow, clock=clock, person_id=(await ids(db))[STAF], day=clock.current.date(),
                              default_language="id")
    assert "Libur" in texts(out) and "Batas laporan" not in texts(out)


async def test_a_digest_of_a_weekend_lists_people_as_off_not_missing(chat, db, clock):
    async with db.uow() as uow:
        sunday = await digest_query.digests_for(uow, day=dt.date(2026, 11, 29), unit=None)
        monday = await digest_query.digests_for(uow, day=dt.date(2026, 11, 30), unit=None)
    assert {(x.mode.value, x.status) for d in sunday for x in d.lines} == {("libur", "excused")}
    assert {x.status for d in monday for x in d.lines} == {"missing"}


async def test_ramadan_hours_beat_the_sections_usual_friday_deadline(chat, db, clock):
    """Seksi Timur's usual Friday runs to 16.30; Ramadan's deadline of 15.00 for the whole office is the
    deadline of its Fridays too, unless the period sets a Friday of its own."""
    await set_hours(db, clock, "deadline_by_weekday", "fri=16:30", unit="Seksi Timur")
    await set_hours(db, clock, "deadline", "15:00", ramadan=True)
    clock.current = dt.datetime(2026, 11, 27, 9, 0, tzinfo=WITA)  # a Friday in Ramadan
    rudi = (await ids(db))[STAF]
    out = await send_briefing(db.uow, clock=clock, person_id=rudi, day=clock.current.date(), default_language="id")
    assert "15.00 WITA" in texts(out)
    await report_at(chat, clock, dt.datetime(2026, 11, 27, 15, 30, tzinfo=WITA))
    assert [r.late for r in await table(db, Report)] == [True]
    await set_hours(db, clock, "deadline_by_weekday", "fri=15:30", ramadan=True)
    clock.current = dt.datetime(2026, 12, 4, 9, 0, tzinfo=WITA)  # the next Ramadan Friday
    assert "15.30 WITA" in texts(await chat.text(RUDI, "/status"))
