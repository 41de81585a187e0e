"""Reviewing reports up the chain: approve, return with a note, resubmit, approve all on time; the
roll-up a division head gets; and the superior who never reviews."""

import datetime as dt

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bot.domain.org_terms import Channel
from bot.services.routine import Routine
from bot.texts import text
from storage.day_tables import Report
from storage.tables import Person
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, actions, texts
from tests.org_rows import HEAD, KABID, KASI, SEK, STAF, small_office
from tests.test_org_import import run_import

RUDI, DEWI, ANDI, SITI, BUDI = "501", "502", "503", "504", "505"
UTC = dt.UTC


@pytest.fixture
async def chat(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    rows = small_office()
    extra = {"nip": "199106062016021006", "name": "Sari Dewi", "position": "Analis", "unit": "Seksi Timur",
             "supervisor_nip": KASI, "unit_parent": "", "timezone": "", "phone": ""}
    await run_import(db, clock, rows + [extra])
    harness = ChatHarness(db, clock, tmp_path / "media")
    codes = await harness.codes()
    for sender, nip in ((RUDI, STAF), (DEWI, KASI), (ANDI, KABID), (SITI, SEK), (BUDI, HEAD),
                        ("506", "199106062016021006")):
        await harness.text(sender, f"/start {codes[nip]}")
        await harness.location(sender, -1.6, 103.6)
    return harness


async def report(chat, sender, summary="Selesai."):
    await chat.text(sender, "/lapor")
    await chat.text(sender, summary)
    return await chat.tap(sender, "r:send")


def review_buttons(out):
    return [a for a in actions(out) if a.startswith(("ap:", "rt:", "apall:"))]


async def test_approve_return_resubmit_through_the_digest(chat):
    await report(chat, RUDI, "Versi pertama.")
    digest = await chat.text(DEWI, "/rekap")
    buttons = review_buttons(digest)
    approve = next(a for a in buttons if a.startswith("ap:"))
    give_back = next(a for a in buttons if a.startswith("rt:"))
    assert any(a.startswith("apall:20261123:") for a in buttons)  # the day and whose team
    assert "tidak berlaku" in texts(await chat.tap(SITI, approve))  # not in Rudi's chain
    assert "Tulis catatan untuk Rudi Hartono" in texts(await chat.tap(DEWI, give_back))
    returned = await chat.text(DEWI, "Lampirkan <foto> kegiatan")
    assert "dikembalikan dengan catatan" in texts(returned, DEWI)
    told = texts(returned, RUDI)
    assert "dikembalikan oleh Dewi Lestari: Lampirkan &lt;foto&gt; kegiatan" in told
    assert "tidak berlaku" in texts(await chat.tap(DEWI, approve))  # the old button: already reviewed
    again = await report(chat, RUDI, "Versi kedua dengan foto.")
    notice = [o for o in again if o.external_id == DEWI]
    assert "mengirim ulang" in notice[0].reply.text and "Versi kedua dengan foto." in notice[0].reply.text
    new_approve = next(a for a in actions(notice) if a.startswith("ap:"))
    assert new_approve != approve
    done = await chat.tap(DEWI, new_approve)
    assert "disetujui oleh Dewi Lestari" in texts(done, RUDI)
    assert "✅ WFO, lapor 10.00 WITA · disetujui" in texts(await chat.text(DEWI, "/rekap"))


async def test_approve_all_on_time_takes_one_tap_and_leaves_late_ones(chat, clock):
    await report(chat, RUDI)
    clock.advance(hours=8)  # after the deadline
    await report(chat, "506")
    out = await chat.tap(DEWI, "apall:20261123")
    assert "1 laporan tepat waktu" in texts(out, DEWI)
    digest = texts(await chat.text(DEWI, "/rekap"))
    assert "Rudi Hartono: ✅ WFO, lapor 10.00 WITA · disetujui" in digest
    assert "Sari Dewi: ⏰ WFO, terlambat (18.00 WITA) · tugas 0/0" in digest  # late: not approved by the one tap


async def test_the_division_head_gets_a_roll_up_and_a_superior_who_never_reviews_is_reported(chat, clock, db):
    await report(chat, RUDI)
    routine = Routine(db.uow, clock=clock, default_language="id")
    clock.current = dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # 17.30 WITA: past Dewi's 16.30 + 60 min
    out = await routine.tick()
    andi = [o for o in out if o.external_id == ANDI and "Rekap tim" in o.reply.text]
    assert len(andi) == 1
    assert "• Seksi Timur (Dewi Lestari): 1/0/1/0 · 0 dari 1 disetujui · belum ditinjau tepat waktu" in andi[0].reply.text
    up = [o for o in out if o.external_id == ANDI and "belum menindaklanjuti" in o.reply.text]
    assert "Dewi Lestari belum menindaklanjuti timnya hari ini: 1 laporan menunggu persetujuan, 1 orang belum melapor" in up[0].reply.text
    assert [o for o in await routine.tick() if "belum menindaklanjuti" in o.reply.text] == []


async def test_a_roll_up_made_while_the_section_heads_review_window_runs_says_until_when(chat, clock, db):
    await report(chat, RUDI)
    routine = Routine(db.uow, clock=clock, default_language="id")
    clock.current = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 17.00 WITA: Dewi may review until 17.30
    andi = [o for o in await routine.tick() if o.external_id == ANDI and "Rekap tim" in o.reply.text]
    assert "• Seksi Timur (Dewi Lestari): 1/0/1/0 · 0 dari 1 disetujui · waktu tinjau sampai 17.30 WITA" in andi[0].reply.text



async def test_a_roll_up_of_a_team_that_sent_no_report_does_not_say_reviewed_on_time(chat, clock, db):
    routine = Routine(db.uow, clock=clock, default_language="id")
    clock.current = dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # past Dewi's review window; nobody reported
    andi = [o for o in await routine.tick() if o.external_id == ANDI and "Rekap tim" in o.reply.text]
    assert "• Seksi Timur (Dewi Lestari): 0/0/2/0 · 0 dari 0 disetujui · tidak ada laporan untuk ditinjau" in \
        andi[0].reply.text, andi[0].reply.text

async def test_rekap_for_another_day_and_admins_for_a_unit(chat, clock):
    await report(chat, RUDI)
    clock.advance(days=1)
    assert "Senin, 23 November 2026" in texts(await chat.text(DEWI, "/rekap 2026-11-23"))
    assert "hanya untuk admin" in texts(await chat.text(DEWI, "/rekap 2026-11-23 Sekretariat"))
    # A day still to come listed everyone as "belum lapor".
    ahead = texts(await chat.text(DEWI, "/rekap besok"))
    assert ahead.startswith("Rekap Rabu, 25 November 2026 belum ada: hari itu belum tiba."), ahead
    assert "Belum lapor" not in ahead and "❌" not in ahead


def test_apel_digest_of_a_day_still_to_come_is_refused(apel_env, monkeypatch):
    from typer.testing import CliRunner

    from bot.cli.app import app

    monkeypatch.setenv("FAKE_NOW", "2026-11-23T10:00:00+07:00")
    result = CliRunner().invoke(app, ["digest", "--date", "2026-11-24"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "There is no digest of Tuesday, 24 November 2026 yet" in result.stderr, result.stderr


async def test_an_admins_approve_all_under_a_units_digest_approves_that_team(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    admin = {"nip": "199202022018011008", "name": "Ari Admin", "position": "Analis SDM", "unit": "Sekretariat",
             "supervisor_nip": SEK, "unit_parent": "", "timezone": "", "phone": "", "role": "admin"}
    await run_import(db, clock, [{**r, "role": "staff"} for r in small_office()] + [admin])
    chat = ChatHarness(db, clock, tmp_path / "media")
    codes = await chat.codes()
    for sender, nip in ((RUDI, STAF), ("508", admin["nip"])):
        await chat.text(sender, f"/start {codes[nip]}")
        await chat.location(sender, -1.6, 103.6)
    await report(chat, RUDI)
    digest = await chat.text("508", "/rekap 2026-11-23 Seksi Timur")
    approve_all = next((a for a in actions(digest) if a.startswith("apall:")), None)
    assert approve_all, texts(digest)
    out = await chat.tap("508", approve_all)
    assert "1 laporan tepat waktu" in texts(out, "508")  # Rudi's, not the admin's own (nobody under Ari)
    assert "disetujui oleh Ari Admin" in texts(out, RUDI)
    # Nobody reviews their own report, an admin neither: not one by one, not with approve-all
    await report(chat, "508")
    mine = f"ap:{await _report_id_of(db, admin['nip'])}:"
    own = next(a for a in actions(await chat.text("508", "/rekap 2026-11-23 Sekretariat")) if a.startswith(mine))
    assert "tidak berlaku" in texts(await chat.tap("508", own))
    sekretariat = next(a for a in actions(await chat.text("508", "/rekap 2026-11-23 Sekretariat"))
                       if a.startswith("apall:"))
    assert "0 laporan tepat waktu" in texts(await chat.tap("508", sekretariat))
    assert await _report_status_of(db, admin["nip"]) == "submitted"


async def _report_id_of(db, nip: str) -> int:
    return (await _report_of(db, nip))[0]


async def _report_status_of(db, nip: str) -> str:
    return (await _report_of(db, nip))[1]


async def _report_of(db, nip: str) -> tuple[int, str]:
    async with db.uow() as uow:
        query = select(Report.id, Report.status).join(Person, Person.id == Report.person_id).where(Person.nip == nip)
        return tuple((await uow.session.execute(query)).one())


def test_apel_digest_prints_text_and_json(apel_env, tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from bot.cli.app import app
    from tests.org_rows import write_csv

    runner = CliRunner()
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T06:00:00+07:00")  # the office joined before that day's deadline
    assert runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "o.csv", small_office()))]).exit_code == 0
    as_json = runner.invoke(app, ["digest", "--date", "2026-11-23", "--format", "json"])
    assert as_json.exit_code == 0, as_json.stderr
    records = json.loads(as_json.stdout)
    kasi = next(r for r in records if r["supervisor"]["nip"] == KASI)
    assert kasi["people"] == [{"nip": STAF, "name": "Rudi Hartono", "mode": "wfo", "status": "missing",
                               "submitted_at": None, "tasks_done": 0, "tasks_total": 0, "evidence": 0,
                               "flags": [], "presence": None, "approval": None}]
    text = runner.invoke(app, ["digest", "--date", "2026-11-23", "--unit", "Seksi Timur"])
    assert "Rudi Hartono: ❌ WFO, no report" in text.stdout and "<b>" not in text.stdout


def test_apel_digest_writes_each_time_in_the_zone_of_the_supervisors_unit(apel_env, tmp_path, monkeypatch):
    """Dewi's section (Seksi Timur) is in WITA; DEFAULT_TIMEZONE is WIB. Rudi's report at 10.00 WITA read
    '09.00 WIB' in `apel digest`, where Dewi's own digest in the chat says '10.00 WITA'."""
    from typer.testing import CliRunner

    from bot.cli.app import app
    from tests.org_rows import write_csv

    runner = CliRunner()
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T06:00:00+07:00")
    assert runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "o.csv", small_office()))]).exit_code == 0
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T10:00:00+08:00")
    played = runner.invoke(app, ["chat", "--as", STAF], input="/lapor\nSelesai.\n:tap 1\n:quit\n")
    assert played.exit_code == 0, played.stdout + played.stderr
    for language, on_time in (("en", "Rudi Hartono: ✅ WFO, reported 10.00 WITA"),
                              ("id", "Rudi Hartono: ✅ WFO, lapor 10.00 WITA")):
        monkeypatch.setenv("DEFAULT_LANGUAGE", language)
        text = runner.invoke(app, ["digest", "--date", "2026-11-23", "--unit", "Seksi Timur"]).stdout
        assert on_time in text and "WIB" not in text, text


