"""The month export of leave asked and decided in chat: each elapsed workday counts once, as leave or by its
report, never both (the numbers feed the performance allowance)."""

import datetime as dt

from bot.services.month_export import build_month
from tests.chat_harness import actions, texts
from tests.org_rows import STAF
from tests.test_conversation_roles import DEWI, RUDI, chat  # noqa: F401  (the fixture)

DECEMBER_1 = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)


async def send_report(chat):
    await chat.text(RUDI, "/lapor")
    await chat.tap(RUDI, "r:next")
    await chat.text(RUDI, "Menyusun rekap data")
    return await chat.tap(RUDI, "r:send")


async def rudis_month(db, clock):
    clock.current = DECEMBER_1
    async with db.uow() as uow:
        month = await build_month(uow, month=dt.date(2026, 11, 1), unit=None, now=clock.now())
    (row,) = [r for r in month.summary_rows if r.nip == STAF]
    (log,) = [p for p in month.people if p.nip == STAF]
    return row, log


async def test_sick_leave_approved_after_the_days_report_counts_that_day_once_as_leave(chat, db, clock):
    assert "Laporan terkirim" in texts(await send_report(chat))  # Monday 23, 10.00 WITA
    await chat.tap(RUDI, "lv:sakit")  # then he falls ill and goes home
    await chat.tap(RUDI, "lv:days:1")
    asked = await chat.text(RUDI, "Demam tinggi")
    await chat.tap(DEWI, next(a for a in actions(asked) if a.endswith(":y")))
    row, log = await rudis_month(db, clock)
    # 23–30 November: six elapsed workdays; the 23rd is sick leave, the other five have no report.
    assert (row.elapsed, row.leave, row.on_time, row.late, row.missing) == (6, 1, 0, 0, 5)
    assert row.wfh + row.wfo + row.leave == row.elapsed
    assert row.on_time + row.late + row.missing + row.leave == row.elapsed
    # What he wrote before falling ill stays in his sheet.
    assert [r.activity for r in log.rows if r.day == dt.date(2026, 11, 23)] == ["Tidak ada tugas tercatat"]
