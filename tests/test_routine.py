"""The routine's clock with an injected clock: briefings at each unit's own 07:30, holidays, restarts,
idempotent ticks, the latest reminder only, and one scheduler among several."""

import asyncio
import datetime as dt

import pytest

from bot.domain.org_terms import Channel
from bot.domain.work_calendar import national_holidays
from bot.services import schedule_admin
from bot.services.routine import Routine
from schedules.clock_runner import RoutineClock
from storage.unit_of_work import Database
from tests.test_org_import import run_import

UTC = dt.UTC
# One boss in WIB and a staff member in each zone; all report to the boss.
BOSS = "197001012000031001"
WIB, WITA, WIT = "198001012005011002", "198502022010012003", "199003032015031004"


def office():
    row = lambda nip, name, unit, tz, boss: {  # noqa: E731
        "nip": nip, "name": name, "position": "Staf", "unit": unit, "supervisor_nip": boss, "timezone": tz}
    return [
        row(BOSS, "Kepala", "Dinas", "Asia/Jakarta", ""),
        row(WIB, "Wibi", "Seksi Barat", "Asia/Jakarta", BOSS),
        row(WITA, "Wita", "Seksi Tengah", "Asia/Makassar", BOSS),
        row(WIT, "Witi", "Seksi Timur", "Asia/Jayapura", BOSS),
    ]


@pytest.fixture
async def routine(db, clock):
    clock.current = dt.datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    await run_import(db, clock, office())
    async with db.uow() as uow:
        for p in await uow.org.list_people(None, include_inactive=False):
            await uow.accounts.link(p.id, Channel.TELEGRAM, p.nip, clock.now())
        await uow.commit()
    return Routine(db.uow, clock=clock, default_language="id")


def briefed(out):
    return sorted(o.external_id for o in out if "Apel pagi" in o.reply.text)


def reminded(out):
    return sorted(o.external_id for o in out if "Pengingat" in o.reply.text)


async def test_each_unit_is_briefed_at_its_own_0730(routine, clock):
    moments = [
        (dt.datetime(2026, 11, 22, 22, 29, tzinfo=UTC), []),  # 07:29 WIT
        (dt.datetime(2026, 11, 22, 22, 30, tzinfo=UTC), [WIT]),  # 07:30 WIT
        (dt.datetime(2026, 11, 22, 23, 30, tzinfo=UTC), [WITA]),  # 07:30 WITA
        (dt.datetime(2026, 11, 23, 0, 30, tzinfo=UTC), [BOSS, WIB]),  # 07:30 WIB
    ]
    for moment, expected in moments:
        clock.current = moment
        assert briefed(await routine.tick()) == sorted(expected), moment


async def test_running_every_tick_twice_sends_nothing_twice(routine, clock):
    clock.current = dt.datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
    first = await routine.tick()
    assert briefed(first) == sorted([BOSS, WIB, WITA, WIT])
    assert await routine.tick() == []
    clock.current = dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 15:00 WIB: the 60-minute reminder
    assert reminded(await routine.tick()) == sorted([BOSS, WIB])
    assert await routine.tick() == []


async def test_a_restart_at_0740_still_sends_the_0730_briefing_once(routine, clock):
    clock.current = dt.datetime(2026, 11, 23, 0, 40, tzinfo=UTC)  # the process was down at 07:30 WIB
    assert WIB in briefed(await routine.tick())
    clock.advance(minutes=1)
    assert WIB not in briefed(await routine.tick())


async def test_no_briefing_after_the_deadline(routine, clock):
    clock.current = dt.datetime(2026, 11, 23, 9, 1, tzinfo=UTC)  # 16:01 WIB, 17:01 WITA, 18:01 WIT
    assert briefed(await routine.tick()) == []


async def test_christmas_and_cuti_bersama_send_nothing(routine, clock):
    cuti = next(e.day for e in national_holidays(2026) if "Cuti Bersama" in e.name and e.day.weekday() < 5)
    for day in (dt.date(2026, 12, 25), cuti):
        for hour in range(0, 24):
            clock.current = dt.datetime.combine(day, dt.time(hour), tzinfo=UTC) - dt.timedelta(hours=9)
            assert await routine.tick() == [], (day, hour)


async def test_after_downtime_only_the_latest_reminder_is_sent(routine, clock):
    clock.current = dt.datetime(2026, 11, 23, 8, 50, tzinfo=UTC)  # 15:50 WIB: both the 60 and 15 are due
    out = await routine.reminders(clock.now())
    assert reminded(out) == sorted([BOSS, WIB])
    assert len(out) == 2  # one each, not two
    clock.advance(minutes=5)
    assert await routine.reminders(clock.now()) == []


