"""Admins configure the routine: schedules (with inheritance and a Ramadan override), the calendar,
the roster; from the CLI and from chat."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from typer.testing import CliRunner

from bot.cli.app import app
from schedules.clock_runner import RoutineClock
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, texts
from tests.org_rows import HEAD, KABID, KASI, STAF, small_office, write_csv
from tests.test_org_import import run_import

runner = CliRunner()


def apel(*args):
    return runner.invoke(app, list(args))


@pytest.fixture
def office(apel_env, tmp_path, monkeypatch):
    # Monday 23 November 2026 before apel: the roster plans days from today on, and these tests plan that week.
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T06:00:00+07:00")
    rows = small_office()
    rows[2]["unit_kind"] = "essential"
    assert apel("org", "import", str(write_csv(tmp_path / "org.csv", rows))).exit_code == 0
    return rows


def schedule(unit=None, day="2026-11-23"):
    args = ["schedule", "show", "--format", "json", "--date", day] + (["--unit", unit] if unit else [])
    result = apel(*args)
    assert result.exit_code == 0, result.stderr
    return {r["field"]: (r["value"], r["source"]) for r in json.loads(result.stdout)}


def test_schedules_inherit_and_a_period_override_wins(office):
    assert schedule()["apel"] == ("07.30", "default")
    assert apel("schedule", "set", "apel", "07:15").exit_code == 0  # the top unit: everyone inherits
    assert apel("schedule", "set", "deadline_by_weekday", "fri=16:30", "--unit", "Seksi Timur").exit_code == 0
    assert apel("schedule", "set", "apel", "08.00", "--from", "2027-02-18", "--to", "2027-03-19").exit_code == 0
    seksi = schedule("Seksi Timur")
    assert seksi["apel"] == ("07.15", "Dinas") and seksi["deadline_by_weekday"] == ("fri=16.30", "Seksi Timur")
    assert schedule("Seksi Timur", "2027-03-01")["apel"] == ("08.00", "Dinas 2027-02-18–2027-03-19")
    assert apel("schedule", "set", "deadline", "15:00", "--from", "2027-02-18", "--to", "2027-03-19").exit_code == 0
    ramadan_friday = schedule("Seksi Timur", "2027-02-19")  # the period's deadline holds on Fridays too
    assert ramadan_friday["deadline"] == ("15.00", "Dinas 2027-02-18–2027-03-19")
    assert ramadan_friday["deadline_by_weekday"] == ("", "Dinas 2027-02-18–2027-03-19")
    table = runner.invoke(app, ["schedule", "show", "--unit", "Seksi Timur", "--date", "2026-11-23"],
                          env={"DEFAULT_LANGUAGE": "id"}).stdout
    assert "jum=16.30" in table and "sen,sel,rab,kam,jum" in table  # JSON above keeps the codes


def test_bad_schedule_values_are_refused_politely(office):
    for args, message in [
        (("apel", "25:99"), "Not a valid time"),
        (("reminder_offsets_min", "lots"), "Not valid minutes"),
        (("workdays", "funday"), "Not valid workdays"),
        (("lunch", "12:00"), "Unknown schedule field"),
    ]:
        result = apel("schedule", "set", *args)
        assert result.exit_code == 2 and message in result.stderr  # a usage error, as a bad --format is
    assert schedule()["apel"] == ("07.30", "default")


def test_digest_times_without_a_time_are_refused_rather_than_stopping_every_tick(office):
    """`digest_times ,` was saved as no times at all: from then on every tick of the routine failed on it
    (briefings, reminders and digests of every unit stopped), with "digest_times =  " as the only hint."""
    for typed in (",", " , "):
        result = apel("schedule", "set", "digest_times", typed)
        assert result.exit_code == 2 and "Not a valid time" in result.stderr, result.stderr  # a usage error
    assert schedule()["digest_times"] == ("16.30,17.00,17.30", "default")
    from bot.domain.unit_schedule import from_json

    assert from_json({"digest_times": "", "apel": "07.15"}) == {"apel": dt.time(7, 15)}  # one saved before: not set


def test_calendar_lists_national_days_and_takes_local_ones(office):
    result = apel("calendar", "list", "--from", "2026-12-20", "--to", "2026-12-31", "-f", "json")
    names = {(r["date"], r["name"]) for r in json.loads(result.stdout)}
    assert ("2026-12-25", "Hari Raya Natal") in names and ("2026-12-24", "Cuti Bersama Hari Raya Natal") in names
    added = apel("calendar", "add", "2026-12-28", "office_closed", "Banjir", "--unit", "Seksi Timur")
    assert added.exit_code == 0
    listed = json.loads(apel("calendar", "list", "--from", "2026-12-28", "--to", "2026-12-28", "-f", "json").stdout)
    assert listed == [{"date": "2026-12-28", "kind": "office_closed", "name": "Banjir", "unit": "Seksi Timur"}]
    assert apel("calendar", "add", "2026-12-29", "party", "x").exit_code == 2  # not one of the kinds: usage
    everyone = apel("calendar", "add", "29-12-2026", "libur", "Hari Jadi")  # as chat takes it
    assert everyone.exit_code == 0 and "(unit: all units)" in everyone.stderr and "(unit: -)" not in everyone.stderr
    listed = json.loads(apel("calendar", "list", "--from", "29/12/2026", "--to", "29 Des 2026", "-f", "json").stdout)
    assert [(r["date"], r["name"]) for r in listed] == [("2026-12-29", "Hari Jadi")]
    refused = apel("calendar", "add", "31-02-2026", "libur", "x")
    assert refused.exit_code == 2 and "31-02-2026" in refused.stderr  # not a date: a usage error


def test_roster_generate_and_show_keep_overrides(office):
    overridden = apel("roster", "set", STAF, "24-11-2026", "cuti", "--reason", "cuti tahunan")
    assert overridden.exit_code == 0 and "Tuesday, 24 November 2026" in overridden.stderr, overridden.stderr
    made = apel("roster", "generate", "--from", "2026-11-23", "--to", "2026-11-27")
    assert made.exit_code == 0, made.stderr
    assert "kept" in made.stderr
    rows = json.loads(apel("roster", "show", "--from", "2026-11-23", "--to", "2026-11-27", "-f", "json").stdout)
    assert {"date", "nip", "name", "unit", "mode", "reason"} <= set(rows[0])
    staff_days = {r["date"]: r["mode"] for r in rows if r["nip"] == STAF}
    assert staff_days["2026-11-24"] == "cuti" and len(staff_days) == 5
    head = {r["mode"] for r in rows if r["nip"] == HEAD}
    assert head <= {"wfo", "piket"}  # the head of office (essential unit's boss) never works from home
    as_csv = apel("roster", "show", "--from", "2026-11-23", "-f", "csv").stdout.splitlines()
    assert as_csv[0] == "date,nip,name,unit,mode,reason"


def test_the_roster_plans_each_day_with_that_days_schedule_not_the_periods_first(office):
    """A four-week roster made before Ramadan took piket_min, wfh_share_pct and workdays from its first day:
    Ramadan's two on piket (and a Saturday worked in a period) were planned with the usual one and no
    Saturday, while the same days made from Ramadan's first day had two."""
    unit = ("--unit", "Seksi Timur")
    assert apel("schedule", "set", "piket_min", "2", *unit, "--from", "2026-11-25", "--to", "2026-11-27").exit_code == 0
    assert apel("schedule", "set", "workdays", "sen-sab", "--from", "2026-11-28", "--to", "2026-11-28").exit_code == 0
    made = apel("roster", "generate", "--from", "2026-11-23", "--to", "2026-11-28", *unit)
    assert made.exit_code == 0, made.stderr
    rows = json.loads(apel("roster", "show", "--from", "2026-11-23", "--to", "2026-11-28", *unit, "-f", "json").stdout)
    piket = {day: sum(1 for r in rows if r["date"] == day and r["mode"] == "piket")
             for day in ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28")}
    assert piket == {"2026-11-23": 1, "2026-11-24": 1, "2026-11-25": 2, "2026-11-26": 2, "2026-11-27": 2,
                     "2026-11-28": 1}


def test_roster_refuses_a_backwards_period_and_an_unknown_person(office):
    assert apel("roster", "generate", "--from", "2026-11-27", "--to", "2026-11-23").exit_code == 1
    result = apel("roster", "set", "199912312020121999", "2026-11-24", "wfh")
    assert result.exit_code == 1 and "no active person" in result.stderr


def test_roster_set_on_a_day_off_of_the_persons_unit_is_refused_and_changes_nothing(office):
    """`apel roster set` for a Saturday or Christmas was accepted ("Set: … = piket") and nothing was sent that day:
    the routine does not run on the unit's days off."""
    saturday = apel("roster", "set", STAF, "2026-11-28", "piket")
    assert saturday.exit_code == 1
    assert ("Not set: Saturday, 28 November 2026 is not a workday of Seksi Timur, so there is no briefing, report or "
            "reminder that day.") in " ".join(saturday.stderr.split())
    assert "apel schedule set workdays" in saturday.stderr
    christmas = runner.invoke(app, ["roster", "set", STAF, "25-12-2026", "wfo"], env={"DEFAULT_LANGUAGE": "id"})
    assert christmas.exit_code == 1
    assert "Tidak ditetapkan: Jumat, 25 Desember 2026 hari libur Seksi Timur (Hari Raya Natal)" in " ".join(
        christmas.stderr.split())
    assert apel("calendar", "add", "2026-12-01", "office_closed", "Banjir", "--unit", "Seksi Timur").exit_code == 0
    closed = apel("roster", "set", STAF, "2026-12-01", "wfh")
    assert closed.exit_code == 1 and "closed on Tuesday, 1 December 2026 (Banjir)" in " ".join(closed.stderr.split())
    shown = json.loads(apel("roster", "show", "--from", "2026-11-28", "--to", "2026-12-25", "-f", "json").stdout)
    assert [r for r in shown if r["nip"] == STAF] == []
    # A Saturday made a workday of the unit (its schedule for that date) takes an override as any workday does.
    assert apel("schedule", "set", "workdays", "sen-sab", "--from", "2026-11-28", "--to", "2026-11-28").exit_code == 0
    assert apel("roster", "set", STAF, "2026-11-28", "piket").exit_code == 0


def test_a_roster_for_a_period_without_a_workday_is_refused(office):
    weekend = apel("roster", "generate", "--from", "2026-11-28", "--to", "2026-11-29")
    assert weekend.exit_code == 1 and "No roster made" in weekend.stderr
    assert not [a for a in json.loads(apel("audit", "-f", "json").stdout) if a["action"] == "roster_generate"]


def test_run_step_rekap_makes_each_supervisors_digest_once(office):
    first = apel("run-step", "rekap")
    assert first.exit_code == 0, first.stderr
    # Nobody has linked a chat account here, so digests wait for one; nothing is used up meanwhile.
    assert "The digest step: 0 messages queued" in first.stderr


@pytest.fixture
async def admin_chat(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    rows = small_office()
    rows[0]["role"] = "admin"
    await run_import(db, clock, rows)
    harness = ChatHarness(db, clock, tmp_path / "media")
    codes = await harness.codes()
    await harness.text("505", f"/start {codes[HEAD]}")
    await harness.location("505", -1.6, 103.6)
    await harness.text("502", f"/start {codes[KASI]}")
    await harness.location("502", -1.6, 103.6)
    return harness


async def test_admins_use_the_routine_commands_in_chat_and_others_cannot(admin_chat):
    shown = texts(await admin_chat.text("505", "/jadwal"))
    assert "apel: <b>07.30</b> (bawaan)" in shown and "presence_selfie: <b>tidak</b> (bawaan)" in shown
    assert "apel = 07.15" in texts(await admin_chat.text("505", "/jadwal apel 07.15"))
    assert "workdays: <b>sen,sel,rab,kam,jum</b>" in shown  # the days as admins write them, not mon,tue
    assert "deadline_by_weekday = jum=15.30" in texts(await admin_chat.text("505", "/jadwal deadline_by_weekday fri=15:30"))
    assert "Jam tidak sah" in texts(await admin_chat.text("505", "/jadwal apel nanti"))
    assert "Jumat, 25 Desember 2026 · Hari Raya Natal (hari libur)" in texts(await admin_chat.text("505", "/libur"))
    assert "Banjir" in texts(await admin_chat.text("505", "/libur 2026-11-30 wfh Banjir"))
    assert "Roster Senin, 23 November 2026 – Jumat, 27 November 2026 dibuat" in texts(
        await admin_chat.text("505", "/roster 2026-11-23 2026-11-27"))
    for command in ("/jadwal", "/libur", "/roster", "/jalankan briefing"):
        assert "hanya untuk admin" in texts(await admin_chat.text("502", command))


async def test_jalankan_briefing_sends_after_the_turn_and_only_once(admin_chat):
    out = await admin_chat.text("505", "/jalankan briefing")
    assert "dijalankan sekarang" in texts(out, "505")
    assert "Apel pagi" in texts(out, "502") and "Apel pagi" in texts(out, "505")
    again = await admin_chat.text("505", "/jalankan briefing")
    assert "Apel pagi" not in texts(again)


async def test_jalankan_on_a_weekend_says_nothing_will_be_sent(admin_chat):
    admin_chat.clock.advance(days=5)  # Saturday 28 November 2026
    out = await admin_chat.text("505", "/jalankan briefing")
    assert "Sabtu, 28 November 2026 bukan hari kerja di unit mana pun" in texts(out, "505")
    assert "Apel pagi" not in texts(out)


async def test_the_clock_job_never_drops_a_late_tick(db, clock):
    from bot.services.routine import Routine

    async def deliver(out):
        return None

    routine_clock = RoutineClock(Routine(db.uow, clock=clock, default_language="id"), db.uow, clock, deliver)
    routine_clock.start()
    try:
        job = routine_clock.scheduler.get_job("routine-tick")
        assert job.misfire_grace_time is None and job.coalesce is True and job.max_instances == 1
    finally:
        await routine_clock.stop()


async def test_roster_conflicts_are_worded_in_the_admins_language_and_the_rest_counted(admin_chat):
    await admin_chat.text("505", "/jadwal piket_min 3")
    shown = texts(await admin_chat.text("505", "/roster 2026-11-23 2026-12-04"))
    assert "40 konflik" in shown  # four units, ten workdays, too few for three on piket anywhere
    assert "⚠️ Senin, 23 November 2026 Bidang Timur: hanya 1 dari 3 petugas piket: 1 hadir, 1 bisa di kantor" in shown
    assert shown.count("⚠️") == 10 and "…dan 30 konflik lainnya" in shown
    assert "of 3 on piket" not in shown and "2026-11-23" not in shown


def test_roster_generate_words_its_conflicts_in_the_table_and_json(office, monkeypatch):
    assert apel("schedule", "set", "piket_min", "3").exit_code == 0
    as_json = apel("roster", "generate", "--from", "2026-11-23", "--to", "2026-11-23", "-f", "json")
    rows = json.loads(as_json.stdout)
    assert {"date": "2026-11-23", "unit": "Bidang Timur", "code": "piket_short",
            "detail": "1 of 3 on piket: 1 present, 1 free to be in the office"} in rows
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    table = apel("roster", "generate", "--from", "2026-11-23", "--to", "2026-11-23").stdout
    assert "Senin, 23 November 2026" in table and "hanya 1 dari 3 petugas piket" in table


async def test_libur_words_the_kind_and_the_dates_and_offers_the_words_it_takes(admin_chat):
    added = texts(await admin_chat.text("505", "/libur 2026-12-15 libur Hari Jadi Kota"))
    assert added == 'Ditambahkan: Selasa, 15 Desember 2026, hari libur "Hari Jadi Kota" (unit: semua unit).'
    refused = texts(await admin_chat.text("505", "/libur 2026-12-16 banjir Tes"))
    assert "Pilihan: libur (hari libur), tutup (kantor tutup), wfh (semua WFH) atau wfo (semua WFO)" in refused
    assert "all_wfh" not in refused
    listed = texts(await admin_chat.text("505", "/libur"))
    assert "(Senin, 23 November 2026 – Jumat, 22 Januari 2027)" in listed
    assert "Selasa, 15 Desember 2026 · Hari Jadi Kota (hari libur)" in listed


async def test_libur_without_a_name_says_nothing_was_added_rather_than_listing(admin_chat):
    """"/libur 15 Des libur" (the name forgotten) was answered with the 60 days' listing, without the day and
    without a word: it read as if the day had been added, or the command ignored."""
    for typed in ("/libur 15 Des libur", "/libur 15-12-2026", "/libur 15 Des tutup"):
        shown = texts(await admin_chat.text("505", typed))
        assert shown.startswith("Belum ditambahkan: tulis tanggal, jenis dan nama hari itu."), typed
        assert "Tambah: /libur TANGGAL libur|tutup|wfh|wfo NAMA" in shown and "Hari libur dan arahan" not in shown
    assert "15 Desember" not in texts(await admin_chat.text("505", "/libur"))


def test_calendar_add_takes_the_chat_words_and_tables_word_the_codes(office, monkeypatch):
    assert apel("calendar", "add", "2026-12-30", "tutup", "Banjir").exit_code == 0
    listed = json.loads(apel("calendar", "list", "--from", "2026-12-30", "--to", "2026-12-30", "-f", "json").stdout)
    # Office-wide: no unit, null in JSON (it was "", as if a unit had an empty name); empty in CSV.
    assert listed == [{"date": "2026-12-30", "kind": "office_closed", "name": "Banjir", "unit": None}]
    as_csv = apel("calendar", "list", "--from", "2026-12-30", "--to", "2026-12-30", "-f", "csv").stdout
    assert as_csv == "date,kind,name,unit\n2026-12-30,office_closed,Banjir,\n"
    table = apel("calendar", "list", "--from", "2026-12-30", "--to", "2026-12-30").stdout
    assert "office closed" in table and "office_closed" not in table and "Wednesday, 30 December 2026" in table
    assert apel("roster", "generate", "--from", "2026-11-23", "--to", "2026-11-23").exit_code == 0
    as_csv = apel("roster", "show", "--from", "2026-11-23", "-f", "csv").stdout
    assert ",wfh,rotation" in as_csv  # codes for scripts
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    shown = apel("roster", "show", "--from", "2026-11-23").stdout
    assert "WFH (bekerja dari rumah)" in shown and "rotasi" in shown and "rotation" not in shown
    assert "Senin, 23 November 2026" in shown


def test_the_same_calendar_entry_twice_is_one_entry_and_a_new_name_renames_it(office):
    first = apel("calendar", "add", "2026-12-30", "holiday", "Hari Jadi Kabupaten")
    again = apel("calendar", "add", "2026-12-30", "libur", "Hari Jadi Kabupaten")
    assert first.exit_code == again.exit_code == 0 and "Already there" in again.stderr
    renamed = apel("calendar", "add", "2026-12-30", "holiday", "Hari Jadi Kab. Muaro Jambi")
    assert 'is now called "Hari Jadi Kab. Muaro Jambi", was "Hari Jadi Kabupaten"' in renamed.stderr
    other_unit = apel("calendar", "add", "2026-12-30", "holiday", "Hari Jadi Kabupaten", "--unit", "Seksi Timur")
    assert "Added" in other_unit.stderr
    listed = json.loads(apel("calendar", "list", "--from", "2026-12-30", "--to", "2026-12-30", "-f", "json").stdout)
    assert [(r["name"], r["unit"]) for r in listed] == [("Hari Jadi Kab. Muaro Jambi", None),
                                                        ("Hari Jadi Kabupaten", "Seksi Timur")]


async def test_jadwal_says_the_saved_value_the_way_it_shows_it_in_indonesian(admin_chat):
    assert "Jadwal disimpan: apel = 07.15 untuk Dinas." in texts(await admin_chat.text("505", "/jadwal apel 07:15"))
    assert "presence_selfie = ya untuk" in texts(await admin_chat.text("505", "/jadwal presence_selfie yes"))
    shown = texts(await admin_chat.text("505", "/jadwal"))
    assert "apel: <b>07.15</b> (Dinas)" in shown and "presence_selfie: <b>ya</b> (Dinas)" in shown
    assert "default" not in shown and ": <b>no</b>" not in shown


def test_schedule_show_words_the_table_and_keeps_codes_for_scripts(office, monkeypatch):
    assert apel("schedule", "set", "apel", "08:00", "--from", "2027-02-18", "--to", "2027-03-19").exit_code == 0
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    table = apel("schedule", "show", "--date", "2027-03-01").stdout
    assert "Dinas, Kamis, 18 Februari 2027 – Jumat, 19 Maret 2027" in table and "bawaan" in table
    assert "tidak" in table and "default" not in table
    assert schedule(day="2027-03-01")["presence_selfie"] == ("no", "default")


def test_a_schedule_period_needs_from_and_the_saved_message_names_it(office):
    alone = apel("schedule", "set", "apel", "07:45", "--to", "2027-02-18")
    assert alone.exit_code == 1 and "--to needs --from" in alone.stderr
    assert schedule(day="2027-02-18")["apel"] == ("07.30", "default")  # nothing saved
    saved = apel("schedule", "set", "apel", "08:00", "--from", "2027-02-18", "--to", "2027-03-19")
    assert saved.exit_code == 0
    assert ("Schedule saved: apel = 08.00 for Dinas, only Thursday, 18 February 2027 – Friday, 19 March 2027."
            in saved.stderr)


def test_backwards_periods_are_refused_alike(office):
    for args in (("calendar", "list"), ("roster", "show"), ("roster", "generate")):
        result = apel(*args, "--from", "2026-12-31", "--to", "2026-12-01")
        assert result.exit_code == 1 and "Not a valid period" in result.stderr, args
        assert result.stdout == ""


def test_the_invite_listing_gives_people_a_local_date_and_scripts_iso_utc(office, monkeypatch, tmp_path):
    listed = json.loads(apel("invite", "--out", str(tmp_path / "a.csv"), "-f", "json").stdout)
    assert listed[0]["expires_at"].endswith("+00:00") and "." not in listed[0]["expires_at"]  # to the second
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    table = apel("invite", "--out", str(tmp_path / "b.csv")).stdout
    assert " WIB" in table and "+00:00" not in table and "T0" not in table


async def test_ekspor_names_the_month_the_indonesian_way(admin_chat):
    assert "📊 Ekspor bulan November 2026 (" in texts(await admin_chat.text("505", "/ekspor"))
    assert "📊 Ekspor bulan Januari 2027 (" in texts(await admin_chat.text("505", "/ekspor 2027-1"))


async def test_ekspor_of_a_unit_without_a_month_exports_the_default_month(admin_chat):
    # "/ekspor Seksi Timur" was refused as "Bulan tidak sah: Seksi".
    sent = await admin_chat.text("505", "/ekspor Seksi Timur")
    assert "📊 Ekspor bulan November 2026 (" in texts(sent), texts(sent)
    assert "seksi-timur" in sent[-1].reply.attachment.filename
    assert "Bulan tidak sah: 2026-13" in texts(await admin_chat.text("505", "/ekspor 2026-13 Seksi Timur"))


async def test_ekspor_in_a_months_first_days_exports_the_month_that_ended(admin_chat, clock):
    clock.current = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)  # Wednesday 2 December, 09.00 WIB
    assert "📊 Ekspor bulan November 2026 (" in texts(await admin_chat.text("505", "/ekspor"))
    clock.current = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
    assert "📊 Ekspor bulan Desember 2026 (" in texts(await admin_chat.text("505", "/ekspor"))


async def test_the_roster_never_replans_a_day_that_began_or_a_briefed_one(db, clock):
    from bot.services.roster_admin import generate_roster

    clock.current = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
    await run_import(db, clock, small_office())
    wednesday = dt.date(2026, 11, 25)
    async with db.uow() as uow:
        rudi = {p.nip: p.id for p in await uow.org.list_people(None, include_inactive=False)}[STAF]
        await uow.day.ensure_work_day(rudi, wednesday, "wfo")
        assert await uow.day.mark_briefed(rudi, wednesday, dt.datetime(2026, 11, 25, 0, 0, tzinfo=dt.UTC))
        await uow.commit()
    async with db.uow() as uow:  # Wednesday 09.00 WIB: Monday and Tuesday are past, Rudi was briefed as WFO
        await generate_roster(uow, start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 27), unit=None, actor="test",
                              now=dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC))
        await uow.commit()
        days = await uow.day.work_days_between([rudi], dt.date(2026, 11, 23), dt.date(2026, 11, 27))
    planned = {w.day.day: (w.mode, w.source) for w in days}
    assert 23 not in planned and 24 not in planned  # past days are what the export reads: left alone
    assert planned[25] == ("wfo", "default")  # briefed: kept as the person was told
    assert {26, 27} <= set(planned) and planned[26][1] == "roster"


