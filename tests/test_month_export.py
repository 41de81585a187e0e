"""The month export: a scripted November 2026 of the small office, built, written as XLSX and CSV, read back.

The script (now: Friday 20 November 2026, 10.00 UTC = 17.00 WIB / 18.00 WITA: that day's deadline has passed
everywhere). 10 November is a local holiday of Bidang Timur (and so of Seksi Timur below it), not of the rest.
Rudi (Seksi Timur, WITA):
  Mon 2  WFH, two tasks, sent 15.20 on time, approved by Dewi on Tue 3 at 08.10; evidence: 2 on the first task,
         1 without a task
  Tue 3  WFO, one task, sent 16.30: late
  Wed 4  nothing (missing)
  Thu 5  cuti
  Fri 6  piket, sent on time, returned by Dewi with a note
  Mon 9  a draft that was never sent (missing)
  Sat 14 a report on a Saturday (counted on time; not a workday)
  Mon 23 rostered WFH ahead (future: counted nowhere)
Dewi (Seksi Timur): sakit on the 2nd, dl on the 3rd, never reports.
Budi (Dinas, WIB): one report on Tue 10 (a workday for Dinas), sent 15.20 WIB."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

from bot.cli.context import run_async
from bot.cli.export_cli import export_command
from bot.cli.usage_errors import ApelGroup
from bot.day_records import NewEvidence
from bot.exports import export_bytes, render
from bot.exports.workbook import CSV_ACTIVITY, safe, write_csv, write_xlsx
from bot.services import month_export
from bot.services.calendar_admin import add_entry
from bot.services.errors import ServiceError
from bot.services.month_export import build_month, export_filename, parse_month
from bot.texts import format_date
from storage.unit_of_work import Database
from tests.conftest import FakeClock
from tests.org_rows import HEAD, KABID, KASI, SEK, STAF, small_office
from tests.sql_statements import recorded_statements
from tests.test_conversation_roles import RUDI, chat  # noqa: F401  (the fixture)
from tests.test_org_import import run_import

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
NOVEMBER = dt.date(2026, 11, 1)
LOG_HEADERS = ["Hari/Tanggal", "No", "Jam", "Uraian Kegiatan", "Hasil/Output", "Status", "Disetujui oleh",
               "Disetujui pada", "Bukti"]
SUMMARY_HEADERS = ["Unit Kerja", "NIP", "Nama", "Jabatan", "Hari kerja", "Hari kerja berlalu", "WFH",
                   "WFO (termasuk piket)", "Cuti/Sakit/DL", "Lapor tepat waktu", "Lapor terlambat", "Tidak melapor",
                   "Disetujui", "Dikembalikan"]
COUNT_KEYS = ("workdays", "elapsed", "wfh", "wfo", "leave", "on_time", "late", "missing", "approved", "returned")
# (workdays, elapsed, wfh, wfo, leave, on_time, late, missing, approved, returned)
EXPECTED = {
    HEAD: (21, 15, 0, 15, 0, 1, 0, 14, 0, 0),
    KABID: (20, 14, 0, 14, 0, 0, 0, 14, 0, 0),
    KASI: (20, 14, 0, 12, 2, 0, 0, 12, 0, 0),
    STAF: (20, 14, 1, 12, 1, 3, 1, 10, 1, 1),
    SEK: (21, 15, 0, 15, 0, 0, 0, 15, 0, 0),
}


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


def nov(day: int) -> dt.date:
    return dt.date(2026, 11, day)


async def sent(uow, person: int, day: dt.date, lines: list[tuple[int, str, str]], *, at: dt.datetime, late=False,
               summary: str | None = None, status: str = "submitted") -> int:
    await uow.day.save_report(
        person, day, status=status, summary=summary,
        task_lines=[{"id": i, "title": title, "status": state} for i, title, state in lines],
        evidence_count=0, late=late, submitted_at=at if status != "draft" else None, at=at,
    )
    return (await uow.day.report(person, day)).id


async def proof(uow, person: int, day: dt.date, task: int | None, n: int) -> int:
    return await uow.day.add_evidence(NewEvidence(
        person_id=person, day=day, task_id=task, kind="photo", sha256=f"{n:064x}", path=f"/m/{n}.jpg",
        thumb_path=None, mime="image/jpeg", filename=None, size=100, album=None, caption=None,
        received_at=dt.datetime.combine(day, dt.time(3, n), tzinfo=dt.UTC),
    ))


async def script_november(db) -> dict:
    """Write the month above; returns person ids by NIP and the evidence ids."""
    clock = FakeClock(utc(1, 0))
    await run_import(db, clock, small_office())
    async with db.uow() as uow:
        ids = {p.nip: p.id for p in await uow.org.list_people(None, include_inactive=False)}
        rudi, dewi, budi = ids[STAF], ids[KASI], ids[HEAD]
        await add_entry(uow, day=nov(10), kind="holiday", name="Libur daerah", unit="Bidang Timur", actor="test",
                        now=utc(1, 0))
        # Mon 2: WFH, approved, evidence
        await uow.day.set_mode(rudi, nov(2), "wfh", "roster", None)
        t1 = await uow.day.add_task(rudi, "Menyusun laporan bulanan", nov(2), "own", None, utc(2, 1), True)
        t2 = await uow.day.add_task(rudi, "=SUM(A1)", nov(2), "own", None, utc(2, 1), True)
        e1, e2 = await proof(uow, rudi, nov(2), t1, 1), await proof(uow, rudi, nov(2), t1, 2)
        e3 = await proof(uow, rudi, nov(2), None, 3)
        report = await sent(uow, rudi, nov(2), [(t1, "Menyusun laporan bulanan", "done"), (t2, "=SUM(A1)", "in_progress")],
                            at=utc(2, 7, 20), summary="Laporan bulanan selesai.")
        assert await uow.day.review(report, status="approved", by=dewi, note=None, at=utc(3, 0, 10), revision=1)
        # Tue 3: late
        await uow.day.set_mode(rudi, nov(3), "wfo", "roster", None)
        t3 = await uow.day.add_task(rudi, "Rapat koordinasi", nov(3), "assigned", dewi, utc(3, 1), True)
        await sent(uow, rudi, nov(3), [(t3, "Rapat koordinasi", "done")], at=utc(3, 8, 30), late=True)
        # Thu 5: leave; Fri 6: piket, returned
        await uow.day.set_mode(rudi, nov(5), "cuti", "leave", "urusan keluarga")
        await uow.day.set_mode(rudi, nov(6), "piket", "roster", None)
        t4 = await uow.day.add_task(rudi, "Piket layanan", nov(6), "own", None, utc(6, 1), True)
        report = await sent(uow, rudi, nov(6), [(t4, "Piket layanan", "blocked")], at=utc(6, 7), summary="Piket.")
        assert await uow.day.review(report, status="returned", by=dewi, note="Lampirkan bukti", at=utc(6, 9),
                                    revision=1)
        # Mon 9: a draft only; Sat 14: a weekend report; Mon 23: rostered ahead
        await sent(uow, rudi, nov(9), [], at=utc(9, 7), status="draft", summary="belum")
        await sent(uow, rudi, nov(14), [], at=utc(14, 3), summary="Lembur input data.")
        await uow.day.set_mode(rudi, nov(23), "wfh", "roster", None)
        # Dewi: sick, field duty; Budi: one report on the 10th
        await uow.day.set_mode(dewi, nov(2), "sakit", "leave", "demam")
        await uow.day.set_mode(dewi, nov(3), "dl", "leave", None)
        t5 = await uow.day.add_task(budi, "Memimpin apel", nov(10), "own", None, utc(10, 0), True)
        await sent(uow, budi, nov(10), [(t5, "Memimpin apel", "done")], at=utc(10, 8, 20))
        await uow.commit()
    return {"ids": ids, "evidence": (e1, e2, e3)}


@pytest.fixture
async def november(db):
    return await script_november(db)


async def built(db, **kw):
    async with db.uow() as uow:
        return await build_month(uow, month=NOVEMBER, unit=kw.pop("unit", None), now=kw.pop("now", NOW), **kw)


def sheet_rows(ws, first: int) -> list[list]:
    """The cells' values; a date as the sheet shows it in Indonesian ("Senin, 2 November 2026")."""
    return [[_shown(c.value) for c in row] for row in ws.iter_rows(min_row=first)]