async def test_a_submitted_report_or_leave_means_no_reminder(routine, clock, db):
    clock.current = dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    async with db.uow() as uow:
        people = {p.nip: p.id for p in await uow.org.list_people(None, include_inactive=False)}
        await uow.day.save_report(people[WIB], dt.date(2026, 11, 23), status="submitted", summary="ok",
                                  task_lines=[], evidence_count=0, late=False, submitted_at=clock.now(), at=clock.now())
        await uow.day.set_mode(people[BOSS], dt.date(2026, 11, 23), "cuti", "leave", "cuti tahunan")
        await uow.commit()
    assert reminded(await routine.reminders(clock.now())) == []


async def test_a_weekend_and_an_all_wfh_directive(routine, clock, db):
    clock.current = dt.datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # Saturday
    assert await routine.tick() == []
    async with db.uow() as uow:
        await uow.routine.add_calendar_entry(dt.date(2026, 11, 30), "all_wfh", "Banjir", None, clock.now())
        await uow.commit()
    clock.current = dt.datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB
    out = await routine.briefings(clock.now())
    assert all("WFH (bekerja dari rumah)" in o.reply.text for o in out) and len(out) == 4


async def test_only_the_lease_holder_ticks_and_another_takes_over_when_it_dies(routine, clock, db):
    sent: list = []

    async def deliver(out):
        sent.extend(out)

    first = RoutineClock(routine, db.uow, clock, deliver, holder="a", lease_ttl_s=180)
    second = RoutineClock(routine, db.uow, clock, deliver, holder="b", lease_ttl_s=180)
    clock.current = dt.datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
    assert await first.tick() is True
    assert await second.tick() is False
    assert len(briefed(sent)) == 4
    clock.advance(minutes=1)
    assert await first.tick() is True  # renews
    clock.advance(minutes=4)  # "a" died: no renewal for longer than the lease
    assert await second.tick() is True
    assert await first.tick() is False
    assert len(briefed(sent)) == 4  # nothing twice across the takeover



async def test_the_log_says_which_scheduler_holds_the_lease_when_that_changes(routine, clock, db, caplog):
    async def deliver(out):
        pass

    first = RoutineClock(routine, db.uow, clock, deliver, holder="host-a:1")
    second = RoutineClock(routine, db.uow, clock, deliver, holder="host-b:2")
    clock.current = dt.datetime(2026, 11, 22, 0, 30, tzinfo=UTC)  # a Sunday: nothing due
    with caplog.at_level("INFO", logger="schedules.clock_runner"):
        await first.tick()
        await first.tick()  # no change: no line
        await second.tick()
    lines = [r.getMessage() for r in caplog.records if r.name == "schedules.clock_runner"]
    assert lines == ["the routine's clock: this process (host-a:1) holds the lease and ticks",
                     "the routine's clock: this process (host-b:2) stands by: another process holds the lease"]


async def test_the_log_says_when_a_scheduler_stops_and_gives_up_the_lease(routine, clock, db, caplog):
    async def deliver(out):
        pass

    holder = RoutineClock(routine, db.uow, clock, deliver, holder="host-a:1")
    standby = RoutineClock(routine, db.uow, clock, deliver, holder="host-b:2")
    clock.current = dt.datetime(2026, 11, 22, 0, 30, tzinfo=UTC)  # a Sunday: nothing due
    await holder.tick()
    await standby.tick()
    with caplog.at_level("INFO", logger="schedules.clock_runner"):
        await standby.stop()
        await holder.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "schedules.clock_runner"]
    assert lines == ["the routine's clock: this process (host-b:2) stops",
                     "the routine's clock: this process (host-a:1) stops and releases the lease"]


async def test_stopping_the_clock_lets_a_tick_in_progress_finish(routine, clock, db, caplog):
    import asyncio

    started, release, finished = asyncio.Event(), asyncio.Event(), []

    class SlowRoutine:
        async def tick(self):
            started.set()
            await release.wait()
            finished.append(True)
            return []

    async def deliver(out):
        pass

    runner = RoutineClock(SlowRoutine(), db.uow, clock, deliver, holder="stopping")
    runner.start()
    await asyncio.wait_for(started.wait(), 10)
    stopping = asyncio.create_task(runner.stop())
    await asyncio.sleep(0.2)
    assert not stopping.done()  # it waits for the tick instead of leaving it to be cancelled
    release.set()
    await asyncio.wait_for(stopping, 10)
    assert finished == [True]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # APScheduler logged the cancelled job


