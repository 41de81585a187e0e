"""A working day in English: people who chose English with /bahasa (or an office whose DEFAULT_LANGUAGE is
en) beside colleagues who read Indonesian. Every message a person reads is in their own language, with
English plurals and no Indonesian words left over."""

import pytest

from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, actions, jpeg, texts
from tests.org_rows import HEAD, KABID, KASI, STAF, small_office
from tests.test_org_import import run_import

RUDI, DEWI, ANDI, BUDI = "501", "502", "503", "505"


@pytest.fixture
async def chat(db, clock, tmp_path):
    """Rudi (staff) and his section head Dewi, both switched to English with /bahasa."""
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    harness = ChatHarness(db, clock, tmp_path / "media")
    await harness.link(((RUDI, STAF), (DEWI, KASI)), home=(-1.6, 103.6))
    for sender in (RUDI, DEWI):
        await harness.text(sender, "/bahasa")
        assert "English" in texts(await harness.tap(sender, "lang:en"))
    return harness


async def test_approving_the_one_on_time_report_says_report_not_reports(chat):
    await chat.text(RUDI, "/lapor")
    await chat.text(RUDI, "Finished the draft.")
    await chat.tap(RUDI, "r:send")
    approve_all = next(a for a in actions(await chat.text(DEWI, "/rekap")) if a.startswith("apall:"))
    out = await chat.tap(DEWI, approve_all)
    assert "✅ 1 on-time report (Monday, 23 November 2026) approved." in texts(out, DEWI)


async def test_one_photo_filed_under_the_task_asked_about_is_one_evidence_item(chat):
    for title in ("Draft the letter", "Update the website"):
        await chat.tap(RUDI, "t:add")
        await chat.text(RUDI, title)
    asked = await chat.photo(RUDI, jpeg((9, 9, 9)))
    first = next(a for a in actions(asked) if a.startswith("ev:") and a != "ev:0")
    assert "📎 1 evidence item attached to" in texts(await chat.tap(RUDI, first))
    day = next(a for a in actions(await chat.photo(RUDI, jpeg((90, 9, 9)))) if a == "ev:0")
    assert "📎 1 evidence item recorded for today." in texts(await chat.tap(RUDI, day))


@pytest.fixture
async def office(db, clock, tmp_path):
    """An office whose DEFAULT_LANGUAGE is en: Budi the head (an admin) reads English, Andi chose Indonesian."""
    clock.current = MONDAY_0900_WIB
    rows = small_office()
    rows[0]["role"] = "admin"
    for row in rows:
        row["language"] = "id" if row["nip"] == KABID else ""
    await run_import(db, clock, rows)
    harness = ChatHarness(db, clock, tmp_path / "media", default_language="en")
    codes = await harness.codes()
    for sender, nip in ((BUDI, HEAD), (ANDI, KABID), (DEWI, KASI), (RUDI, STAF)):
        await harness.text(sender, f"/start {codes[nip]}")
        await harness.location(sender, -1.6, 103.6)
    return harness


async def test_jalankan_names_the_step_in_english(office):
    assert "The reminder step is running now" in texts(await office.text(BUDI, "/jalankan pengingat"))
    assert "The digest step is running now" in texts(await office.text(BUDI, "/jalankan rekap"))


async def test_a_pdf_sent_again_is_called_a_file_not_a_picture(office):
    pdf = b"%PDF-1.4 notulen rapat koordinasi"
    await office.document(RUDI, pdf, "minutes.pdf", "application/pdf")
    again = texts(await office.document(BUDI, pdf, "minutes.pdf", "application/pdf"))
    assert "This file is the same as evidence already sent on Monday, 23 November 2026." in again
    assert "picture" not in again
    lagi = texts(await office.document(ANDI, pdf, "notulen.pdf", "application/pdf"))
    assert "Berkas ini sama dengan bukti yang sudah pernah dikirim pada Senin, 23 November 2026." in lagi


async def ask(chat, sender, kind, days, reason):
    await chat.text(sender, "/izin")
    await chat.tap(sender, f"lv:{kind}")
    await chat.text(sender, days)
    return await chat.text(sender, reason)