async def test_the_scheduled_digest_comes_with_a_card_and_a_collage(chat, clock, db):
    import io

    from PIL import Image

    from bot.pictures import PillowPictures

    await chat.photo(RUDI)
    await report(chat, RUDI)
    routine = Routine(db.uow, clock=clock, default_language="id", pictures=PillowPictures())
    out = [o for o in await routine.digests(clock.now(), force=True) if o.external_id == DEWI]
    assert "Rekap tim" in out[0].reply.text
    card, collage = (o.reply.attachment for o in out[1:])
    assert card.is_photo and card.filename.endswith(".png") and "acuan" in out[1].reply.text
    with Image.open(io.BytesIO(card.content)) as image:
        assert image.format == "PNG" and image.width == 1080
    with Image.open(io.BytesIO(collage.content)) as image:
        assert image.format == "JPEG" and not image.getexif()


async def test_ekspor_gives_a_supervisor_their_subtree_and_refuses_staff(chat, tmp_path):
    import io

    import openpyxl

    await report(chat, RUDI)
    out = await chat.text(DEWI, "/ekspor 2026-11")
    attachment = next(o.reply.attachment for o in out if o.reply.attachment)
    assert attachment.filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(attachment.content))
    assert sorted(book.sheetnames[1:]) == sorted([STAF, "199106062016021006"])  # Dewi's people only
    assert "untuk atasan" in texts(await chat.text(RUDI, "/ekspor"))
    assert "hanya untuk admin" in texts(await chat.text(DEWI, "/ekspor 2026-11 Sekretariat"))
    # Sari leaves at the end of the 23rd (an import without her): Dewi's export keeps her day
    chat.clock.current = dt.datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    await run_import(chat.db, chat.clock, small_office())
    out = await chat.text(DEWI, "/ekspor 2026-11")
    book = openpyxl.load_workbook(io.BytesIO(next(o.reply.attachment for o in out if o.reply.attachment).content))
    assert sorted(book.sheetnames[1:]) == sorted([STAF, "199106062016021006"])
    head = await chat.text(BUDI, "/ekspor 2026-11")  # the head of office: his subtree is everyone else
    sheets = openpyxl.load_workbook(io.BytesIO(next(o.reply.attachment for o in head if o.reply.attachment).content))
    assert len(sheets.sheetnames) == 1 + 5


