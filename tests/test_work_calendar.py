"""The work calendar: national holidays and cuti bersama from `holidays`, unit-scoped entries, directives."""

import datetime as dt

import pytest

from bot.domain.work_calendar import (
    ALL_WFH,
    ALL_WFO,
    HOLIDAY,
    OFFICE_CLOSED,
    CalendarEntry,
    WorkCalendar,
    national_holidays,
)
from bot.domain.workday import Mode

D = dt.date
# A section inside a division inside an office, nearest first, as callers pass the chain.
SECTION = ("Seksi Jaringan", "Bidang TIK", "Dinas Kominfo")
DIVISION = ("Bidang TIK", "Dinas Kominfo")
OTHER = ("Sekretariat", "Dinas Kominfo")


def test_christmas_2026_is_a_national_holiday():
    kind = WorkCalendar().day_kind(D(2026, 12, 25), SECTION)
    assert (kind.workday, kind.status, kind.reason) == (False, "holiday", "Hari Raya Natal")


def test_cuti_bersama_2026_is_not_a_workday():
    calendar = WorkCalendar()
    christmas_eve = calendar.day_kind(D(2026, 12, 24))  # a Thursday: cuti bersama Natal
    assert (christmas_eve.workday, christmas_eve.reason) == (False, "Cuti Bersama Hari Raya Natal")
    # Idul Fitri 1447 H: 21–22 March are the holidays, 20, 23 and 24 March cuti bersama.
    for day in (D(2026, 3, 20), D(2026, 3, 23), D(2026, 3, 24)):
        assert calendar.day_kind(day).reason == "Cuti Bersama Hari Raya Idul Fitri"
        assert not calendar.is_workday(day)


def test_national_list_of_2026_has_public_holidays_and_cuti_bersama():
    listed = {(e.day, e.name) for e in national_holidays(2026)}
    assert (D(2026, 8, 17), "Hari Kemerdekaan Republik Indonesia") in listed
    assert (D(2026, 12, 24), "Cuti Bersama Hari Raya Natal") in listed
    assert all(e.kind == HOLIDAY and e.scope is None for e in national_holidays(2026))
    assert [e.day for e in national_holidays(2026)] == sorted(e.day for e in national_holidays(2026))
    assert WorkCalendar(national=False).national_holidays(2026) == []


def test_weekend_and_ordinary_monday():
    calendar = WorkCalendar()
    saturday = calendar.day_kind(D(2026, 11, 21))
    assert (saturday.workday, saturday.status, saturday.reason) == (False, "weekend", None)
    monday = calendar.day_kind(D(2026, 11, 23), SECTION)
    assert (monday.workday, monday.status, monday.mode, monday.reason) == (True, "workday", None, None)


def test_without_national_calendar_christmas_is_a_workday():
    assert WorkCalendar(national=False).is_workday(D(2026, 12, 25))


def test_six_day_week():
    assert WorkCalendar(workdays=frozenset(range(6))).is_workday(D(2026, 11, 21))
    with pytest.raises(ValueError):
        WorkCalendar(workdays=frozenset())


def test_unit_holiday_applies_to_the_unit_and_below_only():
    anniversary = CalendarEntry(D(2026, 11, 24), HOLIDAY, "HUT Bidang TIK", "Bidang TIK")
    calendar = WorkCalendar([anniversary])
    assert calendar.day_kind(D(2026, 11, 24), SECTION).reason == "HUT Bidang TIK"
    assert not calendar.is_workday(D(2026, 11, 24), DIVISION)
    assert calendar.is_workday(D(2026, 11, 24), OTHER)
    assert calendar.is_workday(D(2026, 11, 24), ("Dinas Kominfo",))
    assert calendar.is_workday(D(2026, 11, 24))  # no chain: only entries for everyone apply


def test_all_wfh_directive_forces_wfh():
    flood = CalendarEntry(D(2026, 11, 25), ALL_WFH, "Banjir: semua WFH", None)
    kind = WorkCalendar([flood]).day_kind(D(2026, 11, 25), SECTION)
    assert (kind.workday, kind.mode, kind.reason) == (True, Mode.WFH, "Banjir: semua WFH")


def test_nearest_directive_wins_and_wfh_wins_at_the_same_scope():
    day = D(2026, 11, 25)
    entries = [
        CalendarEntry(day, ALL_WFH, "WFH kantor", "Dinas Kominfo"),
        CalendarEntry(day, ALL_WFO, "Audit: semua WFO", "Bidang TIK"),
    ]
    calendar = WorkCalendar(entries)
    assert calendar.day_kind(day, SECTION).mode == Mode.WFO
    assert calendar.day_kind(day, OTHER).mode == Mode.WFH
    same_scope = WorkCalendar([CalendarEntry(day, ALL_WFO, "a", None), CalendarEntry(day, ALL_WFH, "b", None)])
    assert same_scope.day_kind(day, SECTION).mode == Mode.WFH


def test_office_closed_beats_a_directive_and_a_holiday():
    day = D(2026, 11, 25)
    entries = [
        CalendarEntry(day, ALL_WFO, "Apel besar", None),
        CalendarEntry(day, OFFICE_CLOSED, "Listrik padam", "Bidang TIK"),
        CalendarEntry(day, HOLIDAY, "Libur lokal", "Bidang TIK"),
    ]
    calendar = WorkCalendar(entries)
    closed = calendar.day_kind(day, SECTION)
    assert (closed.workday, closed.status, closed.mode) == (False, "office_closed", None)
    assert closed.reason == "Listrik padam"
    assert calendar.day_kind(day, OTHER).mode == Mode.WFO  # the closure does not reach other divisions


def test_directive_never_makes_a_holiday_a_workday():
    calendar = WorkCalendar([CalendarEntry(D(2026, 12, 25), ALL_WFO, "Piket Natal", "Bidang TIK")])
    kind = calendar.day_kind(D(2026, 12, 25), SECTION)
    assert (kind.workday, kind.mode, kind.reason) == (False, None, "Hari Raya Natal")


def test_next_workday_skips_a_long_weekend():
    calendar = WorkCalendar()
    # Thu 24 Dec cuti bersama, Fri 25 Dec Natal, then the weekend: after Wednesday comes Monday 28.
    assert calendar.next_workday(D(2026, 12, 23), SECTION) == D(2026, 12, 28)
    # Wed 18 Mar cuti bersama Nyepi, Thu 19 Nyepi, Fri 20 cuti bersama, Sat–Sun Lebaran, Mon–Tue cuti bersama.
    assert calendar.next_workday(D(2026, 3, 17)) == D(2026, 3, 25)
    closed = WorkCalendar([CalendarEntry(D(2026, 12, 28), OFFICE_CLOSED, "Banjir", "Bidang TIK")])
    assert closed.next_workday(D(2026, 12, 23), SECTION) == D(2026, 12, 29)
    assert closed.next_workday(D(2026, 12, 23), OTHER) == D(2026, 12, 28)


def test_workdays_between_gives_a_roster_period():
    days = WorkCalendar().workdays_between(D(2026, 12, 21), D(2026, 12, 31))
    assert days == [D(2026, 12, 21), D(2026, 12, 22), D(2026, 12, 23), D(2026, 12, 28),
                    D(2026, 12, 29), D(2026, 12, 30), D(2026, 12, 31)]


def test_unknown_entry_kind_is_refused():
    with pytest.raises(ValueError):
        CalendarEntry(D(2026, 1, 5), "half_day", "x")


def test_years_before_the_package_have_no_national_holidays():
    assert national_holidays(1900) == []
    assert WorkCalendar().is_workday(D(1900, 1, 1))  # a Monday