async def test_a_day_off_added_after_the_roster_is_a_day_off_for_everyone_it_covers(admin_chat, clock):
    """The roster was made for the week; then a local day off is declared on Wednesday. Its people were
    never briefed or reminded that day, and /status, the roster listing and the digest say so too: the
    roster's planned modes for that day are gone; a day off of one unit takes only that unit's."""
    assert "Roster Senin, 23 November 2026 – Jumat, 27 November 2026 dibuat" in texts(
        await admin_chat.text("505", "/roster 2026-11-23 2026-11-27"))
    assert "Ditambahkan" in texts(await admin_chat.text("505", "/libur 2026-11-25 libur Hari Jadi Kota"))
    clock.current = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)  # Wednesday 10.00 WIB, 11.00 WITA
    shown = texts(await admin_chat.text("502", "/status"))
    assert "Mode kerja hari ini: <b>Libur</b>" in shown and "Hari ini libur: Hari Jadi Kota." in shown
    assert "belum dikirim" not in shown
    async with admin_chat.db.uow() as uow:
        planned = await uow.day.work_days_between(
            [p.id for p in await uow.org.list_people(None, include_inactive=False)],
            dt.date(2026, 11, 25), dt.date(2026, 11, 25))
    assert {w.mode for w in planned} <= {"libur"}
    from bot.services.calendar_admin import add_entry

    async with admin_chat.db.uow() as uow:
        await add_entry(uow, day=dt.date(2026, 11, 26), kind="libur", name="HUT Seksi", unit="Seksi Timur",
                        actor="test", now=clock.now())
        await uow.commit()
        people = {p.nip: p.id for p in await uow.org.list_people(None, include_inactive=False)}
        thursday = await uow.day.work_days_for(list(people.values()), dt.date(2026, 11, 26))
    assert people[KASI] not in thursday and people[STAF] not in thursday
    assert people[KABID] in thursday and people[HEAD] in thursday  # Bidang Timur and Dinas still work