async def test_a_supervisors_export_says_whose_people_it_holds(chat):
    import io

    import openpyxl

    # Dewi's /ekspor holds her own people only; its summary sheet said "Unit Kerja: Semua unit" all the same,
    # so the file, passed on to HR, read as the whole office's recap.
    out = await chat.text(DEWI, "/ekspor 2026-11")
    book = openpyxl.load_workbook(io.BytesIO(next(o.reply.attachment for o in out if o.reply.attachment).content))
    assert [book["Ringkasan"]["A3"].value, book["Ringkasan"]["B3"].value] == ["Unit Kerja", "Bawahan Dewi Lestari"]
    await chat.text(DEWI, "/bahasa")
    await chat.tap(DEWI, "lang:en")
    out = await chat.text(DEWI, "/ekspor 2026-11")
    book = openpyxl.load_workbook(io.BytesIO(next(o.reply.attachment for o in out if o.reply.attachment).content))
    assert book["Summary"]["B3"].value == "People under Dewi Lestari"
    out = await chat.text(BUDI, "/ekspor 2026-11")  # the head of office (no admin): everyone below him
    book = openpyxl.load_workbook(io.BytesIO(next(o.reply.attachment for o in out if o.reply.attachment).content))
    assert book["Ringkasan"]["B3"].value == "Bawahan Budi Santoso"


