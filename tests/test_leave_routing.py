"""Who is asked to decide a leave or permission request: the direct superior, or, when they cannot get it
(no chat linked) or are away themselves (on cuti or sakit that day), the next one up the chain who can;
the requester is told who got it. A request is never sent to nobody."""

import datetime as dt

from sqlalchemy import update

from bot.domain.org_terms import Channel
from storage.day_tables import LeaveRequest
from storage.tables import Person
from tests.chat_harness import actions, texts
from tests.org_rows import SEK
from tests.test_conversation_roles import ANDI, BUDI, DEWI, RUDI, SITI, chat, table  # noqa: F401  (the fixture)

MONDAY = dt.date(2026, 11, 23)


async def ask_cuti(chat, days="24/11-26/11", reason="Acara keluarga"):
    await chat.tap(RUDI, "lv:cuti")
    await chat.text(RUDI, days)
    return await chat.text(RUDI, reason)


async def unlink(db, sender):
    async with db.uow() as uow:
        await uow.people.mark_unreachable(Channel.TELEGRAM, sender, dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
        await uow.commit()


async def test_a_superior_without_a_chat_passes_the_request_to_the_next_one_up(chat, db):
    await unlink(db, DEWI)  # the section head never linked (or blocked the bot)
    sent = await ask_cuti(chat)
    assert texts(sent, DEWI) == ""
    to_rudi, to_andi = texts(sent, RUDI), texts(sent, ANDI)
    assert "Andi Wijaya" in to_rudi and "Dewi Lestari" in to_rudi and "belum terhubung" in to_rudi
    assert "mengajukan <b>Cuti</b>" in to_andi and "Dewi Lestari" in to_andi
    decided = await chat.tap(ANDI, next(a for a in actions(sent) if a.endswith(":y")))
    assert "disetujui atasan" in texts(decided, RUDI)
    assert [r.status for r in await table(db, LeaveRequest)] == ["approved"]


async def test_a_superior_on_leave_passes_the_request_to_the_next_one_up(chat, db, clock):
    async with db.uow() as uow:  # Dewi is on approved cuti today
        dewi = await uow.people.account_person(Channel.TELEGRAM, DEWI)
        await uow.day.set_mode(dewi, MONDAY, "cuti", "leave", "Cuti tahunan")
        await uow.commit()
    sent = await ask_cuti(chat)
    assert texts(sent, DEWI) == "" and "mengajukan <b>Cuti</b>" in texts(sent, ANDI)
    assert "sedang cuti" in texts(sent, RUDI) and "Andi Wijaya" in texts(sent, RUDI)


async def test_the_first_reachable_one_up_the_chain_gets_it_however_far(chat, db):
    for sender in (DEWI, ANDI):
        await unlink(db, sender)
    sent = await ask_cuti(chat)
    assert "mengajukan <b>Cuti</b>" in texts(sent, BUDI)
    assert "Budi Santoso" in texts(sent, RUDI)


async def test_a_request_nobody_can_receive_is_not_stored_and_the_requester_is_told(chat, db):
    for sender in (DEWI, ANDI, BUDI):
        await unlink(db, sender)
    sent = await ask_cuti(chat)
    assert [o.external_id for o in sent] == [RUDI]
    assert "admin kepegawaian" in texts(sent, RUDI) and "Permintaan dikirim" not in texts(sent, RUDI)
    assert await table(db, LeaveRequest) == []


async def test_the_direct_superior_gets_it_as_before_when_reachable(chat, db):
    sent = await ask_cuti(chat)
    assert "mengajukan <b>Cuti</b>" in texts(sent, DEWI) and texts(sent, ANDI) == ""
    assert "Permintaan dikirim ke atasan" in texts(sent, RUDI)


async def test_tim_of_the_one_up_lists_a_request_passed_to_them_with_its_buttons(chat, db):
    await unlink(db, DEWI)
    sent = await ask_cuti(chat)
    team = await chat.text(ANDI, "/tim")  # Rudi is not Andi's direct report, but the request is Andi's now
    listed = [o for o in team if "mengajukan <b>Cuti</b>" in o.reply.text]
    assert len(listed) == 1 and "Rudi Hartono" in listed[0].reply.text and "Dewi Lestari" in listed[0].reply.text
    assert set(actions(listed)) == {a for a in actions(sent) if a.startswith("lvd:")}
    assert not [o for o in await chat.text(BUDI, "/tim") if "mengajukan" in o.reply.text]  # not the head's


async def test_a_request_passed_up_stays_in_the_one_ups_tim_after_the_direct_superior_is_back(chat, db):
    await unlink(db, DEWI)
    sent = await ask_cuti(chat)
    async with db.uow() as uow:  # Dewi links again (she unblocked the bot): she would be asked now
        await uow.people.mark_reachable(Channel.TELEGRAM, DEWI)
        await uow.commit()
    team = await chat.text(ANDI, "/tim")  # Andi was asked; the notice far up his chat is not the only way back
    listed = [o for o in team if "mengajukan <b>Cuti</b>" in o.reply.text]
    assert len(listed) == 1 and set(actions(listed)) == {a for a in actions(sent) if a.startswith("lvd:")}
    assert "mengajukan <b>Cuti</b>" in texts(await chat.text(DEWI, "/tim"))  # and Dewi's own /tim has it


async def _ask_as_head(chat):
    await chat.tap(BUDI, "lv:cuti")
    await chat.text(BUDI, "24/11-25/11")
    return await chat.text(BUDI, "Dinas luar negeri keluarga")


async def test_a_head_of_office_asks_and_the_admins_record_it(chat, db):
    # Budi heads the office (no superior) and is its only admin: nobody else could record it.
    alone = await _ask_as_head(chat)
    assert [o.external_id for o in alone] == [BUDI]
    assert "tidak punya atasan" in texts(alone, BUDI) and "belum ada admin yang terhubung" in texts(alone, BUDI)
    assert await table(db, LeaveRequest) == []
    async with db.uow() as uow:  # the kepegawaian's Siti becomes an admin
        await uow.session.execute(update(Person).where(Person.nip == SEK).values(role="admin"))
        await uow.commit()
    sent = await _ask_as_head(chat)
    assert "dikirim ke admin kepegawaian (Siti Aminah)" in texts(sent, BUDI)
    to_siti = texts(sent, SITI)
    assert "Budi Santoso</b> mengajukan <b>Cuti</b>" in to_siti and "pimpinan kantor" in to_siti
    assert texts(sent, DEWI) == "" and texts(sent, ANDI) == ""
    listed = await chat.text(SITI, "/tim")  # Siti has no team; the request waits for her all the same
    assert "dikirim ke admin kepegawaian dan belum diputuskan (1)" in texts(listed, SITI)
    assert "Budi Santoso</b> mengajukan" in texts(listed, SITI) and "pimpinan kantor" in texts(listed, SITI)
    assert [a for a in actions(listed) if a.startswith("lvd:")] == [a for a in actions(sent) if a.startswith("lvd:")]
    decided = await chat.tap(SITI, next(a for a in actions(sent) if a.endswith(":y")))
    told = texts(decided, BUDI)
    assert "Rabu, 25 November 2026 (2 hari kerja) dicatat oleh admin kepegawaian (Siti Aminah)" in told, told
    assert [r.status for r in await table(db, LeaveRequest)] == ["approved"]
    async with db.uow() as uow:
        budi = await uow.people.account_person(Channel.TELEGRAM, BUDI)
        days = await uow.day.work_days_between([budi], dt.date(2026, 11, 24), dt.date(2026, 11, 25))
    assert [w.mode for w in days] == ["cuti", "cuti"]
    assert "Tidak ada permintaan izin yang menunggu" in texts(await chat.text(SITI, "/tim"))  # nothing waits now


async def test_a_request_nobody_in_the_chain_can_receive_waits_in_the_admins_tim(chat, db):
    for sender in (DEWI, ANDI):
        await unlink(db, sender)
    async with db.uow() as uow:  # Budi, the head, is the admin; he is in Rudi's chain too, so unlink him
        await uow.session.execute(update(Person).where(Person.nip == SEK).values(role="admin"))
        await uow.commit()
    await unlink(db, BUDI)
    sent = await ask_cuti(chat)
    assert "mengajukan <b>Cuti</b>" in texts(sent, SITI)
    listed = await chat.text(SITI, "/tim")
    assert "Rudi Hartono</b> mengajukan <b>Cuti</b>" in texts(listed, SITI)
    assert any(a.startswith("lvd:") for a in actions(listed))