async def test_two_schedulers_on_separate_connections_fire_each_tick_once(routine, clock, db_target):
    url, schema = db_target
    engines = [Database(url, schema=schema), Database(url, schema=schema)]
    sent: list = []

    async def deliver(out):
        sent.extend(out)

    try:
        clocks = [
            RoutineClock(Routine(e.uow, clock=clock, default_language="id"), e.uow, clock, deliver, holder=f"p{i}")
            for i, e in enumerate(engines)
        ]
        clock.current = dt.datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
        for _ in range(5):
            results = await asyncio.gather(*(c.tick() for c in clocks))
            assert sorted(results) == [False, True]
            clock.advance(minutes=1)
        assert len(briefed(sent)) == 4
    finally:
        for e in engines:
            await e.dispose()


async def test_two_scheduler_processes_fire_each_tick_once(routine, db_target):
    """Real processes against the same database: one holds the lease and ticks, the other waits."""
    import json
    import sys

    url, schema = db_target
    at = "2026-11-23T00:30:00+00:00"  # 07:30 WIB: everyone's briefing is due
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.scheduler_process", url, schema or "", f"proc-{i}", "15", at,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        for i in range(2)
    ]
    results = []
    for proc in procs:
        out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    assert sorted(r["ticks"] for r in results) == [0, 15]  # the holder ticked every time, the other never
    assert sum(r["briefings"] for r in results) == 4  # everyone once, across both processes


def escalated(out):
    return [o.reply.text for o in out if "belum melapor sampai batas waktu" in o.reply.text]


def digests_of(out):
    return [o for o in out if "Rekap tim" in o.reply.text]


async def test_missing_reports_escalate_per_zone_and_the_digest_comes_at_its_time(routine, clock, db):
    clock.current = dt.datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
    await routine.tick()  # the morning: briefings
    clock.current = dt.datetime(2026, 11, 23, 7, 30, tzinfo=UTC)  # 16:30 WIT: WIT's deadline + 30 min
    first = await routine.tick()
    assert escalated(first) == ["⚠️ 1 orang belum melapor sampai batas waktu:\n• Witi"]
    assert digests_of(first) == []
    async with db.uow() as uow:
        people = {p.nip: p.id for p in await uow.org.list_people(None, include_inactive=False)}
        await uow.day.save_report(people[WIB], dt.date(2026, 11, 23), status="submitted", summary="ok",
                                  task_lines=[], evidence_count=0, late=True, submitted_at=clock.now(), at=clock.now())
        await uow.commit()
    clock.current = dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # 16:30 WIB: the boss's digest time
    later = await routine.tick()
    assert escalated(later) == ["⚠️ 1 orang belum melapor sampai batas waktu:\n• Wita"]
    (digest,) = digests_of(later)
    assert digest.external_id == BOSS
    assert "Wibi: ⏰ WFO, terlambat (14.30 WIB)" in digest.reply.text
    assert "Witi: ❌ WFO, belum lapor" in digest.reply.text
    assert "Total 3 orang: 0 tepat waktu, 1 terlambat, 2 belum lapor, 0 berhalangan." in digest.reply.text
    assert await routine.tick() == []


async def test_rekap_on_demand_and_as_a_step(routine, clock):
    clock.current = dt.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    out = await routine.digests(clock.now(), force=True)
    assert [o.external_id for o in digests_of(out)] == [BOSS]
    assert await routine.digests(clock.now(), force=True) == []


async def test_the_digest_shows_people_on_their_units_local_day_off_as_libur_not_missing(routine, clock, db):
    """The boss works (WIB) while Seksi Timur (WIT) has a local day off: Witi was never briefed or reminded,
    and the boss's digest, as `/rekap` does, says libur instead of counting Witi missing."""
    async with db.uow() as uow:
        await uow.routine.add_calendar_entry(dt.date(2026, 11, 23), "holiday", "HUT Kota Jayapura",
                                             (await uow.org.stored_units())["Seksi Timur"].id, clock.now())
        await uow.commit()
    clock.current = dt.datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
    assert WIT not in briefed(await routine.tick())
    clock.current = dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # 16:30 WIB: the boss's digest time
    (digest,) = digests_of(await routine.tick())
    assert "Witi: 🏖️ Libur" in digest.reply.text
    assert "2 belum lapor, 1 berhalangan." in digest.reply.text
    clock.current = dt.datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 18:00 WIB: the boss has no superior
    assert await routine.tick() == []


async def set_office_hours(db, clock, field, value):
    async with db.uow() as uow:
        await schedule_admin.set_field(uow, unit="Dinas", field=field, value=value, valid_from=None, valid_to=None,
                                       actor="test", now=clock.now())
        await uow.commit()


def digests_sent(out):
    return [(o.external_id, o.reply.text.splitlines()[0]) for o in out if "Rekap tim" in o.reply.text]


async def test_a_deadline_at_2330_has_its_digest_at_the_deadline_not_at_1630(routine, clock, db):
    await set_office_hours(db, clock, "deadline", "23:30")
    clock.current = dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # 16.30 WIB: the usual digest time
    assert digests_sent(await routine.digests(clock.now())) == []  # it listed everyone as missing, 7 h early
    clock.current = dt.datetime(2026, 11, 23, 16, 30, tzinfo=UTC)  # 23.30 WIB, the deadline
    assert digests_sent(await routine.tick()) == [(BOSS, "📋 <b>Rekap tim — Senin, 23 November 2026</b>")]