async def test_a_returned_report_fixed_after_the_deadline_keeps_its_first_lateness(chat, clock, db):
    await report(chat, RUDI, "Tepat waktu.")
    give_back = next(a for a in review_buttons(await chat.text(DEWI, "/rekap")) if a.startswith("rt:"))
    await chat.tap(DEWI, give_back)
    await chat.text(DEWI, "Tambahkan foto")
    clock.advance(hours=8)  # after the deadline
    sent = await report(chat, RUDI, "Diperbaiki.")
    assert "ditandai <b>terlambat</b>" not in texts(sent, RUDI) and "tetap tercatat tepat waktu" in texts(sent, RUDI)
    digest = texts(await chat.text(DEWI, "/rekap 2026-11-23"))
    # The time shown is the first submission's, the one its lateness was judged by.
    assert "Rudi Hartono: ✅ WFO, lapor 10.00 WITA" in digest and "1 tepat waktu, 0 terlambat" in digest


async def test_a_report_returned_the_next_morning_is_fixed_for_its_own_day(chat, clock, db):
    await report(chat, RUDI, "Senin: rekap berkas.")
    first = (await reports_of(db))[dt.date(2026, 11, 23)]
    clock.advance(hours=23)  # Tuesday 08.00 WIB: the superior reads Monday's digest
    give_back = next(a for a in review_buttons(await chat.text(DEWI, "/rekap 2026-11-23")) if a.startswith("rt:"))
    await chat.tap(DEWI, give_back)
    told = await chat.text(DEWI, "Tambahkan nomor surat")
    assert "lapor:2026-11-23" in actions(told)  # the notice's button opens Monday's report, not Tuesday's
    today = await chat.text(RUDI, "/lapor")  # /lapor offers it too, beside today's report
    assert "Laporan Anda untuk Senin, 23 November 2026 dikembalikan atasan dan belum diperbaiki" in texts(today)
    assert "lapor:2026-11-23" in actions(today) and "ringkasan hasil kerja hari ini" in texts(today)
    opened = await chat.tap(RUDI, "lapor:2026-11-23")
    assert "Senin: rekap berkas." in texts(opened)  # Monday's summary, offered to keep or rewrite
    preview = await chat.text(RUDI, "Senin: rekap berkas, nomor surat 12/2026.")
    assert "Pratinjau laporan Senin, 23 November 2026" in texts(preview)
    assert "ditandai terlambat" not in texts(preview)  # Tuesday is past Monday's deadline, and it does not matter
    sent = await chat.tap(RUDI, "r:send")
    assert "Perbaikan laporan untuk Senin, 23 November 2026 terkirim" in texts(sent, RUDI)
    assert "mengirim ulang laporan untuk Senin, 23 November 2026" in texts(sent, DEWI)
    stored = await reports_of(db)
    assert set(stored) == {dt.date(2026, 11, 23)}  # no Tuesday report made of Monday's fix
    fixed = stored[dt.date(2026, 11, 23)]
    assert (fixed.status, fixed.summary, fixed.late) == ("submitted", "Senin: rekap berkas, nomor surat 12/2026.", False)
    assert fixed.submitted_at == first.submitted_at and fixed.revision > first.revision
    assert "tidak sedang dikembalikan" in texts(await chat.tap(RUDI, "lapor:2026-11-23"))  # a stale button


