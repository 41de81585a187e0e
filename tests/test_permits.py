"""Permissions with durations and leave over several days: asking, deciding, overlaps, expiry, and what an
approval changes (modes on workdays, excused flags, no briefing tasks or reminders)."""

import datetime as dt

import pytest

from bot.domain.flags import FlagKind, NewFlag
from bot.domain.leave_period import DayRangeError, parse_day_range, parse_duration
from bot.services.leave_decision import expire_requests
from bot.services.routine import Routine
from storage.day_tables import LeaveRequest, WorkDay
from storage.presence_tables import DayFlag
from tests.chat_harness import actions, texts
from tests.test_conversation_roles import DEWI, RUDI, SITI, chat, ids, table  # noqa: F401  (the fixture)
from tests.org_rows import STAF, small_office
from tests.test_org_import import run_import

UTC = dt.UTC
MONDAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize("typed, minutes", [
    ("45 menit", 45), ("1,5 jam", 90), ("1.5 jam", 90), ("1 jam 30 menit", 90), ("2h", 120), ("30 min", 30),
    ("  4 JAM ", 240), ("1 hour", 60),
])
def test_durations_are_read_as_typed(typed, minutes):
    assert parse_duration(typed) == dt.timedelta(minutes=minutes)


@pytest.mark.parametrize("typed", ["", "lama", "45", "5 jam", "0 menit", "2 menit", "1 jam lagi", "-1 jam", "1,5,5 jam"])
def test_bad_durations_are_not_understood(typed):
    assert parse_duration(typed) is None


def test_day_ranges_are_read_the_indonesian_way():
    assert parse_day_range("24/11", MONDAY).first == dt.date(2026, 11, 24)
    found = parse_day_range("24/11-26/11", MONDAY)
    assert (found.first, found.last, found.days) == (dt.date(2026, 11, 24), dt.date(2026, 11, 26), 3)
    across = parse_day_range("30/12 s/d 02/01", dt.date(2026, 12, 28))
    assert (across.first, across.last) == (dt.date(2026, 12, 30), dt.date(2027, 1, 2))
    for bad, code in (("minggu depan", "bad_days"), ("31/02", "bad_days"), ("20/11", "past_days"),
                      ("24/11-31/12", "too_many_days"), ("26/11-24/11/2026", "reversed_days"),
                      ("26/11-24/11", "reversed_days")):
        with pytest.raises(DayRangeError) as caught:
            parse_day_range(bad, MONDAY)
        assert caught.value.code == code


async def test_a_bad_duration_gets_a_polite_reply_and_nothing_is_stored(chat, db):
    await chat.text(RUDI, "/izin")
    asked = await chat.tap(RUDI, "lv:izin")
    assert "berapa lama" in texts(asked) and actions(asked) == ["lv:dur:30", "lv:dur:60", "lv:dur:120"]
    assert "tidak terbaca" in texts(await chat.text(RUDI, "sebentar saja"))
    assert "tidak terbaca" in texts(await chat.text(RUDI, "6 jam"))
    assert "tidak berlaku" in texts(await chat.tap(RUDI, "lv:dur:999"))  # a forged duration
    assert "tidak berlaku" in texts(await chat.tap(RUDI, "lv:days:2"))  # not the step it is at
    assert await table(db, LeaveRequest) == []
    assert "alasannya" in texts(await chat.text(RUDI, "45 menit"))  # still asking, so a good answer works


async def test_bad_days_get_a_polite_reply_and_nothing_is_stored(chat, db):
    await chat.tap(RUDI, "lv:cuti")
    assert "sudah lewat" in texts(await chat.text(RUDI, "20/11"))
    assert "terlalu panjang" in texts(await chat.text(RUDI, "24/11-31/12"))
    assert "tidak terbaca" in texts(await chat.text(RUDI, "minggu depan"))
    assert await table(db, LeaveRequest) == []


async def izin(chat, typed="45 menit", reason="Membeli obat di apotek"):
    await chat.tap(RUDI, "lv:izin")
    await chat.text(RUDI, typed)
    return await chat.text(RUDI, reason)