async def test_a_directive_added_after_the_roster_is_what_people_and_the_roster_listing_read(admin_chat, clock):
    """The roster was made for the week, then everyone was sent home for Wednesday (haze). Until the
    briefing, /status said the roster's "Piket kantor" and `apel roster show` listed the roster's modes for
    the day: not what people would be told at apel, nor what the same directive gives when added first."""
    assert "dibuat" in texts(await admin_chat.text("505", "/roster 2026-11-23 2026-11-27"))
    assert "semua WFH" in texts(await admin_chat.text("505", "/libur 2026-11-25 wfh Kabut asap"))
    clock.current = dt.datetime(2026, 11, 24, 23, 0, tzinfo=dt.UTC)  # Wednesday 06.00 WIB, 07.00 WITA: before apel
    for person in ("505", "502"):
        assert "Mode kerja hari ini: <b>WFH (bekerja dari rumah)</b>" in texts(await admin_chat.text(person, "/status"))
    from bot.services.roster_admin import show_roster

    async with admin_chat.db.uow() as uow:
        listed = await show_roster(uow, start=dt.date(2026, 11, 25), end=dt.date(2026, 11, 25), unit=None)
    assert {x.mode for x in listed} <= {"wfh"}


async def test_jadwal_workdays_takes_a_range_rather_than_saving_its_first_day(admin_chat):
    """"sen-jum" used to be read as its first three letters: Monday alone became the office's only workday."""
    assert "workdays = sen,sel,rab,kam,jum untuk Dinas" in texts(await admin_chat.text("505", "/jadwal workdays sen-jum"))
    assert "workdays = sen,sel,rab,kam,jum,sab untuk" in texts(await admin_chat.text("505", "/jadwal workdays Senin - Sabtu"))
    assert "workdays = sen,sel,rab untuk" in texts(await admin_chat.text("505", "/jadwal workdays mon-wed"))
    refused = texts(await admin_chat.text("505", "/jadwal workdays jum-sen"))
    assert "Hari kerja tidak sah: jum-sen" in refused and "sen-jum" in refused
    assert "workdays: <b>sen,sel,rab</b> (Dinas)" in texts(await admin_chat.text("505", "/jadwal"))