def _shown(value):
    return format_date(value.date(), "id") if isinstance(value, dt.datetime) else value


def day_rows(ws, day_text: str) -> list[list]:
    """The rows of one day: the first has the date (column A is merged over the rest)."""
    rows = sheet_rows(ws, 9)
    start = next(i for i, r in enumerate(rows) if r[0] == day_text)
    out = [rows[start]]
    for r in rows[start + 1:]:
        if r[0] is not None or r[1] == 1:
            break
        out.append(r)
    return out


async def test_the_workbook_has_the_layout_and_the_numbers_of_the_month(db, november, tmp_path):
    e1, e2, e3 = november["evidence"]
    path = tmp_path / "nov.xlsx"
    write_xlsx(await built(db), path)
    wb = openpyxl.load_workbook(path)

    # Summary first, then one sheet per person named by NIP, units in tree order.
    assert wb.sheetnames == ["Ringkasan", HEAD, KABID, KASI, STAF, SEK]

    ws = wb[STAF]
    assert [ws["A1"].value, ws["B2"].value, ws["B3"].value, ws["B4"].value, ws["B5"].value, ws["B6"].value] == [
        "LAPORAN HARIAN PELAKSANAAN TUGAS", "Rudi Hartono", STAF, "Pranata Komputer", "Seksi Timur", "November 2026"]
    assert [c.value for c in ws[8]] == LOG_HEADERS
    assert all(c.font.bold for c in ws[8])
    assert ws.freeze_panes == "A9"
    assert ws["B3"].data_type == "s" and ws["B3"].number_format == "@"  # the NIP stays text
    assert ws.column_dimensions["D"].width == 48 and ws["D9"].alignment.wrap_text

    # Monday 2: two task lines, the time in WITA, approved, evidence per task and for the day.
    monday = day_rows(ws, "Senin, 2 November 2026")
    assert monday == [
        ["Senin, 2 November 2026", 1, "15.20", "Menyusun laporan bulanan",
         "Selesai\nRingkasan: Laporan bulanan selesai.", "Disetujui", "Dewi Lestari",
         "Selasa, 3 November 2026 08.10 WITA", f"2 bukti: #{e1}, #{e2}\n1 bukti tanpa tugas: #{e3}"],
        [None, 2, "15.20", "=SUM(A1)", "Sedang dikerjakan", "Disetujui", "Dewi Lestari",
         "Selasa, 3 November 2026 08.10 WITA", None],
    ]
    first = next(r for r in range(9, ws.max_row + 1) if _shown(ws.cell(r, 1).value) == "Senin, 2 November 2026")
    # Hari/Tanggal is a date cell, shown in Indonesian words by Excel's locale code: it sorts and filters.
    day_cell = ws.cell(first, 1)
    assert day_cell.is_date and day_cell.value.date() == dt.date(2026, 11, 2)
    assert day_cell.number_format == "[$-421]dddd, d mmmm yyyy"
    assert f"A{first}:A{first + 1}" in {str(m) for m in ws.merged_cells.ranges}
    formula_cell = ws.cell(first + 1, 4)
    # Shown as typed, as text with Excel's hidden quote prefix: never run, no apostrophe in the cell.
    assert formula_cell.data_type == "s" and formula_cell.value == "=SUM(A1)" and formula_cell.quotePrefix

    assert day_rows(ws, "Selasa, 3 November 2026") == [
        ["Selasa, 3 November 2026", 1, "16.30", "Rapat koordinasi", "Selesai", "Terkirim, terlambat", None, None,
         None]]
    assert day_rows(ws, "Rabu, 4 November 2026")[0][3:6] == ["Tidak ada laporan", None, "Tidak melapor"]
    assert day_rows(ws, "Kamis, 5 November 2026")[0][3:6] == ["Cuti", None, "Tidak wajib melapor"]
    assert day_rows(ws, "Jumat, 6 November 2026")[0][2:7] == [
        "15.00", "Piket layanan", "Ada kendala\nRingkasan: Piket.", "Dikembalikan: Lampirkan bukti", None]
    assert day_rows(ws, "Senin, 9 November 2026")[0][3] == "Tidak ada laporan"  # a draft is not a report
    assert day_rows(ws, "Sabtu, 14 November 2026")[0][1:6] == [
        1, "11.00", "Tidak ada tugas tercatat", "Lembur input data.", "Terkirim"]
    dates = [r[0] for r in sheet_rows(ws, 9) if r[0]]
    assert "Selasa, 10 November 2026" not in dates  # the local holiday of Bidang Timur
    assert dates[-1] == "Jumat, 20 November 2026" and len(dates) == 15  # 14 elapsed workdays and a Saturday
    assert len(sheet_rows(ws, 9)) == 16

    # Budi's report on the 10th (a workday for Dinas), at 15.20 in his zone (WIB).
    assert day_rows(wb[HEAD], "Selasa, 10 November 2026")[0][1:6] == [
        1, "15.20", "Memimpin apel", "Selesai", "Terkirim"]

    # The summary: per person, then the unit's total.
    summary = wb["Ringkasan"]
    assert summary["A1"].value == "REKAPITULASI LAPORAN HARIAN PELAKSANAAN TUGAS"
    assert [summary["B2"].value, summary["B3"].value] == ["November 2026", "Semua unit"]
    assert [c.value for c in summary[6]] == SUMMARY_HEADERS
    assert all(c.font.bold for c in summary[6]) and summary.freeze_panes == "D7"
    rows = sheet_rows(summary, 7)
    people = {r[1]: r for r in rows if r[1]}
    assert {nip: tuple(r[4:]) for nip, r in people.items()} == EXPECTED
    assert people[STAF][:4] == ["Seksi Timur", STAF, "Rudi Hartono", "Pranata Komputer"]
    nip_cells = [summary.cell(r, 2) for r in range(7, summary.max_row + 1) if summary.cell(r, 2).value]
    assert len(nip_cells) == 5 and all(c.data_type == "s" and c.number_format == "@" for c in nip_cells)
    totals = {r[2]: tuple(r[4:]) for r in rows if not r[1]}
    assert totals["Jumlah Seksi Timur"] == (40, 28, 1, 24, 3, 3, 1, 22, 1, 1)
    assert totals["Jumlah Dinas"] == EXPECTED[HEAD]
    assert totals["Jumlah seluruhnya"] == (102, 72, 1, 68, 3, 4, 1, 65, 1, 1)
    assert [r[2] for r in rows] == ["Budi Santoso", "Jumlah Dinas", "Andi Wijaya", "Jumlah Bidang Timur",
                                    "Dewi Lestari", "Rudi Hartono", "Jumlah Seksi Timur", "Siti Aminah",
                                    "Jumlah Sekretariat", "Jumlah seluruhnya"]


