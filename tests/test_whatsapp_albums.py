"""Albums on WhatsApp: the Cloud API has no album id, so an album's pictures arrive as messages of their own,
seconds apart (in one webhook call or in several). The person is asked once which task they are for, and
the answer attaches them all (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import text

from tests import whatsapp_payloads as wp
from tests.chat_harness import jpeg
from tests.org_rows import STAF
from tests.test_whatsapp_adapter import RUDI, RUDI_PHONE, _person_id, onboard, rig  # noqa: F401 - rig is the fixture


async def _with_two_tasks(rig) -> dict[str, int]:  # noqa: F811
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    for title in ("Rekap absensi", "Surat edaran"):
        await rig.says(RUDI, RUDI_PHONE, wp.button_reply("t:add"))
        await rig.says(RUDI, RUDI_PHONE, wp.text(title))
    async with rig.db.uow() as uow:
        tasks = await uow.day.tasks_for_day(await _person_id(rig), rig.clock.now().date())
    return {t.title: t.id for t in tasks}


async def _evidence_tasks(rig) -> list[int | None]:  # noqa: F811
    async with rig.db.uow() as uow:
        found = await uow.session.execute(text("SELECT task_id FROM evidence ORDER BY id"))
        return [row[0] for row in found]


async def test_an_album_sent_as_three_messages_is_asked_once_and_one_answer_attaches_it_all(rig):  # noqa: F811
    # Each picture used to get its own "which task?", and the answer attached only the last one: the
    # others stayed the day's, not the task's the person chose.
    tasks = await _with_two_tasks(rig)
    asked = []
    for shade in (10, 90, 170):
        rig.graph.add_media(f"album-{shade}", jpeg((shade, 40, 200 - shade)))
        asked += await rig.says(RUDI, RUDI_PHONE, wp.image(f"album-{shade}"))
    assert ["Untuk tugas yang mana" in c.shown() for c in asked] == [True], [c.shown() for c in asked]
    answer = await rig.says(RUDI, RUDI_PHONE, wp.list_reply(f"ev:{tasks['Surat edaran']}"))
    assert "3 bukti dilampirkan" in answer[-1].shown()
    assert await _evidence_tasks(rig) == [tasks["Surat edaran"]] * 3


async def test_a_picture_sent_later_while_the_question_waits_is_asked_about_with_the_first(rig):  # noqa: F811
    tasks = await _with_two_tasks(rig)
    rig.graph.add_media("first", jpeg((1, 2, 3)))
    await rig.says(RUDI, RUDI_PHONE, wp.image("first"))
    rig.clock.advance(minutes=5)
    rig.graph.add_media("later", jpeg((200, 100, 3)))
    again = await rig.says(RUDI, RUDI_PHONE, wp.image("later"))
    assert "Untuk tugas yang mana" in again[-1].shown()
    answer = await rig.says(RUDI, RUDI_PHONE, wp.list_reply(f"ev:{tasks['Rekap absensi']}"))
    assert "2 bukti dilampirkan" in answer[-1].shown()
    assert await _evidence_tasks(rig) == [tasks["Rekap absensi"]] * 2


async def test_an_album_for_the_one_open_task_gets_one_receipt(rig):  # noqa: F811
    # With one open task there is no question to share: each of the album's pictures got its own receipt.
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    await rig.says(RUDI, RUDI_PHONE, wp.button_reply("t:add"))
    await rig.says(RUDI, RUDI_PHONE, wp.text("Rekap absensi"))
    replies = []
    for shade in (10, 90, 170):
        rig.graph.add_media(f"album-{shade}", jpeg((shade, 40, 200 - shade)))
        replies += await rig.says(RUDI, RUDI_PHONE, wp.image(f"album-{shade}"))
        rig.clock.advance(seconds=3)
    assert [c.shown() for c in replies if "diterima" in c.shown()] == [replies[0].shown()], [c.shown() for c in replies]
    assert "Rekap absensi" in replies[0].shown()
    rig.clock.advance(minutes=5)  # a picture sent later is receipted on its own
    rig.graph.add_media("later", jpeg((200, 100, 3)))
    later = await rig.says(RUDI, RUDI_PHONE, wp.image("later"))
    assert "diterima" in later[-1].shown() and "Rekap absensi" in later[-1].shown(), later[-1].shown()
    assert len(await _evidence_tasks(rig)) == 4
