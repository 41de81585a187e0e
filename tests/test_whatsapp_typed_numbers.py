"""A number typed in answer to a list or reply buttons, which WhatsApp shows unnumbered: people answer "2" for
the second choice, as they do to a numbered menu. A notice pushed to them takes no number (SQLite and
PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import text

from tests import whatsapp_payloads as wp
from tests.org_rows import KASI, STAF, small_office
from tests.test_org_import import run_import
from tests.test_whatsapp_adapter import (  # noqa: F401
    DEWI, DEWI_PHONE, RUDI, RUDI_PHONE, home_approval_held_for_dewi, onboard, rig, shown)



async def rudi_with_two_tasks(rig) -> None:
    """Rudi linked, his home shared, and two tasks of his own."""
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    for title in ("Rekap absensi", "Surat edaran"):
        await rig.says(RUDI, RUDI_PHONE, wp.button_reply("t:add"))
        await rig.says(RUDI, RUDI_PHONE, wp.text(title))


async def test_a_number_typed_to_a_list_and_to_buttons_picks_the_choice_in_that_place(rig):  # noqa: F811
    # It used to be answered "Pesan diterima …": the list and buttons kept no numbers.
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    menu = await rig.says(RUDI, RUDI_PHONE, wp.text("/izin"))
    assert [title for _, title in menu[-1].actions()][1] == "Sakit"
    sick = await rig.says(RUDI, RUDI_PHONE, wp.text("2"))
    assert shown(sick).startswith("Sakit: untuk hari apa?"), shown(sick)
    days = await rig.says(RUDI, RUDI_PHONE, wp.text("2"))  # the buttons: Hari ini · 2 hari · 3 hari
    assert "(2 hari kerja)" in shown(days), shown(days)


async def test_a_number_typed_to_amount_buttons_is_the_amount_read_not_the_place(rig):  # noqa: F811
    # "2" after 30 menit · 1 jam · 2 jam asked the superior for one hour (the second button), not two.
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    await rig.says(RUDI, RUDI_PHONE, wp.text("/izin"))
    asked = await rig.says(RUDI, RUDI_PHONE, wp.text("4"))
    assert [title for _, title in asked[-1].actions()] == ["30 menit", "1 jam", "2 jam"]
    two_hours = await rig.says(RUDI, RUDI_PHONE, wp.text("2"))
    assert "10.00–12.00 WITA" in shown(two_hours), shown(two_hours)

    await rig.says(RUDI, RUDI_PHONE, wp.text("/izin"))
    await rig.says(RUDI, RUDI_PHONE, wp.text("4"))
    neither = await rig.says(RUDI, RUDI_PHONE, wp.text("3"))  # no button of three minutes or hours
    assert "10.00" not in shown(neither) and "paling lama 4 jam" in shown(neither), shown(neither)
    thirty = await rig.says(RUDI, RUDI_PHONE, wp.text("30"))
    assert "10.00–10.30 WITA" in shown(thirty), shown(thirty)


async def test_a_number_typed_after_izin_with_an_open_request_is_the_numbered_line_read(rig):  # noqa: F811
    # /izin listed "1. Cuti — … — menunggu keputusan atasan" to cancel, then asked for a kind in a message of
    # its own: the "1" Rudi typed for his request started a new Cuti request.
    await onboard(rig, DEWI, DEWI_PHONE, KASI)  # his superior, so that the request goes out
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    for step in (wp.text("/izin"), wp.list_reply("lv:cuti"), wp.text("25/11"), wp.text("urusan keluarga")):
        await rig.says(RUDI, RUDI_PHONE, step)
    listed = await rig.says(RUDI, RUDI_PHONE, wp.text("/izin"))
    assert "1. Cuti — " in shown(listed) and "Mau mengajukan apa?" in shown(listed), shown(listed)
    asked = await rig.says(RUDI, RUDI_PHONE, wp.text("1"))
    assert shown(asked).startswith("Batalkan Cuti untuk"), shown(asked)
    assert [a for a, _ in asked[-1].actions()][0].startswith("lvc:"), shown(asked)
    again = await rig.says(RUDI, RUDI_PHONE, wp.text("/izin"))
    sick = await rig.says(RUDI, RUDI_PHONE, wp.text("3"))  # 🗑 Batalkan · Cuti · Sakit, as the list shows them
    assert [title for _, title in again[-1].actions()][2] == "Sakit"
    assert shown(sick).startswith("Sakit: untuk hari apa?"), shown(sick)


def test_titles_that_start_with_a_number_are_still_picked_by_their_place():
    from bot.channels.whatsapp.buttons import choices_of, typed_menu
    from bot.messages import Button, Reply

    which = Reply("Untuk tugas yang mana?", ((Button("2 Surat edaran", "ev:1"),), (Button("Rekap absensi", "ev:2"),)))
    assert typed_menu(choices_of(which)) == ["ev:1", "ev:2"]
    amounts = Reply("Berapa lama?", ((Button("30 menit", "lv:dur:30"), Button("1 jam", "lv:dur:60"),
                                       Button("2 jam", "lv:dur:120")),))
    menu = typed_menu(choices_of(amounts))
    assert (menu[0], menu[1], menu[2], menu[29]) == ("lv:dur:60", "lv:dur:120", None, "lv:dur:30")


async def test_a_number_typed_after_tim_opens_the_person_and_never_decides_a_request_listed_below(rig):  # noqa: F811
    # /tim answered with Dewi's team and, below it, Rudi's waiting leave with ✅ / ❌: her "1", for the first
    # person of the list, approved the leave.
    await onboard(rig, DEWI, DEWI_PHONE, KASI)
    await rig.says(DEWI, DEWI_PHONE, wp.location(-1.6, 103.7))
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    for step in (wp.text("/izin"), wp.list_reply("lv:cuti"), wp.text("25/11"), wp.text("urusan keluarga")):
        await rig.says(RUDI, RUDI_PHONE, step)
    listed = await rig.says(DEWI, DEWI_PHONE, wp.text("/tim"))
    assert [a for c in listed for a, _ in c.actions() if a.startswith("lvd:")], shown(listed)
    opened = await rig.says(DEWI, DEWI_PHONE, wp.text("1"))
    assert "Rudi Hartono" in shown(opened) and "disetujui" not in shown(opened), shown(opened)
    async with rig.db.engine.connect() as connection:
        assert (await connection.execute(text("SELECT status FROM leave_request"))).scalars().all() == ["pending"]


async def test_with_two_tasks_a_typed_task_number_offers_that_tasks_buttons(rig):  # noqa: F811
    await rudi_with_two_tasks(rig)
    listing = await rig.says(RUDI, RUDI_PHONE, wp.text("/tugas"))
    assert listing[-1].body["interactive"]["type"] == "list"  # 9 buttons: ✅ 🔄 ⛔ 📎 for each task and ➕
    offered = await rig.says(RUDI, RUDI_PHONE, wp.text("2"))
    assert [title for _, title in offered[-1].actions()] == ["✅ 2", "🔄 2", "⛔ 2", "📎 2"]


async def test_a_typed_task_number_meta_delivers_twice_offers_its_buttons_once(rig):  # noqa: F811
    # Meta delivers at least once: the redelivered "2" sent task 2's buttons a second time.
    await rudi_with_two_tasks(rig)
    await rig.says(RUDI, RUDI_PHONE, wp.text("/tugas"))
    message_id = wp.wamid()
    offered = await rig.says(RUDI, RUDI_PHONE, wp.text("2"), message_id=message_id)
    assert [title for _, title in offered[-1].actions()] == ["✅ 2", "🔄 2", "⛔ 2", "📎 2"]
    assert await rig.says(RUDI, RUDI_PHONE, wp.text("2"), message_id=message_id) == []
    again = await rig.says(RUDI, RUDI_PHONE, wp.text("2"))  # typed again: a new message, answered
    assert [title for _, title in again[-1].actions()] == ["✅ 2", "🔄 2", "⛔ 2", "📎 2"]


async def test_a_number_typed_by_someone_deactivated_since_answers_no_list_of_theirs(rig):  # noqa: F811
    # Rudi's /tugas list was stored; an import then deactivated him. His "2" offered task 2's buttons.
    await rudi_with_two_tasks(rig)
    await rig.says(RUDI, RUDI_PHONE, wp.text("/tugas"))
    assert (await run_import(rig.db, rig.clock, [r for r in small_office() if r["nip"] != STAF])).ok
    answer = await rig.says(RUDI, RUDI_PHONE, wp.text("2"))
    assert "tidak lagi terdaftar sebagai pegawai aktif" in shown(answer)
    assert [title for c in answer for _, title in c.actions()] == []


async def test_a_number_typed_after_a_notice_does_not_answer_the_notices_buttons(rig):  # noqa: F811
    await onboard(rig, DEWI, DEWI_PHONE, KASI)
    await rig.says(DEWI, DEWI_PHONE, wp.location(-1.6, 103.7))
    await rig.says(DEWI, DEWI_PHONE, wp.text("/izin"))  # her own list: "1" would be Cuti
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    notice = await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))  # asks Dewi to approve his home
    assert [title for c in notice if c.to == DEWI for _, title in c.actions()] == ["✅ Setujui", "❌ Tolak"]
    answer = await rig.says(DEWI, DEWI_PHONE, wp.text("1"))
    assert "disetujui" not in shown(answer).lower(), shown(answer)
    async with rig.db.uow() as uow:
        approved = await uow.session.execute(text("SELECT count(*) FROM audit_log WHERE action = 'home_approved'"))
        assert approved.scalar_one() == 0


async def test_a_number_typed_after_held_content_is_released_does_not_answer_its_buttons(rig):  # noqa: F811
    # Held content goes out as a reply once the person writes, but it was pushed to them all the same.
    await home_approval_held_for_dewi(rig)
    released = await rig.says(DEWI, DEWI_PHONE, wp.template_button("wa:show"))
    assert [title for c in released for _, title in c.actions()] == ["✅ Setujui", "❌ Tolak"]
    await rig.says(DEWI, DEWI_PHONE, wp.text("1"))
    async with rig.db.uow() as uow:
        approved = await uow.session.execute(text("SELECT count(*) FROM audit_log WHERE action = 'home_approved'"))
        assert approved.scalar_one() == 0


def swiped(body: dict, onto: str) -> dict:
    """The person's message as a reply (swiped) to one of the bot's messages."""
    return {**body, "context": {"from": wp.BUSINESS_NUMBER, "id": onto}}


async def test_a_number_swiped_onto_an_older_list_answers_nothing_of_the_newer_one(rig):  # noqa: F811
    # "2" swiped onto yesterday's /tugas meant its task 2; it was taken as the latest list's 2 (here Sakit).
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    for title in ("Rekap absensi", "Surat edaran", "Notulen rapat"):
        await rig.says(RUDI, RUDI_PHONE, wp.button_reply("t:add"))
        await rig.says(RUDI, RUDI_PHONE, wp.text(title))
    rig.clock.advance(minutes=1)
    tasks = (await rig.says(RUDI, RUDI_PHONE, wp.text("/tugas")))[-1]
    assert tasks.type == "text" and "2. ✅ 2" in tasks.shown()  # 13 buttons: a numbered menu
    rig.clock.advance(minutes=1)
    leave = (await rig.says(RUDI, RUDI_PHONE, wp.text("/izin")))[-1]
    older = await rig.says(RUDI, RUDI_PHONE, swiped(wp.text("2"), tasks.response["messages"][0]["id"]))
    assert "daftar yang sudah diganti" in shown(older) and "Sakit" not in shown(older), shown(older)
    current = await rig.says(RUDI, RUDI_PHONE, swiped(wp.text("2"), leave.response["messages"][0]["id"]))
    assert shown(current).startswith("Sakit: untuk hari apa?"), shown(current)


async def test_a_number_typed_a_day_after_its_list_is_refused_not_run(rig):  # noqa: F811
    # Friday's /izin list stayed the chat's menu: a "2" typed days later (an answer to something else, a slip)
    # started a sick-leave request from a conversation long over.
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    await rig.says(RUDI, RUDI_PHONE, wp.text("/izin"))
    rig.clock.advance(hours=23, minutes=59)
    within = await rig.says(RUDI, RUDI_PHONE, wp.text("2"))
    assert shown(within).startswith("Sakit: untuk hari apa?"), shown(within)
    await rig.says(RUDI, RUDI_PHONE, wp.text("/izin"))
    rig.clock.advance(hours=24)
    message_id = wp.wamid()
    late = await rig.says(RUDI, RUDI_PHONE, wp.text("2"), message_id=message_id)
    assert "lebih dari 24 jam" in shown(late) and "Sakit" not in shown(late), shown(late)
    assert await rig.says(RUDI, RUDI_PHONE, wp.text("2"), message_id=message_id) == []  # Meta's redelivery
    fresh = await rig.says(RUDI, RUDI_PHONE, wp.text("/izin"))
    assert [title for _, title in fresh[-1].actions()][1] == "Sakit"
    again = await rig.says(RUDI, RUDI_PHONE, wp.text("2"))
    assert shown(again).startswith("Sakit: untuk hari apa?"), shown(again)