async def test_jadwal_deadline_by_weekday_refuses_a_bad_day_with_an_example_and_takes_a_space(admin_chat):
    """Two days before one time used to crash the turn (no answer at all), and "Jumat 16.30" was answered
    with the workdays hint; the Indonesian way with a space now works as with "="."""
    for typed in ("jum sab=16.30", "=16.30", "jum=sore", "jum"):
        refused = texts(await admin_chat.text("505", f"/jadwal deadline_by_weekday {typed}"))
        assert "Batas laporan per hari tidak sah" in refused and "Tulis HARI=JAM, mis. jum=16.30 (" in refused, typed
    assert "deadline_by_weekday = jum=16.30 untuk Dinas" in texts(
        await admin_chat.text("505", "/jadwal deadline_by_weekday Jumat 16.30"))
    assert "deadline_by_weekday = jum=15.30,sab=12.00" in texts(
        await admin_chat.text("505", "/jadwal deadline_by_weekday jum=15.30, sab 12:00"))


async def test_roster_says_which_days_it_planned(admin_chat, clock):
    """/roster alone plans the next two weeks; the reply only gave counts, so the admin could not tell which."""
    shown = texts(await admin_chat.text("505", "/roster"))
    assert "Roster Senin, 23 November 2026 – Minggu, 6 Desember 2026 dibuat:" in shown
    clock.current = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)  # a Saturday: the period starts today
    assert "Roster Sabtu, 28 November 2026 – Jumat, 11 Desember 2026 dibuat:" in texts(
        await admin_chat.text("505", "/roster"))