async def test_an_izin_is_a_window_from_now_and_its_approval_excuses_the_flags_inside(chat, db, clock):
    people = await ids(db)
    rudi = people[STAF]
    async with db.uow() as uow:  # a flag raised before the window
        await uow.flags.raise_many([NewFlag(rudi, MONDAY, FlagKind.AWAY_FROM_HOME, "before")], clock.now())
        await uow.commit()
    clock.advance(minutes=5)
    sent = await izin(chat)
    request = (await table(db, LeaveRequest))[0]
    assert (request.kind, request.day, request.end_day) == ("izin", MONDAY, None)
    assert (request.starts_at, request.ends_at) == (clock.now(), clock.now() + dt.timedelta(minutes=45))
    to_boss = texts(sent, DEWI)
    assert "mengajukan <b>Izin keluar sebentar</b>" in to_boss
    assert "Senin, 23 November 2026, 10.05–10.50 WITA" in to_boss and "Membeli obat" in to_boss
    async with db.uow() as uow:
        await uow.flags.raise_many([NewFlag(rudi, MONDAY, FlagKind.AWAY_FROM_HOME, "inside")],
                                   clock.now() + dt.timedelta(minutes=20))
        await uow.flags.raise_many([NewFlag(rudi, MONDAY, FlagKind.AWAY_FROM_HOME, "after")],
                                   clock.now() + dt.timedelta(minutes=50))
        await uow.commit()
    clock.advance(minutes=10)
    approve = next(a for a in actions(sent) if a.endswith(":y"))
    decided = await chat.tap(DEWI, approve)
    assert "disetujui atasan" in texts(decided, RUDI) and "10.05–10.50 WITA" in texts(decided, RUDI)
    excused = {f.ref: f.excused for f in await table(db, DayFlag)}
    assert excused == {"before": False, "inside": True, "after": False}
    assert [w for w in await table(db, WorkDay) if w.source == "leave"] == []  # an izin sets no mode
    async with db.uow() as uow:
        windows = await uow.leave.approved_windows([rudi], clock.now(), clock.now())
    assert windows == {rudi: [(request.starts_at, request.ends_at)]}


async def test_overlapping_requests_are_refused_politely(chat, db, clock):
    await izin(chat)
    clock.advance(minutes=10)
    await chat.tap(RUDI, "lv:izin")
    assert "menunggu keputusan" in texts(await chat.text(RUDI, "1 jam"))
    await chat.tap(RUDI, "lv:sakit")
    assert "menunggu keputusan" in texts(await chat.tap(RUDI, "lv:days:1"))  # the izin is today
    assert len(await table(db, LeaveRequest)) == 1
    clock.advance(hours=1)  # a later izin that does not overlap the first is fine
    await izin(chat, "30 menit", "Ke bank")
    assert len(await table(db, LeaveRequest)) == 2


async def test_a_refusal_is_told_and_changes_nothing(chat, db):
    sent = await izin(chat)
    await chat.tap(DEWI, next(a for a in actions(sent) if a.endswith(":n")))  # asks for the reason
    refused = await chat.text(DEWI, "Ada rapat")
    assert "tidak disetujui atasan" in texts(refused, RUDI)
    assert "ditolak" in texts(refused, DEWI)
    assert [r.status for r in await table(db, LeaveRequest)] == ["refused"]


async def test_only_the_chain_decides_and_forged_ids_change_nothing(chat, db):
    sent = await izin(chat)
    request_id = (await table(db, LeaveRequest))[0].id
    for tap in (f"lvd:{request_id}:y", f"lvd:{request_id + 7}:y", f"lvd:{request_id}:x", "lvd:abc:y"):
        assert "tidak berlaku" in texts(await chat.tap(SITI, tap))
    assert "tidak berlaku" in texts(await chat.tap(RUDI, next(a for a in actions(sent) if a.endswith(":y"))))
    assert [r.status for r in await table(db, LeaveRequest)] == ["pending"]