async def test_a_leave_kind_is_no_capitalised_word_in_the_middle_of_an_english_sentence(chat):
    """'You are recorded as Leave today', 'Cancel Field duty for …?': a button's label is no noun in a sentence."""
    asked = await ask(chat, RUDI, "cuti", "23/11", "Family matters")
    await chat.tap(DEWI, next(a for a in actions(asked) if a.startswith("lvd:") and a.endswith(":y")))
    assert "No report is needed from you today (Leave)." in texts(await chat.text(RUDI, "/lapor"))
    await chat.text(RUDI, "/izin")
    await chat.tap(RUDI, "lv:sakit")
    again = texts(await chat.text(RUDI, "23/11"))
    assert "You already have an approved request for that time (Leave, Monday, 23 November 2026)" in again
    await ask(chat, RUDI, "dl", "24/11", "Survey in the district")
    cancel = next(a for a in actions(await chat.text(RUDI, "/izin")) if a.startswith("lvc:"))
    assert "Cancel this request? Field duty — Tuesday, 24 November 2026" in texts(await chat.tap(RUDI, cancel))
    told = texts(await chat.tap(RUDI, f"{cancel}:y"), DEWI)
    assert "Rudi Hartono cancelled their request (Field duty, Tuesday, 24 November 2026)" in told


async def test_an_admins_digest_of_a_unit_in_another_zone_gives_that_units_times(office):
    """Budi reads English in Jakarta (WIB); Dewi's team is in Makassar, and its digest said 'reported 10.00 WITA'
    to Dewi but 'reported 09.00 WIB' to Budi: one report, two times, in the admin's zone not the unit's."""
    await office.text(RUDI, "/lapor")
    await office.text(RUDI, "Finished the draft.")
    await office.tap(RUDI, "r:send")
    assert "Rudi Hartono: ✅ WFO, reported 10.00 WITA" in texts(await office.text(DEWI, "/rekap"))
    shown = texts(await office.text(BUDI, "/rekap today Seksi Timur"))
    assert "Rudi Hartono: ✅ WFO, reported 10.00 WITA" in shown, shown


def test_apel_digest_gives_each_teams_times_in_its_units_zone(apel_env, tmp_path, monkeypatch):
    """DEFAULT_TIMEZONE is WIB; Rudi's team is in Makassar: 'reported 10.00 WITA', as Dewi's digest says."""
    from typer.testing import CliRunner

    from bot.cli.app import app
    from tests.org_rows import write_csv

    runner = CliRunner()
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T09:00:00+07:00")
    assert runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "o.csv", small_office()))]).exit_code == 0
    played = runner.invoke(app, ["chat", "--as", STAF], input="/lapor\nFinished the draft.\n:tap 1\n:quit\n")
    assert "Report sent at 10.00 WITA" in played.stdout, played.stdout
    shown = runner.invoke(app, ["digest", "--date", "2026-11-23", "--unit", "Seksi Timur"])
    assert "Rudi Hartono: ✅ WFO, reported 10.00 WITA" in shown.stdout, shown.stdout


async def test_libur_in_english_shows_the_english_kinds_and_its_example_works(office):
    """The English hint said '/libur DATE libur|tutup|wfh|wfo NAME': Indonesian words an English reader must guess."""
    hint = texts(await office.text(BUDI, "/libur")).splitlines()[-1]
    assert hint == "Add one: /libur DATE holiday|closed|wfh|wfo NAME, e.g. /libur 24 Dec holiday Christmas Eve"
    example = hint.split("e.g. ")[1]
    assert 'Added: Thursday, 24 December 2026, day off "Christmas Eve"' in texts(await office.text(BUDI, example))
    refused = texts(await office.text(BUDI, "/libur 28 Dec vacation Year end"))
    assert "Choose one of: holiday (a day off; in Indonesian libur), closed (office closed; tutup)," in refused
    assert "/libur [DATE holiday|closed|wfh|wfo NAME]" in texts(await office.text(BUDI, "/bantuan"))


async def test_a_date_written_the_english_way_month_first_is_understood(office):
    await office.text(RUDI, "/izin")
    await office.tap(RUDI, "lv:cuti")
    assert "Leave — Tuesday, 24 November 2026 to Thursday, 26 November 2026" in texts(
        await office.text(RUDI, "Nov 24 - Nov 26"))
    assert "Team digest — Friday, 20 November 2026" in texts(await office.text(DEWI, "/rekap Nov 20"))