async def test_roster_in_chat_for_a_weekend_or_a_holiday_says_there_is_no_workday_in_it(admin_chat):
    """`/roster 28-11-2026 29-11-2026` answered "Roster … dibuat: 0 hari-orang ditulis", as if it had been made."""
    weekend = texts(await admin_chat.text("505", "/roster 28-11-2026 29-11-2026"))
    assert weekend.startswith("Roster tidak dibuat: dari Sabtu, 28 November 2026 sampai Minggu, 29 November 2026 "
                              "tidak ada hari kerja yang dapat dirotasi")
    await admin_chat.tap("505", "lang:en")
    christmas = texts(await admin_chat.text("505", "/roster 25-12-2026 25-12-2026"))
    assert christmas.startswith("No roster made: from Friday, 25 December 2026 to Friday, 25 December 2026 there is "
                                "no workday to plan")


async def test_an_admins_rekap_of_a_unit_without_a_team_says_so_rather_than_refusing_the_admin(admin_chat):
    """`/rekap 23-11-2026 Sekretariat` (Siti has nobody under her) answered "Perintah ini untuk atasan yang punya
    bawahan", which read as the admin being refused."""
    empty = texts(await admin_chat.text("505", "/rekap 23-11-2026 Sekretariat"))
    assert empty == ("Tidak ada rekap Sekretariat untuk Senin, 23 November 2026: tidak ada atasan di unit itu yang "
                     "punya bawahan aktif.")
    await admin_chat.tap("505", "lang:en")
    assert texts(await admin_chat.text("505", "/rekap 23-11-2026 Sekretariat")).startswith(
        "No digest of Sekretariat for Monday, 23 November 2026: nobody in that unit has active people under them.")