async def test_a_fix_button_for_a_report_never_returned_changes_nothing(chat, db):
    await report(chat, RUDI)
    before = await reports_of(db)
    for data in ("lapor:2026-11-20", "lapor:kemarin"):
        out = texts(await chat.tap(RUDI, data))
        assert "tidak sedang dikembalikan" in out or "tidak berlaku" in out
    assert await reports_of(db) == before


async def reports_of(db):
    from sqlmodel import select

    from storage.day_tables import Report
    async with db.uow() as uow:
        rows = (await uow.session.execute(select(Report))).scalars().all()
        return {r.day: SimpleNamespace(**r.model_dump()) for r in rows}


async def test_a_supervisors_digest_and_team_of_a_sunday_say_libur_not_missing(chat, clock):
    clock.current = dt.datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # the office joined on Monday the 23rd
    sunday = texts(await chat.text(DEWI, "/rekap 2026-11-29"))
    assert "belum lapor" not in sunday.split("Total")[0] and "Rudi Hartono: 🏖️ Libur" in sunday
    assert "0 belum lapor, 2 berhalangan" in sunday
    clock.current = dt.datetime(2026, 11, 29, 3, 0, tzinfo=UTC)  # Sunday 10.00 WIB: no work days were made
    team = texts(await chat.text(DEWI, "/tim"))
    assert "Rudi Hartono — Libur · Libur" in team and "WFO" not in team
    member = await chat.tap(DEWI, next(a for a in actions(await chat.text(DEWI, "/tim")) if a.startswith("tim:")))
    assert texts(member).split("\n")[1] == "Status: Libur"