async def test_a_friday_deadline_after_the_first_digest_time_moves_the_digests_later(routine, clock, db):
    await set_office_hours(db, clock, "deadline_by_weekday", "fri=17:00")
    clock.current = dt.datetime(2026, 11, 27, 9, 30, tzinfo=UTC)  # Friday 16.30 WIB, half an hour before it
    assert digests_sent(await routine.tick()) == []
    clock.current = dt.datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # 17.00 WIB
    assert [to for to, _ in digests_sent(await routine.tick())] == [BOSS]


def escalations_to(out):
    return sorted((o.external_id, o.reply.text) for o in out if "belum melapor sampai batas waktu" in o.reply.text)


async def test_a_deadline_at_2330_still_has_its_escalation_after_midnight(routine, clock, db):
    await set_office_hours(db, clock, "deadline", "23:30")
    clock.current = dt.datetime(2026, 11, 23, 16, 30, tzinfo=UTC)  # 23.30 WIB; 00.30 WITA and 01.30 WIT, Tuesday
    (escalation,) = escalations_to(await routine.tick())  # Monday's, of the zones whose midnight has passed
    assert escalation[0] == BOSS and "Wita" in escalation[1] and "Witi" in escalation[1]
    clock.current = dt.datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 00.00 WIB on Tuesday: deadline + 30 min
    (escalation,) = escalations_to(await routine.tick())  # it was lost once the date had turned
    assert escalation[0] == BOSS and "Wibi" in escalation[1] and "Wita" not in escalation[1]
    assert await routine.tick() == []
    clock.current = dt.datetime(2026, 11, 24, 0, 30, tzinfo=UTC)  # Tuesday's apel: nothing more of Monday's
    assert escalations_to(await routine.tick()) == []


async def test_yesterdays_evening_missed_in_downtime_is_not_sent_the_next_morning(routine, clock):
    clock.current = dt.datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 07.00 WIB Tuesday; down all Monday evening
    out = await routine.tick()
    assert digests_sent(out) == [] and escalations_to(out) == []


async def holiday_of(db, clock, day: dt.date, *units: str) -> None:
    """A local holiday of each unit; the sections are first made units of the city's own, beside the Dinas
    (a UPTD's place), so that a holiday of the Dinas is not theirs."""
    beside = [dict(r, unit_parent="Pemerintah Kota") for r in office()]
    assert (await run_import(db, clock, beside)).ok
    async with db.uow() as uow:
        stored = await uow.org.stored_units()
        for unit in units:
            await uow.routine.add_calendar_entry(day, "holiday", "Hari jadi", stored[unit].id, clock.now())
        await uow.commit()


async def test_a_local_holiday_of_the_bosss_own_unit_still_brings_the_digest_of_a_team_that_worked(routine, clock, db):
    """Dinas (the boss's unit, WIB) has a local holiday; the three sections (other units, other calendars) work.
    The boss's digest was skipped for the day: nobody ever saw that Wibi was late or that Wita did not report.
    It now comes at the boss's own digest time, 16.30 WIB (DESIGN: a supervisor's day off)."""
    await holiday_of(db, clock, dt.date(2026, 11, 23), "Dinas")
    clock.current = dt.datetime(2026, 11, 23, 9, 29, tzinfo=UTC)
    assert digests_of(await routine.tick()) == []
    clock.current = dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # 16.30 WIB
    (digest,) = digests_of(await routine.tick())
    assert digest.external_id == BOSS
    assert "Wibi: ❌ WFO, belum lapor" in digest.reply.text and "Witi: ❌ WFO, belum lapor" in digest.reply.text
    assert "Total 3 orang: 0 tepat waktu, 0 terlambat, 3 belum lapor, 0 berhalangan." in digest.reply.text
    assert await routine.tick() == []


async def test_one_section_at_work_is_enough_and_a_day_the_whole_team_is_off_brings_no_digest(routine, clock, db):
    await holiday_of(db, clock, dt.date(2026, 11, 23), "Dinas", "Seksi Barat", "Seksi Tengah")
    await holiday_of(db, clock, dt.date(2026, 11, 24), "Dinas", "Seksi Barat", "Seksi Tengah", "Seksi Timur")
    clock.current = dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    (digest,) = digests_of(await routine.tick())
    assert "Witi: ❌ WFO, belum lapor" in digest.reply.text and "Wibi: 🏖️ Libur" in digest.reply.text
    clock.current = dt.datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    assert digests_of(await routine.tick()) == []
