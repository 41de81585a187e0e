"""A refusal carries a reason: ❌ Tolak asks the superior for one (or "Tolak tanpa alasan" skips it), then
the request is refused and the person is told why. The decision rules (who, stale buttons, expiry) hold
for the reason's step too."""

import json

from sqlalchemy import select

from storage.day_tables import LeaveRequest
from storage.tables import AuditEntry
from tests.chat_harness import actions, texts
from tests.test_conversation_roles import ANDI, DEWI, RUDI, chat, table  # noqa: F401  (the fixture)
from tests.test_permits import izin


def _tap(sent, ending):
    return next(a for a in actions(sent) if a.endswith(ending))


async def _statuses(db):
    return [(r.status, r.refusal_reason) for r in await table(db, LeaveRequest)]


async def test_tolak_asks_for_a_reason_and_the_person_is_told_it(chat, db):
    sent = await izin(chat)
    asked = await chat.tap(DEWI, _tap(sent, ":n"))
    assert "alasan penolakan" in texts(asked, DEWI) and texts(asked, RUDI) == ""
    skip = actions(asked)
    assert len(skip) == 1 and skip[0].endswith(":ns")  # "Tolak tanpa alasan"
    assert await _statuses(db) == [("pending", None)]  # nothing is decided before the reason
    refused = await chat.text(DEWI, "Rapat <b>evaluasi</b> jam 11, semua harus hadir")
    to_rudi = texts(refused, RUDI)
    assert "tidak disetujui atasan" in to_rudi
    assert "Alasan: Rapat &lt;b&gt;evaluasi&lt;/b&gt; jam 11, semua harus hadir" in to_rudi
    assert "ditolak" in texts(refused, DEWI)
    assert await _statuses(db) == [("refused", "Rapat <b>evaluasi</b> jam 11, semua harus hadir")]
    async with db.uow() as uow:
        details = (await uow.session.execute(
            select(AuditEntry.detail).where(AuditEntry.action == "leave_refused"))).scalars().all()
    assert len(details) == 1 and json.loads(details[0])["with_reason"] is True and "Rapat" not in details[0]
    assert "Pesan diterima" in texts(await chat.text(DEWI, "satu lagi"))  # no longer asking


async def test_tolak_tanpa_alasan_refuses_at_once(chat, db):
    sent = await izin(chat)
    asked = await chat.tap(DEWI, _tap(sent, ":n"))
    refused = await chat.tap(DEWI, actions(asked)[0])
    assert "tidak disetujui atasan" in texts(refused, RUDI) and "Alasan" not in texts(refused, RUDI)
    assert await _statuses(db) == [("refused", None)]


async def test_typing_the_skip_buttons_label_counts_as_tapping_it(chat, db):
    # On WhatsApp people often type what a reply button says instead of tapping it.
    sent = await izin(chat)
    await chat.tap(DEWI, _tap(sent, ":n"))
    refused = await chat.text(DEWI, "  tolak TANPA alasan ")
    assert "Alasan" not in texts(refused, RUDI)
    assert await _statuses(db) == [("refused", None)]


async def test_a_long_reason_is_clipped_and_an_empty_one_is_asked_again(chat, db):
    sent = await izin(chat)
    await chat.tap(DEWI, _tap(sent, ":n"))
    again = await chat.text(DEWI, "   ")
    assert "alasan" in texts(again, DEWI) and texts(again, RUDI) == ""
    assert await _statuses(db) == [("pending", None)]
    refused = await chat.text(DEWI, "kata " * 200)
    (status, reason), = await _statuses(db)
    assert status == "refused" and len(reason) == 300 and reason.endswith("…")
    assert reason in texts(refused, RUDI)


async def test_a_request_decided_meanwhile_is_not_refused_by_the_late_reason(chat, db):
    sent = await izin(chat)
    await chat.tap(DEWI, _tap(sent, ":n"))
    await chat.tap(ANDI, _tap(sent, ":y"))  # the division head approves while Dewi is typing
    late = await chat.text(DEWI, "Tidak bisa hari ini")
    assert "sudah diputuskan" in texts(late, DEWI) and texts(late, RUDI) == ""
    assert await _statuses(db) == [("approved", None)]


async def test_a_reason_typed_after_the_window_ended_finds_the_request_expired(chat, db, clock):
    sent = await izin(chat)  # 45 minutes from now
    await chat.tap(DEWI, _tap(sent, ":n"))
    clock.advance(minutes=46)
    late = await chat.text(DEWI, "Tidak bisa hari ini")
    assert "sudah lewat" in texts(late, DEWI) and "tidak berlaku lagi" in texts(late, RUDI)
    assert await _statuses(db) == [("expired", None)]


async def test_the_person_is_told_the_reason_in_their_language(chat, db):
    await chat.tap(RUDI, "lang:en")
    sent = await izin(chat)
    await chat.tap(DEWI, _tap(sent, ":n"))
    refused = await chat.text(DEWI, "Rapat evaluasi")
    assert "was not approved" in texts(refused, RUDI) and "Reason: Rapat evaluasi" in texts(refused, RUDI)