async def test_a_unit_export_holds_its_subtree_only_and_future_days_are_not_missing(db, november, tmp_path):
    export = await built(db, unit="bidang timur", now=utc(4, 12))  # Wed 4, 20.00 WITA: Mon–Wed have passed
    assert export.scope == "Bidang Timur"
    assert [p.nip for p in export.people] == [KABID, KASI, STAF]
    dewi = next(r for r in export.summary_rows if r.nip == KASI)
    assert tuple(getattr(dewi, k) for k in COUNT_KEYS) == (20, 3, 0, 1, 2, 0, 0, 1, 0, 0)
    assert [(r.day.day, r.activity) for r in export.people[1].rows] == [
        (2, "Sakit"), (3, "Dinas luar"), (4, "Tidak ada laporan")]
    # Before Wednesday's deadline (16.00 WITA = 08.00 UTC) that day is neither counted nor listed yet.
    early = await built(db, unit="Seksi Timur", now=utc(4, 8) - dt.timedelta(minutes=1))
    dewi = next(p for p in early.people if p.nip == KASI)
    assert [r.day.day for r in dewi.rows] == [2, 3]
    assert next(r for r in early.summary_rows if r.nip == KASI).missing == 0


async def test_days_before_the_office_was_imported_are_neither_workdays_nor_missing(db):
    # An office that starts using Apel on Wednesday 18 November: the 2nd to the 17th were never asked of anyone.
    await run_import(db, FakeClock(dt.datetime(2026, 11, 18, 1, 0, tzinfo=dt.UTC)), small_office())
    export = await built(db)  # Friday 20 November, after the deadline
    rudi = next(r for r in export.summary_rows if r.nip == STAF)
    assert (rudi.workdays, rudi.elapsed, rudi.missing) == (9, 3, 3)  # 18–30 November; the 18th to the 20th passed
    assert [r.day.day for r in next(p for p in export.people if p.nip == STAF).rows] == [18, 19, 20]