async def test_a_unit_typed_with_extra_spaces_is_found_and_a_misspelt_one_gets_the_nearest_names(admin_chat):
    assert "2 undangan dibuat" in texts(await admin_chat.text("505", "/undang  seksi   timur "))
    refused = texts(await admin_chat.text("505", "/rekap 2026-11-23 Seksi Timr"))
    assert refused == "Unit tidak dikenal: Seksi Timr. Maksud Anda: Seksi Timur?"
    assert texts(await admin_chat.text("505", "/undang Gudang")) == "Unit tidak dikenal: Gudang."


async def test_libur_and_roster_take_a_date_written_the_indonesian_way(admin_chat):
    added = texts(await admin_chat.text("505", "/libur 15-12-2026 libur Hari Jadi Kota"))
    assert "Selasa, 15 Desember 2026" in added and "Hari Jadi Kota" in added
    planned = texts(await admin_chat.text("505", "/roster 30/11/2026 4.12.2026"))
    assert "Roster Senin, 30 November 2026 – Jumat, 4 Desember 2026" in planned
    refused = texts(await admin_chat.text("505", "/libur 31-02-2026 libur Tes"))
    assert "Tanggal tidak sah: 31-02-2026. Tulis seperti 31-12-2026, 31 Des 2026 atau 2026-12-31." in refused



async def test_libur_roster_and_rekap_take_a_date_in_words(admin_chat):
    added = texts(await admin_chat.text("505", "/libur 15 Des libur Hari Jadi Kota"))
    assert "Selasa, 15 Desember 2026" in added and "Hari Jadi Kota" in added
    assert "Hari Jadi Kota" in texts(await admin_chat.text("505", "/libur"))
    planned = texts(await admin_chat.text("505", "/roster 30 November 2026 4 Des"))
    assert "Roster Senin, 30 November 2026 – Jumat, 4 Desember 2026" in planned
    assert "Tanggal tidak sah" not in texts(await admin_chat.text("505", "/rekap 20 Nov Seksi Timur"))
    refused = texts(await admin_chat.text("505", "/libur 31 Feb libur Tes"))
    assert "Tanggal tidak sah: 31 Feb. Tulis seperti 31-12-2026, 31 Des 2026 atau 2026-12-31." in refused


def test_roster_set_help_names_every_mode_it_takes(office):
    from bot.domain.workday import Mode

    shown = apel("roster", "set", "--help").stdout
    assert all(mode.value in shown for mode in Mode)
    assert apel("roster", "set", STAF, "2026-11-24", "libur").exit_code == 0


def test_the_commands_today_is_the_offices_date_not_the_servers_utc_one(office, monkeypatch):
    # 06.00 WIB on Monday 4 January 2027 is still Sunday 3 January in UTC, where the server runs.
    monkeypatch.setenv("FAKE_NOW", "2027-01-04T06:00:00+07:00")
    assert apel("schedule", "set", "apel", "08:00", "--from", "2027-01-04", "--to", "2027-01-08").exit_code == 0
    shown = json.loads(apel("schedule", "show", "-f", "json").stdout)
    assert {r["field"]: r["value"] for r in shown}["apel"] == "08.00"
    digests = json.loads(apel("digest", "-f", "json").stdout)
    assert digests and {d["date"] for d in digests} == {"2027-01-04"}
    assert apel("calendar", "add", "2027-01-03", "libur", "Hari Jadi").exit_code == 0
    listed = json.loads(apel("calendar", "list", "--to", "2027-01-05", "-f", "json").stdout)
    assert [r["date"] for r in listed] == ["2027-01-05"]  # from today on: not yesterday's day off


async def test_libur_29_feb_typed_in_a_year_without_one_is_the_coming_leap_day(admin_chat, clock):
    clock.current = dt.datetime(2027, 12, 6, 2, 0, tzinfo=dt.UTC)
    added = texts(await admin_chat.text("505", "/libur 29 Feb libur Hari Jadi Kota"))
    assert "Selasa, 29 Februari 2028" in added and "Hari Jadi Kota" in added


async def test_rekap_of_a_day_without_a_year_in_early_january_is_the_december_just_ended(admin_chat, clock):
    clock.current = dt.datetime(2027, 1, 4, 2, 0, tzinfo=dt.UTC)  # Monday 09.00 WIB
    shown = texts(await admin_chat.text("502", "/rekap 30 Des"))
    assert "Rabu, 30 Desember 2026" in shown and "2027" not in shown  # not a December still to come
    assert "Kamis, 31 Desember 2026" in texts(await admin_chat.text("502", "/rekap 31/12"))
    # What lies ahead still means the next one: a day off typed in late December is next year's.
    clock.current = dt.datetime(2026, 12, 28, 2, 0, tzinfo=dt.UTC)
    assert "Sabtu, 2 Januari 2027" in texts(await admin_chat.text("505", "/libur 2 Jan libur Tes"))


