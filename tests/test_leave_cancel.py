"""A person cancels their own request from /izin: a pending one, or an approved one before its first day
begins (the days get back the mode planned before the approval). The superior who was asked is told."""

import datetime as dt
import json

from sqlalchemy import select

from storage.day_tables import LeaveRequest, WorkDay
from storage.tables import AuditEntry
from tests.chat_harness import actions, texts
from tests.test_conversation_roles import DEWI, RUDI, SITI, chat, ids, table  # noqa: F401  (the fixture)
from tests.org_rows import STAF
from tests.test_permits import izin

TUESDAY, WEDNESDAY = dt.date(2026, 11, 24), dt.date(2026, 11, 25)


def _cancel_buttons(out):
    return [a for a in actions(out) if a.startswith("lvc:")]


async def _cuti(chat, days="24/11-25/11", reason="Acara keluarga"):
    await chat.tap(RUDI, "lv:cuti")
    await chat.text(RUDI, days)
    return await chat.text(RUDI, reason)


async def test_a_pending_request_is_cancelled_from_izin_and_the_superior_is_told(chat, db):
    sent = await izin(chat)
    (request,) = await table(db, LeaveRequest)
    listed = await chat.text(RUDI, "/izin")
    assert "Izin keluar sebentar" in texts(listed)
    assert "menunggu keputusan" in texts(listed)
    assert _cancel_buttons(listed) == [f"lvc:{request.id}"]
    assert "lv:cuti" in actions(listed)  # asking for something new is still offered
    asked = await chat.tap(RUDI, f"lvc:{request.id}")  # a tap too easily made: asked first
    assert "Batalkan Izin keluar sebentar" in texts(asked, RUDI) and texts(asked, DEWI) == ""
    assert actions(asked) == [f"lvc:{request.id}:y", f"lvc:{request.id}:n"]
    assert [r.status for r in await table(db, LeaveRequest)] == ["pending"]
    cancelled = await chat.tap(RUDI, f"lvc:{request.id}:y")
    assert "dibatalkan" in texts(cancelled, RUDI)
    assert "Rudi Hartono membatalkan" in texts(cancelled, DEWI) and "10.00–10.45 WITA" in texts(cancelled, DEWI)
    assert [r.status for r in await table(db, LeaveRequest)] == ["cancelled"]
    late = await chat.tap(DEWI, next(a for a in actions(sent) if a.endswith(":y")))  # the old button
    assert "dibatalkan" in texts(late, DEWI) and texts(late, RUDI) == ""
    assert [r.status for r in await table(db, LeaveRequest)] == ["cancelled"]
    async with db.uow() as uow:
        details = (await uow.session.execute(
            select(AuditEntry.detail).where(AuditEntry.action == "leave_cancelled"))).scalars().all()
    assert [json.loads(d)["was"] for d in details] == ["pending"]
    assert _cancel_buttons(await chat.text(RUDI, "/izin")) == []
    assert "Permintaan dikirim" in texts(await izin(chat, "30 menit", "Ke bank"))  # the time is free again


async def test_an_approved_cuti_cancelled_before_its_first_day_gets_the_planned_modes_back(chat, db):
    rudi = (await ids(db))[STAF]
    async with db.uow() as uow:  # the rotation had planned Tuesday as WFH
        await uow.day.set_mode(rudi, TUESDAY, "wfh", "roster", "Rotasi")
        await uow.commit()
    sent = await _cuti(chat)
    await chat.tap(DEWI, next(a for a in actions(sent) if a.endswith(":y")))
    assert {w.day: w.mode for w in await table(db, WorkDay) if w.person_id == rudi} == {
        TUESDAY: "cuti", WEDNESDAY: "cuti"}
    listed = await chat.text(RUDI, "/izin")
    assert "disetujui" in texts(listed)
    (button,) = _cancel_buttons(listed)
    asked = await chat.tap(RUDI, button)
    assert "hari-harinya kembali ke jadwal semula" in texts(asked, RUDI)
    cancelled = await chat.tap(RUDI, f"{button}:y")
    assert "Rudi Hartono membatalkan" in texts(cancelled, DEWI)
    days = {w.day: (w.mode, w.source, w.reason) for w in await table(db, WorkDay) if w.person_id == rudi}
    assert days == {TUESDAY: ("wfh", "roster", "Rotasi")}  # Wednesday had no plan: the routine plans it
    assert [r.status for r in await table(db, LeaveRequest)] == ["cancelled"]


async def test_an_approved_cuti_that_has_begun_cannot_be_cancelled(chat, db, clock):
    rudi = (await ids(db))[STAF]
    sent = await _cuti(chat)
    await chat.tap(DEWI, next(a for a in actions(sent) if a.endswith(":y")))
    (request,) = await table(db, LeaveRequest)
    clock.current = dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)  # Tuesday 00.00 WITA: its first day began
    assert _cancel_buttons(await chat.text(RUDI, "/izin")) == []
    for tap in (f"lvc:{request.id}", f"lvc:{request.id}:y"):  # an older list's button, an older question's
        refused = await chat.tap(RUDI, tap)
        assert "tidak dapat dibatalkan" in texts(refused, RUDI) and texts(refused, DEWI) == ""
    assert [r.status for r in await table(db, LeaveRequest)] == ["approved"]
    assert {w.mode for w in await table(db, WorkDay) if w.person_id == rudi} == {"cuti"}


async def test_someone_elses_request_cannot_be_cancelled(chat, db):
    await izin(chat)
    (request,) = await table(db, LeaveRequest)
    for who in (DEWI, SITI):
        for tap in (f"lvc:{request.id}", f"lvc:{request.id}:y"):
            assert "tidak berlaku" in texts(await chat.tap(who, tap))
    for forged in ("lvc:abc", f"lvc:{request.id + 9}", f"lvc:{request.id}:x"):
        assert "tidak berlaku" in texts(await chat.tap(RUDI, forged))
    assert [r.status for r in await table(db, LeaveRequest)] == ["pending"]


async def test_answering_no_to_the_question_keeps_the_request(chat, db):
    await _cuti(chat)
    (request,) = await table(db, LeaveRequest)
    await chat.tap(RUDI, f"lvc:{request.id}")
    kept = await chat.tap(RUDI, f"lvc:{request.id}:n")
    assert "tetap berlaku" in texts(kept, RUDI) and texts(kept, DEWI) == ""
    assert [r.status for r in await table(db, LeaveRequest)] == ["pending"]
    assert _cancel_buttons(await chat.text(RUDI, "/izin")) == [f"lvc:{request.id}"]  # still offered