async def test_a_person_added_after_the_deadline_owes_nothing_for_that_day(db):
    # HR imports the new Simpeg export on Tuesday 3 November at 17.00 WITA, after that day's deadline (16.00
    # WITA): Tuesday was never asked of the newcomer (no briefing, no reminder); Wednesday is their first day.
    await run_import(db, FakeClock(utc(1, 0)), small_office())
    newcomer = {"nip": "199501012020012011", "name": "Nina Marlina", "position": "Pranata Komputer",
                "unit": "Seksi Timur", "supervisor_nip": KASI, "unit_parent": "", "timezone": "", "phone": ""}
    report = await run_import(db, FakeClock(utc(3, 9)), small_office() + [newcomer])
    assert report.written and report.people_created == 1
    export = await built(db)  # Friday 20 November, after the deadline
    row = next(r for r in export.summary_rows if r.nip == newcomer["nip"])
    assert (row.workdays, row.elapsed, row.missing) == (19, 13, 13)  # 4–30 November; the 4th to the 20th passed
    assert [r.day.day for r in next(p for p in export.people if p.nip == newcomer["nip"]).rows][:2] == [4, 5]


async def test_people_deactivated_mid_month_keep_the_days_they_were_in(db):
    # Rudi (Seksi Timur, WITA: deadline 16.00 = 08.00 UTC) reports on Monday 2 November, not on Tuesday 3; an
    # import on Wednesday 4 at 09.00 WITA (a transfer out) leaves him out. His allowance for November rests on
    # the 2nd and the 3rd: they stay his, in this export and whenever the month is exported again; the 4th on
    # were never asked of him.
    await run_import(db, FakeClock(utc(1, 0)), small_office())
    async with db.uow() as uow:
        rudi = next(p.id for p in await uow.org.list_people(None, include_inactive=False) if p.nip == STAF)
        await sent(uow, rudi, nov(2), [], at=utc(2, 7), summary="Rekap data.")
        await uow.commit()
    report = await run_import(db, FakeClock(utc(4, 1)), [r for r in small_office() if r["nip"] != STAF])
    assert report.written and report.deactivated == [(STAF, "Rudi Hartono")]
    export = await built(db)  # Friday 20 November, after the deadline
    row = next(r for r in export.summary_rows if r.nip == STAF)
    assert tuple(getattr(row, k) for k in COUNT_KEYS) == (2, 2, 0, 2, 0, 1, 0, 1, 0, 0)
    assert [(r.day.day, r.status) for r in next(p for p in export.people if p.nip == STAF).rows] == [
        (2, "Terkirim"), (3, "Tidak melapor")]
    assert next(u for u in export.units if u.unit == "Seksi Timur").total().workdays == 21 + 2  # Dewi's and his
    # A month after the one he left in does not list him.
    async with db.uow() as uow:
        december = await build_month(uow, month=dt.date(2026, 12, 1), unit=None,
                                     now=dt.datetime(2026, 12, 20, 10, 0, tzinfo=dt.UTC))
    assert STAF not in {p.nip for p in december.people}
    assert KASI in {p.nip for p in december.people}