def test_digest_and_audit_dates_without_a_year_look_back(office, monkeypatch):
    monkeypatch.setenv("FAKE_NOW", "2027-01-04T09:00:00+07:00")
    digests = json.loads(apel("digest", "--date", "30 Des", "-f", "json").stdout)
    assert digests and {d["date"] for d in digests} == {"2026-12-30"}
    assert apel("audit", "--since", "20 Des", "--until", "31/12", "-f", "json").exit_code == 0


def test_a_date_looked_back_on_is_the_latest_one_not_after_today():
    from bot.domain.leave_period import parse_date

    january = dt.date(2027, 1, 4)
    assert parse_date("30 des", january, looking_back=True) == dt.date(2026, 12, 30)
    assert parse_date("4/1", january, looking_back=True) == january
    assert parse_date("2 jan", dt.date(2026, 12, 28), looking_back=True) == dt.date(2026, 1, 2)  # not ahead
    assert parse_date("29 feb", january, looking_back=True) == dt.date(2024, 2, 29)
    assert [parse_date(w, january) for w in ("Kemarin", "hari  ini", "besok", "lusa", "yesterday", "today")] == [
        dt.date(2027, 1, 3), january, dt.date(2027, 1, 5), dt.date(2027, 1, 6), dt.date(2027, 1, 3), january]


def test_a_period_typed_in_early_january_from_a_december_day_starts_in_the_december_just_gone(office, monkeypatch):
    monkeypatch.setenv("FAKE_NOW", "2027-01-04T09:00:00+07:00")
    # "28 Des" used to be next December: the period ran backwards and was refused.
    saved = apel("schedule", "set", "deadline", "15:00", "--from", "28 Des", "--to", "8 Jan")
    assert saved.exit_code == 0 and "28 December 2026" in saved.stderr and "8 January 2027" in saved.stderr
    from bot.domain.leave_period import parse_date

    assert parse_date("28 des", dt.date(2027, 1, 4)) == dt.date(2026, 12, 28)
    assert parse_date("2 jan", dt.date(2026, 12, 28)) == dt.date(2027, 1, 2)  # ahead stays ahead
    assert parse_date("1 jan", dt.date(2026, 7, 1)) == dt.date(2027, 1, 1)


def test_schedule_show_as_csv_or_json_gives_values_schedule_set_takes_back(office):
    # No weekday deadlines came out as "-" in CSV and JSON, which `schedule set` refused; the table keeps "-".
    value = schedule()["deadline_by_weekday"][0]
    assert value == ""
    as_csv = {r["field"]: r["value"] for r in csv.DictReader(io.StringIO(apel("schedule", "show", "-f", "csv").stdout))}
    assert as_csv["deadline_by_weekday"] == ""
    assert apel("schedule", "set", "deadline_by_weekday", value).exit_code == 0
    table = runner.invoke(app, ["schedule", "show"], env={"DEFAULT_LANGUAGE": "id"}).stdout
    assert re.search(r"deadline_by_weekday\s*│\s*-\s*│", table), table


def test_a_deadline_before_apel_is_refused_and_nothing_saved(office):
    # 07:00 typed for 17:00: no briefing would ever be due (apel to deadline), reminders would come at dawn.
    refused = apel("schedule", "set", "deadline", "07:00")
    assert refused.exit_code == 1 and "before apel (07.30)" in refused.stderr
    friday = apel("schedule", "set", "deadline_by_weekday", "fri=07:15", "--unit", "Seksi Timur")
    assert friday.exit_code == 1
    assert apel("schedule", "set", "apel", "16:30", "--from", "2027-02-18", "--to", "2027-02-19").exit_code == 1
    assert schedule()["deadline"] == ("16.00", "default") and schedule("Seksi Timur")["deadline_by_weekday"][0] == ""
    assert apel("schedule", "set", "deadline", "23:30").exit_code == 0  # late, but after apel: fine


def test_a_change_above_a_unit_with_its_own_hours_is_refused_when_it_ends_that_units_day_before_apel(office):
    """A shift unit (apel 13.00, deadline 21.00 of its own) under an office that then set Fridays to end at
    11.00: the unit's Friday deadline became 11.00, before its apel, and nobody there was briefed or reminded
    on Fridays; the check looked only at the unit being changed and the units above it."""
    assert apel("schedule", "set", "apel", "13:00", "--unit", "Seksi Timur").exit_code == 0
    assert apel("schedule", "set", "deadline", "21:00", "--unit", "Seksi Timur").exit_code == 0
    refused = apel("schedule", "set", "deadline_by_weekday", "jum=11:00")
    assert refused.exit_code == 1, refused.stderr
    assert "Seksi Timur" in refused.stderr and "before apel (13.00)" in refused.stderr
    assert schedule()["deadline_by_weekday"][0] == ""  # nothing saved
    refused = apel("schedule", "set", "deadline", "12:00", "--unit", "Bidang Timur", "--from", "2027-02-18",
                   "--to", "2027-03-19")  # a period set above the unit decides its deadline too
    assert refused.exit_code == 1 and "Seksi Timur" in refused.stderr
    assert apel("schedule", "set", "deadline_by_weekday", "jum=11:00", "--unit", "Seksi Timur").exit_code == 1
    assert apel("schedule", "set", "deadline_by_weekday", "jum=20:00", "--unit", "Seksi Timur").exit_code == 0
    assert apel("schedule", "set", "deadline_by_weekday", "jum=11:00").exit_code == 0  # the unit keeps its own


async def test_jadwal_refuses_a_deadline_before_apel_in_indonesian(admin_chat):
    shown = texts(await admin_chat.text("505", "/jadwal deadline 06:00"))
    assert "Tidak disimpan: batas laporan (06.00) akan lebih awal daripada apel (07.30)" in shown
    assert "16.00" in texts(await admin_chat.text("505", "/jadwal"))


def test_every_roster_option_and_argument_has_its_help(office):
    for command, words in ((("roster", "generate"), ["Only this unit"]), (("roster", "show"), ["Only this unit"]),
                           (("roster", "set"), ["The person's NIP.", "shown with the day"])):
        shown = " ".join(apel(*command, "--help").stdout.split())
        assert all(w in shown for w in words), command


