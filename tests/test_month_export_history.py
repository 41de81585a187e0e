"""The month export follows the org chart as it stood on each day (table `org_membership`), not as it stands
on the day of the export: a move counts each day with the unit the person was in, and days an import had
someone out (transferred away and back) are not theirs.

November 2026 has no national holiday: 21 weekdays (2–6, 9–13, 16–20, 23–27, 30). Seksi Timur is in WITA
(deadline 16.00 = 08.00 UTC), Sekretariat in WIB (16.00 = 09.00 UTC)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl

from bot.domain.membership import Membership, unit_of_day
from bot.exports.workbook import write_csv, write_xlsx
from bot.services.calendar_admin import add_entry
from bot.services.month_export import build_month
from tests.conftest import FakeClock
from tests.org_rows import KASI, STAF, small_office
from tests.test_month_export import COUNT_KEYS, NOVEMBER, nov, sent, utc
from tests.test_org_import import run_import
from tests.test_org_membership import rudi_in

AFTER_NOVEMBER = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


async def month_of(db, unit: str | None = None):
    async with db.uow() as uow:
        return await build_month(uow, month=NOVEMBER, unit=unit, now=AFTER_NOVEMBER)


def counts(export, nip: str, unit: str) -> tuple:
    (row,) = [r for r in export.summary_rows if r.nip == nip and r.unit == unit]
    return tuple(getattr(row, k) for k in COUNT_KEYS)


async def rudi_moves_on_the_15th(db) -> None:
    """Rudi reports on Tuesday 3 (07.20 UTC) in Seksi Timur; an import on Sunday 15 moves him to Sekretariat,
    where he reports on Monday 16 (08.30 UTC). Local holidays: Bidang Timur (over Seksi Timur) on the 10th
    and the 18th, Sekretariat on the 12th and the 19th."""
    await run_import(db, FakeClock(utc(1, 0)), small_office())
    async with db.uow() as uow:
        for day, unit in ((10, "Bidang Timur"), (18, "Bidang Timur"), (12, "Sekretariat"), (19, "Sekretariat")):
            await add_entry(uow, day=nov(day), kind="holiday", name="Libur daerah", unit=unit, actor="test",
                            now=utc(1, 0))
        rudi = next(p.id for p in await uow.org.list_people(None, include_inactive=False) if p.nip == STAF)
        await sent(uow, rudi, nov(3), [], at=utc(3, 7, 20), summary="Rekap data.")
        await uow.commit()
    report = await run_import(db, FakeClock(utc(15, 1)), rudi_in("Sekretariat"))
    assert report.written
    async with db.uow() as uow:
        await sent(uow, rudi, nov(16), [], at=utc(16, 8, 30), summary="Arsip surat.")
        await uow.commit()


async def test_a_move_counts_the_days_before_it_with_the_old_unit_and_after_it_with_the_new(db):
    await rudi_moves_on_the_15th(db)
    export = await month_of(db)
    # Seksi Timur, 1–14: 2–6, 9, 11–13 (its holiday on the 10th; Sekretariat's on the 12th is not his yet);
    # the 3rd sent, eight missing.
    assert counts(export, STAF, "Seksi Timur") == (9, 9, 0, 9, 0, 1, 0, 8, 0, 0)
    # Sekretariat, 15–30: 16–20, 23–27, 30 but its holiday on the 19th (Seksi Timur's 18th is a workday now);
    # the 16th sent, nine missing.
    assert counts(export, STAF, "Sekretariat") == (10, 10, 0, 10, 0, 1, 0, 9, 0, 0)
    old, new = [p for p in export.people if p.nip == STAF]
    assert (old.unit, old.timezone, new.unit, new.timezone) == (
        "Seksi Timur", "Asia/Makassar", "Sekretariat", "Asia/Jakarta")
    assert [r.day.day for r in old.rows] == [2, 3, 4, 5, 6, 9, 11, 12, 13]
    assert [r.day.day for r in new.rows] == [16, 17, 18, 20, 23, 24, 25, 26, 27, 30]
    # Each report's time in the zone of the unit he was in that day.
    assert next(r.time for r in old.rows if r.day.day == 3) == "15.20"  # WITA
    assert next(r.time for r in new.rows if r.day.day == 16) == "15.30"  # WIB
    # The CSV names the unit of each day.
    stream = io.StringIO()
    write_csv(export, stream)
    units = {(row["date"], row["unit"]) for row in csv.DictReader(io.StringIO(stream.getvalue()))
             if row["nip"] == STAF}
    assert ("2026-11-03", "Seksi Timur") in units and ("2026-11-16", "Sekretariat") in units
    assert not {("2026-11-03", "Sekretariat"), ("2026-11-16", "Seksi Timur")} & units
    # The workbook: a sheet for each unit he was in, each headed with its unit.
    target = io.BytesIO()
    write_xlsx(export, target)
    book = openpyxl.load_workbook(io.BytesIO(target.getvalue()))
    sheets = [ws for ws in book.worksheets if ws.title.startswith(STAF)]
    assert [(ws.title == STAF, ws["B5"].value) for ws in sheets] == [(True, "Seksi Timur"), (False, "Sekretariat")]


async def test_a_unit_export_holds_the_days_someone_spent_in_it(db):
    await rudi_moves_on_the_15th(db)
    east = await month_of(db, "Bidang Timur")
    assert [(p.unit, len(p.rows)) for p in east.people if p.nip == STAF] == [("Seksi Timur", 9)]
    assert counts(east, STAF, "Seksi Timur")[0] == 9
    secretariat = await month_of(db, "Sekretariat")
    assert [(p.unit, len(p.rows)) for p in secretariat.people if p.nip == STAF] == [("Sekretariat", 10)]
    assert {r.unit for r in secretariat.summary_rows} == {"Sekretariat"}


async def test_days_an_import_had_someone_out_are_not_theirs(db):
    # Rudi is left out of the import on Tuesday 10 at 09.00 WITA (before that day's deadline) and brought
    # back by the one on Friday 20 at 17.00 WITA (after it): the 10th to the 20th were never asked of him.
    await run_import(db, FakeClock(utc(1, 0)), small_office())
    out = await run_import(db, FakeClock(utc(10, 1)), [r for r in small_office() if r["nip"] != STAF])
    assert out.deactivated == [(STAF, "Rudi Hartono")]
    back = await run_import(db, FakeClock(utc(20, 9)), small_office())
    assert back.written
    export = await month_of(db)
    # 2–6 and 9, then 23–27 and 30: twelve workdays, all passed, none reported.
    assert counts(export, STAF, "Seksi Timur") == (12, 12, 0, 12, 0, 0, 0, 12, 0, 0)
    (log,) = [p for p in export.people if p.nip == STAF]
    assert [r.day.day for r in log.rows] == [2, 3, 4, 5, 6, 9, 23, 24, 25, 26, 27, 30]
    assert counts(export, KASI, "Seksi Timur")[0] == 21


def test_the_day_of_a_move_is_the_new_units_when_the_move_came_before_its_deadline():
    # Seksi Timur (WITA) -> Sekretariat (WIB) on Monday 16: Seksi Timur's deadline is 08.00 UTC, Sekretariat's
    # 09.00 UTC. Moved at 08.30 UTC: in time for Sekretariat's deadline, so the day is Sekretariat's, once.
    # Moved at 09.30 UTC: after both, the day stays Seksi Timur's (never counted twice, never lost).
    east, secretariat = 1, 2
    deadline = {east: utc(16, 8), secretariat: utc(16, 9)}

    def periods(moved: dt.datetime) -> list[Membership]:
        return [Membership(7, east, True, utc(1, 0), moved), Membership(7, secretariat, True, moved)]

    def of(unit: int, day: dt.date) -> dt.datetime:
        return deadline[unit]

    assert unit_of_day(periods(utc(16, 8, 30)), nov(16), of) == secretariat
    assert unit_of_day(periods(utc(16, 9, 30)), nov(16), of) == east
    assert unit_of_day([Membership(7, east, True, utc(16, 8, 30))], nov(16), of) is None  # added too late
    gone = [Membership(7, east, True, utc(1, 0), utc(16, 7)), Membership(7, east, False, utc(16, 7))]
    assert unit_of_day(gone, nov(16), of) is None