def _reads(statements: list[str]) -> list[str]:
    return [s for s in statements if s.upper().startswith("SELECT") and "FROM" in s.upper()]  # not pings


async def test_the_month_is_read_with_a_fixed_number_of_queries(db, november, monkeypatch):
    progress = []
    with recorded_statements(db.engine) as statements:
        export = await built(db, progress=lambda done, total: progress.append((done, total)))
    assert len(export.people) == 5
    # units, people, everyone's memberships of the month, schedules, calendar entries, then work days,
    # reports, evidence for the chunk of people
    assert len(_reads(statements)) == 8
    assert progress == [(0, 5), (5, 5)]
    # Large offices are read in chunks of people: three more queries per chunk, and progress after each.
    monkeypatch.setattr(month_export, "CHUNK", 2)
    progress.clear()
    with recorded_statements(db.engine) as statements:
        chunked = await built(db, progress=lambda done, total: progress.append((done, total)))
    assert len(_reads(statements)) == 5 + 3 * 3
    assert progress == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert chunked.summary_rows == export.summary_rows


async def test_csv_rows_and_summary_are_guarded_and_complete(db, november):
    export = await built(db)
    stream = io.StringIO()
    assert write_csv(export, stream) == 16 + 1 + 14 + 14 + 14 + 15  # Rudi, Budi's report and the missing days
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert tuple(rows[0]) == CSV_ACTIVITY
    monday = [r for r in rows[1:] if r[0] == STAF and r[3] == "2026-11-02"]
    assert [r[4:8] for r in monday] == [
        ["1", "15.20", "Menyusun laporan bulanan", "Selesai\nRingkasan: Laporan bulanan selesai."],
        ["2", "15.20", "'=SUM(A1)", "Sedang dikerjakan"],
    ]
    assert monday[0][1:3] == ["Rudi Hartono", "Seksi Timur"]
    assert monday[0][8:11] == ["Disetujui", "Dewi Lestari", "Selasa, 3 November 2026 08.10 WITA"]

    summary = io.StringIO()
    assert write_csv(export, summary, "summary") == 5
    table = list(csv.DictReader(io.StringIO(summary.getvalue())))
    rudi = next(r for r in table if r["nip"] == STAF)
    assert tuple(int(rudi[k]) for k in COUNT_KEYS) == EXPECTED[STAF]
    assert rudi["unit"] == "Seksi Timur"


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+62812", "'+62812"), ("-1+1", "'-1+1"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("Rapat", "Rapat"), (3, 3),
])
def test_formula_looking_text_is_neutralised(value, expected):
    assert safe(value) == expected