async def test_an_office_closed_on_the_morning_itself_takes_back_queued_briefings_and_tells_the_briefed(admin_chat):
    """A flood closes the office after the wave was queued. The briefings still waiting in the outbox went
    out anyway ("Mode kerja hari ini: WFO") and those already briefed were never told."""
    from sqlalchemy import select, update

    from storage.outbox_tables import OutboxMessage

    await admin_chat.text("505", "/jalankan briefing")
    async with admin_chat.db.uow() as uow:
        briefings = {m.external_id: m for m in (await uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "briefing"))).all()}
        assert set(briefings) == {"505", "502"}
        await uow.session.execute(update(OutboxMessage).where(OutboxMessage.id == briefings["502"].id)
                                  .values(status="sent"))  # Dewi's went; the head's is still queued
        await uow.commit()
    said = texts(await admin_chat.text("505", "/libur 2026-11-23 tutup Banjir"))
    assert "Ditambahkan" in said
    assert "belum terkirim ditarik: 1. Yang sudah menerimanya diberi tahu: 1 orang." in said
    async with admin_chat.db.uow() as uow:
        rows = (await uow.session.execute(select(OutboxMessage.kind, OutboxMessage.external_id, OutboxMessage.status,
                                                 OutboxMessage.reason, OutboxMessage.payload))).all()
        people = {p.nip: p.id for p in await uow.org.list_people(None, include_inactive=False)}
        monday = await uow.day.work_days_for(list(people.values()), dt.date(2026, 11, 23))
    head_briefing = next(m for m in rows if m.kind == "briefing" and m.external_id == "505")
    assert (head_briefing.status, head_briefing.reason) == ("expired", "office_closed declared: Banjir")
    told = [m for m in rows if m.external_id == "502" and "Banjir" in m.payload]
    assert len(told) == 1 and "tidak berlaku lagi" in told[0].payload
    assert not any(m.external_id == "505" and "tidak berlaku" in m.payload for m in rows)  # never got one
    assert {w.mode for w in monday.values()} <= {"libur"}  # /status and the digest read a day off
    shown = texts(await admin_chat.text("502", "/status"))
    assert "Kantor ditutup hari ini: Banjir." in shown


def test_a_change_from_a_later_day_on_takes_effect_that_day_and_a_later_change_replaces_it(office, monkeypatch):
    # An admin could only change apel for a period or from now on: "07.15 from next Monday" had to wait for Monday.
    saved = apel("schedule", "set", "apel", "07:15", "--from", "2026-11-30")
    assert saved.exit_code == 0, saved.stderr
    assert "apel = 07.15 for Dinas, from Monday, 30 November 2026 on." in saved.stderr
    assert schedule(day="2026-11-27")["apel"] == ("07.30", "default")
    assert schedule(day="2026-11-30")["apel"] == ("07.15", "Dinas 2026-11-30–")
    assert schedule(day="2027-06-01")["apel"] == ("07.15", "Dinas 2026-11-30–")
    assert schedule("Seksi Timur", day="2026-12-01")["apel"] == ("07.15", "Dinas 2026-11-30–")  # inherited
    # A period (Ramadan hours) still wins over it; a unit's own value still wins over its parent's.
    assert apel("schedule", "set", "apel", "08:00", "--from", "2027-02-18", "--to", "2027-03-19").exit_code == 0
    assert schedule(day="2027-03-01")["apel"][0] == "08.00" and schedule(day="2027-03-20")["apel"][0] == "07.15"
    assert apel("schedule", "set", "apel", "07:00", "--unit", "Seksi Timur").exit_code == 0
    assert schedule("Seksi Timur", day="2026-12-01")["apel"] == ("07.00", "Seksi Timur")
    # Today or earlier is no change "ahead": refused, nothing saved.
    today = apel("schedule", "set", "deadline", "15:00", "--from", "2026-11-23")
    assert today.exit_code == 1 and "must be after today" in today.stderr
    assert schedule(day="2026-12-01")["deadline"][1] == "default"
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    assert "Dinas, mulai Senin, 30 November 2026" in apel("schedule", "show", "--date", "2026-12-01").stdout
    # Once in force, a change made without a date replaces it, for good.
    monkeypatch.setenv("FAKE_NOW", "2026-12-02T06:00:00+07:00")
    assert apel("schedule", "set", "apel", "07:45").exit_code == 0
    assert schedule(day="2026-12-02")["apel"] == ("07.45", "Dinas")
    assert schedule(day="2027-06-01")["apel"] == ("07.45", "Dinas")


def test_a_change_from_a_later_day_on_waits_behind_a_change_made_now(office):
    assert apel("schedule", "set", "apel", "07:15", "--from", "2026-11-30").exit_code == 0
    assert apel("schedule", "set", "apel", "07:45").exit_code == 0  # now: until the 30th
    assert schedule(day="2026-11-24")["apel"] == ("07.45", "Dinas")
    assert schedule(day="2026-11-30")["apel"] == ("07.15", "Dinas 2026-11-30–")
    assert apel("schedule", "set", "apel", "07:20", "--from", "2026-12-07").exit_code == 0  # the later one wins
    assert schedule(day="2026-12-04")["apel"][0] == "07.15" and schedule(day="2026-12-07")["apel"][0] == "07.20"


async def test_an_admins_rekap_of_a_unit_gives_times_in_that_units_zone(admin_chat):
    # Budi (Dinas, WIB) read Rudi's report of 10.00 WITA as "09.00 WIB"; Dewi's own digest says 10.00 WITA.
    codes = await admin_chat.codes()
    await admin_chat.text("501", f"/start {codes[STAF]}")
    await admin_chat.location("501", -1.6, 103.6)
    await admin_chat.text("501", "/lapor")
    await admin_chat.tap("501", "r:next")
    await admin_chat.text("501", "Menyusun data SPBE")
    await admin_chat.tap("501", "r:send")
    shown = texts(await admin_chat.text("505", "/rekap 2026-11-23 Seksi Timur"))
    assert "10.00 WITA" in shown and "WIB" not in shown, shown
    assert "10.00 WITA" in texts(await admin_chat.text("502", "/rekap 2026-11-23"))