async def test_a_request_of_someone_transferred_out_is_still_decided_by_name(chat, db, clock):
    sent = await izin(chat)
    clock.advance(minutes=5)
    await run_import(db, clock, [r for r in small_office() if r["nip"] != STAF])  # Rudi moved to another office
    asked = await chat.tap(DEWI, next(a for a in actions(sent) if a.endswith(":n")))
    assert "penolakan untuk Rudi Hartono secara" in texts(asked, DEWI)
    decided = await chat.tap(DEWI, next(a for a in actions(sent) if a.endswith(":y")))
    assert "✅ Permintaan Rudi Hartono disetujui." in texts(decided, DEWI)
    assert [r.status for r in await table(db, LeaveRequest)] == ["approved"]


async def test_a_multi_day_cuti_sets_workdays_only_and_means_no_briefing_tasks_or_reminders(chat, db, clock):
    async with db.uow() as uow:  # a directive on one of the days must not overwrite the leave
        await uow.routine.add_calendar_entry(dt.date(2026, 11, 30), "all_wfh", "Banjir", None, clock.now())
        await uow.commit()
    await chat.tap(RUDI, "lv:cuti")
    asked = await chat.text(RUDI, "27/11-30/11")  # Friday to Monday
    # Four calendar days, two of them leave: the weekend is not counted against the cuti.
    assert "Jumat, 27 November 2026 s.d. Senin, 30 November 2026 (2 hari kerja)" in texts(asked)
    sent = await chat.text(RUDI, "Acara keluarga di kampung")
    assert "(2 hari kerja)" in texts(sent, DEWI)
    await chat.tap(DEWI, next(a for a in actions(sent) if a.endswith(":y")))
    days = {w.day: (w.mode, w.source) for w in await table(db, WorkDay)}
    assert days == {dt.date(2026, 11, 27): ("cuti", "leave"), dt.date(2026, 11, 30): ("cuti", "leave")}
    routine = Routine(db.uow, clock=clock, default_language="id")
    for moment in (dt.datetime(2026, 11, 27, 0, 0, tzinfo=UTC), dt.datetime(2026, 11, 30, 0, 0, tzinfo=UTC)):
        clock.current = moment  # 08.00 WITA: apel has passed
        briefings = await routine.briefings(clock.now())
        assert texts(briefings, RUDI) == "" and texts(briefings, DEWI) != ""
        clock.current = moment + dt.timedelta(hours=7)  # 15.00 WITA: the last reminder
        assert texts(await routine.reminders(clock.now()), RUDI) == ""
    days = {w.day: w.mode for w in await table(db, WorkDay) if w.person_id == (await ids(db))[STAF]}
    assert days[dt.date(2026, 11, 30)] == "cuti"


async def test_the_day_buttons_count_workdays_from_today(chat, db, clock):
    clock.current = dt.datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # Friday
    await chat.tap(RUDI, "lv:dl")
    asked = await chat.tap(RUDI, "lv:days:2")
    assert "Jumat, 27 November 2026 s.d. Senin, 30 November 2026 (2 hari kerja)" in texts(asked)


@pytest.mark.parametrize("typed", ["2 hari", "  2 HARI "])
async def test_typing_a_day_buttons_label_counts_as_tapping_it(chat, clock, typed):
    # On WhatsApp people often type what a reply button says instead of tapping it.
    clock.current = dt.datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # Friday
    await chat.tap(RUDI, "lv:dl")
    asked = await chat.text(RUDI, typed)
    assert "Jumat, 27 November 2026 s.d. Senin, 30 November 2026 (2 hari kerja)" in texts(asked)


async def test_a_range_of_only_weekend_days_says_it_holds_no_workday(chat):
    await chat.tap(RUDI, "lv:cuti")
    asked = await chat.text(RUDI, "28/11-29/11")  # Saturday and Sunday
    assert "Sabtu, 28 November 2026 s.d. Minggu, 29 November 2026 (tidak ada hari kerja)" in texts(asked)


async def test_a_request_nobody_decided_expires_once_and_the_person_is_told(chat, db, clock):
    sent = await izin(chat)
    assert await expire_requests(db.uow, clock.now(), "id") == []  # still in its window
    clock.advance(minutes=46)
    told = await expire_requests(db.uow, clock.now(), "id")
    assert "tidak berlaku lagi" in texts(told, RUDI)
    assert await expire_requests(db.uow, clock.now(), "id") == []
    late = await chat.tap(DEWI, next(a for a in actions(sent) if a.endswith(":y")))
    assert "sudah diputuskan" in texts(late, DEWI)
    assert [r.status for r in await table(db, LeaveRequest)] == ["expired"]