async def test_export_bytes_gives_the_file_name_and_content_for_a_document(db, november):
    async with db.uow() as uow:
        name, content = await export_bytes(uow, month="2026-11", unit="Seksi Timur", fmt="xlsx", now=NOW)
    assert name == "apel-2026-11-seksi-timur.xlsx"
    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == ["Ringkasan", KASI, STAF]
    async with db.uow() as uow:
        name, content = await export_bytes(uow, month="2026-11", unit=None, fmt="csv", now=NOW, summary=True)
    assert name == "apel-2026-11-ringkasan.csv"
    assert content.startswith("\ufeffnip,name,position,unit,workdays".encode())
    async with db.uow() as uow:
        with pytest.raises(ServiceError) as refused:
            await export_bytes(uow, month="2026-11", unit="Tidak Ada", fmt="xlsx", now=NOW)
    assert (refused.value.code, refused.value.params) == ("unit.unknown", {"unit": "Tidak Ada"})


async def test_an_export_with_nobody_in_it_is_refused(db):
    await run_import(db, FakeClock(NOW), small_office())
    async with db.uow() as uow:
        with pytest.raises(ServiceError) as refused:
            await build_month(uow, month=NOVEMBER, unit=None, now=NOW, below=-1)
    assert refused.value.code == "export.no_people"


def test_months_formats_and_file_names_are_checked():
    assert parse_month("2026-11") == NOVEMBER and parse_month(" 2026-2 ") == dt.date(2026, 2, 1)
    for bad in ("2026-13", "11-2026", "2026/11", "", "2026-00"):
        with pytest.raises(ServiceError) as refused:
            parse_month(bad)
        assert refused.value.code == "export.bad_month"
    with pytest.raises(ServiceError) as refused:
        render(None, "pdf")
    assert refused.value.code == "export.bad_format"
    assert export_filename(NOVEMBER, "Subbagian Umum – Dinas Kominfo", "xlsx") == \
        "apel-2026-11-subbagian-umum-dinas-kominfo.xlsx"


# The CLI, through a throwaway app (app.py registers the command for real) whose usage errors are apel's.
cli = typer.Typer(cls=ApelGroup)
cli.command("export")(run_async(export_command))
cli.command("noop")(lambda: None)  # a second command keeps "export" a subcommand
runner = CliRunner()


@pytest.fixture
def seeded_env(apel_env, db_target, monkeypatch):
    url, schema = db_target

    async def seed():
        database = Database(url, schema=schema)
        try:
            await script_november(database)
        finally:
            await database.dispose()

    asyncio.run(seed())
    monkeypatch.setenv("FAKE_NOW", NOW.isoformat())
    return apel_env


def test_the_cli_writes_the_workbook_and_says_where(seeded_env, tmp_path):
    result = runner.invoke(cli, ["export", "--month", "2026-11", "--unit", "Seksi Timur"])
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "apel-2026-11-seksi-timur.xlsx"
    assert result.stderr.strip() == f"Export of November 2026 written to {path.name}: 2 people, 30 rows."
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", KASI, STAF]  # DEFAULT_LANGUAGE=en in the test environment
    assert [c.value for c in wb[STAF][8]][:4] == ["Day/Date", "No", "Time", "Activity"]
    people = {r[1]: r for r in sheet_rows(wb["Summary"], 7) if r[1]}
    assert tuple(people[STAF][4:]) == EXPECTED[STAF]