def test_digest_json_gives_times_in_utc_to_the_second():
    from bot.domain.workday import Mode
    from bot.ports import PersonRow
    from bot.services.digest import Line
    from bot.services.digest_query import SupervisorDigest, as_record

    boss = PersonRow(1, KASI, "Dewi Lestari", "Kepala Seksi", "Seksi Timur", None, None, "staff", True, None, None)
    sent = dt.datetime(2026, 11, 23, 10, 0, 5, 244772, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    line = Line(2, "Rudi Hartono", Mode.WFH, "on_time", sent, 1, 2, 3, report_id=9)
    record = as_record(SupervisorDigest(boss, [line], {2: STAF}, "Asia/Jakarta"), dt.date(2026, 11, 23))
    assert record["people"][0]["submitted_at"] == "2026-11-23T02:00:05+00:00"


def test_a_past_days_digest_has_the_people_of_that_day(apel_env, tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from bot.cli.app import app
    from tests.org_rows import write_csv

    runner = CliRunner()

    def at(moment, *args):
        monkeypatch.setenv("FAKE_NOW", moment)
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.stderr
        return result.stdout

    def people_of(day):
        records = json.loads(at("2026-11-25T09:00:00+07:00", "digest", "--date", day, "--format", "json"))
        return {p["name"] for r in records if r["supervisor"]["nip"] == KASI for p in r["people"]}

    rows = small_office()
    at("2026-11-23T06:00:00+07:00", "org", "import", str(write_csv(tmp_path / "a.csv", rows)))
    newcomer = {**rows[4], "nip": "199106062016021006", "name": "Sari Dewi"}
    at("2026-11-23T17:00:00+07:00", "org", "import", str(write_csv(tmp_path / "b.csv", rows + [newcomer])))
    # Rudi leaves on Tuesday morning (transferred out): the import deactivates him.
    at("2026-11-24T08:00:00+07:00", "org", "import", str(write_csv(tmp_path / "c.csv", rows[:4] + [newcomer])))
    assert people_of("2026-11-23") == {"Rudi Hartono"}  # Sari came after Monday's deadline: not hers
    assert people_of("2026-11-24") == {"Sari Dewi"}  # Rudi was gone before Tuesday's


async def test_a_past_days_digest_leaves_out_someone_an_import_had_out_that_day(db):
    # Rudi is left out of the import on Tuesday 10 November and brought back by the one on Friday 20: Dewi's
    # digest of Monday 16 was never his to be missing from, whatever the org chart says today.
    from bot.services.digest_query import digests_for
    from tests.conftest import FakeClock

    def utc(day, hour):
        return dt.datetime(2026, 11, day, hour, 0, tzinfo=UTC)

    await run_import(db, FakeClock(utc(1, 0)), small_office())
    await run_import(db, FakeClock(utc(10, 1)), [r for r in small_office() if r["nip"] != STAF])
    await run_import(db, FakeClock(utc(20, 9)), small_office())

    async def people_of(day):
        async with db.uow() as uow:
            items = await digests_for(uow, day=dt.date(2026, 11, day), unit=None)
        return {line.name for item in items if item.supervisor.nip == KASI for line in item.lines}

    assert await people_of(9) == {"Rudi Hartono"}
    assert await people_of(16) == set()
    assert await people_of(23) == {"Rudi Hartono"}


async def test_a_supervisor_still_reviews_the_last_report_of_someone_who_left(chat, clock, db):
    await report(chat, RUDI, "Serah terima berkas.")
    clock.advance(hours=23)  # Tuesday 08.00 WIB: Rudi was transferred out overnight
    extra = {"nip": "199106062016021006", "name": "Sari Dewi", "position": "Analis", "unit": "Seksi Timur",
             "supervisor_nip": KASI, "unit_parent": "", "timezone": "", "phone": ""}
    await run_import(db, clock, [r for r in small_office() if r["nip"] != STAF] + [extra])
    monday = await chat.text(DEWI, "/rekap 2026-11-23")
    assert "Rudi Hartono: ✅ WFO, lapor 10.00 WITA" in texts(monday)
    approve = next(a for a in actions(monday) if a.startswith("ap:"))  # his report can still be approved
    assert "disetujui" in texts(await chat.tap(DEWI, approve), DEWI)
    assert "Rudi Hartono" not in texts(await chat.text(DEWI, "/rekap"))  # Tuesday: no longer his team


async def test_the_eye_of_a_past_days_digest_shows_someone_moved_and_deactivated_since_as_that_day(chat, clock, db):
    # Rudi reports on Monday in Seksi Timur (WITA); Tuesday's import moves him to Sekretariat (WIB) under Siti,
    # Wednesday's leaves him out. Dewi's ✅ in Monday's digest still took his report, but the 👁 beside it
    # answered "not available": it read active people only.
    await report(chat, RUDI, "Serah terima berkas.")
    sari = {"nip": "199106062016021006", "name": "Sari Dewi", "position": "Analis", "unit": "Seksi Timur",
            "supervisor_nip": KASI, "unit_parent": "", "timezone": "", "phone": ""}
    clock.advance(days=1)
    await run_import(db, clock, [dict(r, unit="Sekretariat", supervisor_nip=SEK) if r["nip"] == STAF else r
                                 for r in small_office()] + [sari])
    clock.advance(days=1)
    await run_import(db, clock, [r for r in small_office() if r["nip"] != STAF] + [sari])
    eye = next(a for a in actions(await chat.text(DEWI, "/rekap 2026-11-23")) if a.startswith("tim:"))
    seen = texts(await chat.tap(DEWI, eye))
    assert "Rudi Hartono" in seen and "Serah terima berkas." in seen, seen
    assert "Seksi Timur" in seen and "Sekretariat" not in seen  # the unit of that day, and its zone
    assert "10.00 WITA" in seen, seen
    assert "tidak berlaku" in texts(await chat.tap("506", eye))  # still nobody else's
    rudi = eye.split(":")[1]
    assert texts(await chat.tap(DEWI, f"tim:{rudi}:20261125")) == text("id", "common.not_available")  # gone that day


async def test_a_draft_left_overnight_is_not_sent_as_the_next_days_report(chat, clock, db):
    await chat.text(RUDI, "/lapor")
    await chat.text(RUDI, "Setengah jadi.")  # the preview waits for Kirim
    clock.advance(hours=23)  # Tuesday morning
    out = await chat.tap(RUDI, "r:send")
    assert "Laporan ini untuk Senin, 23 November 2026, yang sudah berakhir" in texts(out)
    assert await reports_of(db) == {}  # neither Monday's (its day is over) nor Tuesday's


async def test_missing_people_of_a_superior_without_a_chat_are_escalated_to_the_next_one_up(chat, clock, db):
    routine = Routine(db.uow, clock=clock, default_language="id")
    async with db.uow() as uow:
        await uow.people.mark_unreachable(Channel.TELEGRAM, DEWI, clock.now())  # Dewi blocked the bot
        await uow.commit()
    clock.current = dt.datetime(2026, 11, 23, 8, 31, tzinfo=UTC)  # 16.31 WITA: Seksi Timur's deadline + 30 min
    out = await routine.escalations(clock.current)
    to_andi = [o.reply.text for o in out if o.external_id == ANDI]
    assert to_andi == ["⚠️ 1 orang belum melapor sampai batas waktu:\n• Dewi Lestari\n\n"  # Andi's own, then Dewi's
                       "⚠️ 2 orang di tim Dewi Lestari belum melapor sampai batas waktu; Dewi Lestari belum "
                       "terhubung ke Apel, jadi daftarnya dikirim kepada Anda:\n• Rudi Hartono\n• Sari Dewi"]
    assert [o for o in out if o.external_id == DEWI] == []
    assert await routine.escalations(clock.current) == []  # claimed once, as before


async def test_a_superior_on_cuti_has_their_missing_list_go_up(chat, clock, db):
    async with db.uow() as uow:
        dewi = await uow.people.account_person(Channel.TELEGRAM, DEWI)
        await uow.day.set_mode(dewi, dt.date(2026, 11, 23), "cuti", "leave", "Cuti tahunan")
        await uow.commit()
    clock.current = dt.datetime(2026, 11, 23, 8, 31, tzinfo=UTC)
    out = await Routine(db.uow, clock=clock, default_language="id").escalations(clock.current)
    assert "Dewi Lestari sedang cuti, jadi daftarnya dikirim kepada Anda" in "\n".join(
        o.reply.text for o in out if o.external_id == ANDI)


async def test_a_fixed_report_goes_up_when_the_superior_who_returned_it_blocked_the_bot_since(chat, db):
    await report(chat, RUDI, "Versi pertama.")
    give_back = next(a for a in review_buttons(await chat.text(DEWI, "/rekap")) if a.startswith("rt:"))
    await chat.tap(DEWI, give_back)
    await chat.text(DEWI, "Tambahkan foto")
    async with db.uow() as uow:
        await uow.people.mark_unreachable(Channel.TELEGRAM, DEWI, chat.clock.now())
        await uow.commit()
    again = await report(chat, RUDI, "Versi kedua.")
    assert texts(again, DEWI) == ""
    notice = [o for o in again if o.external_id == ANDI]
    assert "mengirim ulang" in notice[0].reply.text and any(a.startswith("ap:") for a in actions(notice))


async def test_a_past_days_rekap_lists_that_days_people_and_their_supervisor_of_that_day_reviews(chat, clock, db):
    # Rudi reports on Monday 23; an import on Tuesday moves him to Sekretariat, under Siti.
    await report(chat, RUDI)
    clock.advance(days=1)
    moved = [dict(r, unit="Sekretariat", supervisor_nip=SEK) if r["nip"] == STAF else r for r in small_office()]
    sari = {"nip": "199106062016021006", "name": "Sari Dewi", "position": "Analis", "unit": "Seksi Timur",
            "supervisor_nip": KASI, "unit_parent": "", "timezone": "", "phone": ""}
    await run_import(db, clock, moved + [sari])
    # Monday's digest is still Dewi's with Rudi in it (it listed him under Siti, his supervisor of today).
    assert "Rudi Hartono" in texts(await chat.text(DEWI, "/rekap 2026-11-23"))
    assert "Rudi Hartono" not in texts(await chat.text(SITI, "/rekap 2026-11-23"))
    # Dewi reviews the reports of the days he was hers, from that digest (as his chain of today may); someone
    # in neither chain may not (it was "his chain of today" only: Dewi's buttons on him were refused).
    digest = await chat.text(DEWI, "/rekap 2026-11-23")
    assert "tidak berlaku" in texts(await chat.tap("506", next(a for a in review_buttons(digest) if a.startswith("ap:"))))
    assert await _report_status_of(db, STAF) == "submitted"
    assert "1 laporan tepat waktu" in texts(await chat.tap(DEWI, "apall:20261123"), DEWI)
    assert await _report_status_of(db, STAF) == "approved"
    assert "Rudi Hartono" in texts(await chat.text(SITI, "/rekap 2026-11-24"))


async def test_the_eye_of_a_past_days_digest_shows_that_day_to_the_supervisor_of_that_day(chat, clock, db):
    # Rudi reports on Monday 23 with a picture; an import on Tuesday has him report to Siti. Dewi's 👁 on him in
    # Monday's digest was refused (it checked his chain of today only) while ✅ ↩️ beside it were accepted.
    await chat.photo(RUDI)
    await report(chat, RUDI, "Poster kampanye selesai.")
    clock.advance(days=1)
    sari = {"nip": "199106062016021006", "name": "Sari Dewi", "position": "Analis", "unit": "Seksi Timur",
            "supervisor_nip": KASI, "unit_parent": "", "timezone": "", "phone": ""}  # Dewi keeps a team
    await run_import(db, clock, [dict(r, supervisor_nip=SEK) if r["nip"] == STAF else r for r in small_office()]
                     + [sari])
    eye = next(a for a in actions(await chat.text(DEWI, "/rekap 2026-11-23")) if a.startswith("tim:"))
    assert eye.endswith(":20261123")  # the digest's day, not the tap's
    seen = await chat.tap(DEWI, eye)
    assert "Rudi Hartono" in texts(seen) and "Poster kampanye selesai." in texts(seen)
    assert "Senin, 23 November 2026" in texts(seen)  # that day's, said so
    assert any(o.reply.attachment for o in seen)  # the day's picture
    assert "Poster kampanye selesai." in texts(await chat.tap(SITI, eye))  # his chain of today may too
    # Neither Dewi's view of his today (no longer hers), nor someone in neither chain.
    rudi = eye.split(":")[1]
    assert "tidak berlaku" in texts(await chat.tap(DEWI, f"tim:{rudi}"))
    assert "tidak berlaku" in texts(await chat.tap("506", eye))
    assert "Poster" not in texts(await chat.tap(DEWI, f"tim:{rudi}:20261124"))  # nor another day of his