async def test_sick_leave_approved_the_next_morning_still_counts_for_the_day(chat, db, clock):
    # Asked at 10.00 on Monday; the section head only sees it on Tuesday morning. The person cannot ask
    # for a past day, so a too-late rule here would leave the sick day as "Tidak melapor".
    await chat.tap(RUDI, "lv:sakit")
    await chat.tap(RUDI, "lv:days:1")
    sent = await chat.text(RUDI, "Demam")
    clock.current = dt.datetime(2026, 11, 24, 0, 10, tzinfo=UTC)  # Tuesday 08.10 WITA
    assert await expire_requests(db.uow, clock.now(), "id") == []
    late = await chat.tap(DEWI, next(a for a in actions(sent) if a.endswith(":y")))
    assert "disetujui atasan" in texts(late, RUDI) and "Senin, 23 November 2026" in texts(late, RUDI)
    days = {w.day: (w.mode, w.source) for w in await table(db, WorkDay) if w.source == "leave"}
    assert days == {MONDAY: ("sakit", "leave")}


async def test_a_leave_decision_a_week_after_its_last_day_is_too_late(chat, db, clock):
    await chat.tap(RUDI, "lv:sakit")
    await chat.tap(RUDI, "lv:days:1")
    sent = await chat.text(RUDI, "Demam")
    clock.current = dt.datetime(2026, 11, 30, 15, 59, tzinfo=UTC)  # Monday 30th 23.59 WITA: still open
    assert await expire_requests(db.uow, clock.now(), "id") == []
    clock.current = dt.datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # Tuesday 1 December 00.00 WITA
    late = await chat.tap(DEWI, next(a for a in actions(sent) if a.endswith(":y")))
    assert "sudah lewat" in texts(late, DEWI) and "tidak berlaku lagi" in texts(late, RUDI)
    assert all(w.source != "leave" for w in await table(db, WorkDay))


@pytest.mark.parametrize("typed, first, last", [
    ("besok", (11, 24), (11, 24)), ("Besok", (11, 24), (11, 24)), ("lusa", (11, 25), (11, 25)),
    ("tomorrow", (11, 24), (11, 24)), ("24 nov", (11, 24), (11, 24)), ("24-26 nov", (11, 24), (11, 26)),
    ("24 November s.d. 26 November", (11, 24), (11, 26)), ("30 nov - 2 des", (11, 30), (12, 2)),
    ("24 Nopember 2026", (11, 24), (11, 24)), ("1-3 desember", (12, 1), (12, 3)), ("1 dec", (12, 1), (12, 1)),
    # the month first, as English writes it
    ("Nov 24", (11, 24), (11, 24)), ("November 24, 2026", (11, 24), (11, 24)), ("Dec 1st", (12, 1), (12, 1)),
    ("Nov 30 - Dec 2", (11, 30), (12, 2)), ("nov 24 to nov 26", (11, 24), (11, 26)),
])
def test_days_are_read_by_word_and_month_name(typed, first, last):
    found = parse_day_range(typed, MONDAY)
    assert (found.first, found.last) == (dt.date(2026, *first), dt.date(2026, *last))


@pytest.mark.parametrize("typed", ["24 foo", "24-26", "besok lusa", "31 nov"])
def test_unknown_words_and_days_are_still_not_understood(typed):
    with pytest.raises(DayRangeError):
        parse_day_range(typed, MONDAY)


def test_29_february_without_a_year_is_the_next_leap_years():
    # Typed in December 2027 for the coming February: 2027 has no 29 February, 2028 has. It used to be
    # "not understood", since the parser tried the current year only.
    december = dt.date(2027, 12, 10)
    for typed in ("29/2", "29 feb", "29 Februari"):
        found = parse_day_range(typed, december)
        assert (found.first, found.last) == (dt.date(2028, 2, 29), dt.date(2028, 2, 29)), typed
    assert parse_day_range("28/2-1/3", dt.date(2028, 1, 5)).days == 3  # 28, 29 February and 1 March
    with pytest.raises(DayRangeError):
        parse_day_range("30/2", december)