def test_the_cli_writes_csv_to_stdout_and_refuses_bad_input(seeded_env, tmp_path):
    result = runner.invoke(cli, ["export", "--month", "2026-11", "--format", "csv", "--summary", "--out", "-"])
    assert result.exit_code == 0, result.stderr
    table = {r["nip"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert set(table) == {HEAD, SEK, KABID, KASI, STAF}
    assert tuple(int(table[SEK][k]) for k in COUNT_KEYS) == EXPECTED[SEK]

    out = tmp_path / "rows.csv"
    result = runner.invoke(cli, ["export", "--month", "2026-11", "-f", "CSV", "--out", str(out)])  # -f as elsewhere
    assert result.exit_code == 0, result.stderr
    assert len(list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))) == 1 + 74

    bad = runner.invoke(cli, ["export", "--month", "2026-13"])
    assert bad.exit_code == 2 and "--month does not accept '2026-13'" in bad.stderr  # a usage error
    # A format that is not a choice is a usage error like every other --format: exit 2, the choices named.
    bad = runner.invoke(cli, ["export", "--month", "2026-11", "--format", "pdf"])
    assert bad.exit_code == 2 and "'pdf'" in bad.stderr  # (the wording: tests/test_cli_usage_errors.py)
    bad = runner.invoke(cli, ["export", "--month", "2026-11", "--unit", "Nowhere"])
    assert bad.exit_code == 1 and "Nowhere" in bad.stderr
    assert not (tmp_path / "apel-2026-11.xlsx").exists()
    # --summary is CSV's; with the default XLSX it was ignored and the whole workbook written without a word.
    bad = runner.invoke(cli, ["export", "--month", "2026-11", "--summary"])
    assert bad.exit_code == 1 and "--summary is for --format csv only" in bad.stderr
    assert not (tmp_path / "apel-2026-11.xlsx").exists()


async def test_text_xml_cannot_hold_still_gives_a_workbook_that_opens(chat, db, clock):
    # A summary pasted from a PDF or another app can carry U+FFFE / U+FFFF (Unicode "noncharacters"). They
    # are no control characters, so they are stored as typed; but XML cannot hold them, and the workbook
    # came out broken: Excel offered to "repair" it (dropping the sheet's contents), openpyxl could not
    # open it at all.
    await chat.text(RUDI, "/lapor")
    await chat.tap(RUDI, "r:next")
    await chat.text(RUDI, "Rekap data\uffff SPBE\ufffe selesai")
    await chat.tap(RUDI, "r:send")
    async with db.uow() as uow:
        _, content = await export_bytes(uow, month="2026-11", unit="Seksi Timur", fmt="xlsx",
                                        now=dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC))
    ws = openpyxl.load_workbook(io.BytesIO(content))[STAF]
    assert day_rows(ws, "Senin, 23 November 2026")[0][4] == "Rekap data SPBE selesai"


async def test_people_added_after_the_month_are_not_in_it(db, november):
    # Nina joins on Wednesday 2 December. HR exports November again for the allowance: she was never in
    # November. She was listed all the same, with 0 workdays and a sheet saying no workday "has passed yet".
    newcomer = {"nip": "199501012020012011", "name": "Nina Marlina", "position": "Pranata Komputer",
                "unit": "Seksi Timur", "supervisor_nip": KASI, "unit_parent": "", "timezone": "", "phone": ""}
    report = await run_import(db, FakeClock(dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)),
                              small_office() + [newcomer])
    assert report.written and report.people_created == 1
    export = await built(db, now=dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC))
    assert newcomer["nip"] not in {p.nip for p in export.people} | {r.nip for r in export.summary_rows}
    assert len(export.people) == 5
    # A month before anyone was in Apel (October typed for December) has nobody in it: refused, not a
    # workbook of everyone with zeros.
    async with db.uow() as uow:
        with pytest.raises(ServiceError) as refused:
            await build_month(uow, month=dt.date(2026, 10, 1), unit=None, now=NOW)
    # The scope as the summary sheet heads it: the refusal said "(unit: -)" for the whole office.
    assert (refused.value.code, refused.value.params) == ("export.nobody_in_month",
                                                          {"month": "Oktober 2026", "unit": "Semua unit"})
    async with db.uow() as uow:
        with pytest.raises(ServiceError) as refused:
            await build_month(uow, month=dt.date(2026, 10, 1), unit=None, now=NOW, lang="en", team_of="Dewi")
    assert refused.value.params["unit"] == "People under Dewi"
