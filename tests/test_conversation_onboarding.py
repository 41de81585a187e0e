"""Onboarding and the basics of a conversation, on both databases."""

import pytest

from bot.domain.invites import new_code
from bot.domain.org_terms import Channel
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, actions, texts
from tests.org_rows import KASI, STAF, small_office
from tests.test_org_import import run_import

REFUSAL = "kode undangan ini tidak dapat dipakai"


@pytest.fixture
async def chat(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    return ChatHarness(db, clock, tmp_path / "media")


async def test_start_with_a_valid_code_links_greets_and_asks_for_home(chat):
    code = (await chat.codes())[STAF]
    out = await chat.text("501", f"/start {code}")
    body = texts(out)
    assert "Selamat datang, <b>Rudi Hartono</b> (Seksi Timur)" in body
    assert any(b.request_location for o in out for row in o.reply.buttons for b in row)
    home = await chat.location("501", -1.61, 103.61)
    assert "Lokasi rumah tersimpan" in texts(home)


async def test_every_kind_of_bad_code_gets_the_same_polite_refusal(chat, clock):
    codes = await chat.codes()
    used = codes[STAF]
    await chat.text("501", f"/start {used}")
    attempts = ["/start", "/start hello", f"/start {new_code()}", f"/start {used}", "halo", "/tugas"]
    replies = [texts(await chat.text("999", attempt)) for attempt in attempts]
    assert all(REFUSAL in r for r in replies)
    assert len(set(replies)) == 1  # nothing tells a stranger which case it was
    clock.advance(days=15)
    assert REFUSAL in texts(await chat.text("998", f"/start {codes[KASI]}"))


async def test_a_redelivered_update_is_handled_once(chat):
    code = (await chat.codes())[STAF]
    first = await chat.text("501", f"/start {code}", key="tg:77")
    again = await chat.text("501", f"/start {code}", key="tg:77")
    assert first and again == []


async def test_language_can_be_switched_to_english(chat):
    await chat.text("501", f"/start {(await chat.codes())[STAF]}")
    assert actions(await chat.text("501", "/bahasa")) == ["lang:id", "lang:en"]
    assert "Language changed to English" in texts(await chat.tap("501", "lang:en"))
    assert "Today's tasks" in texts(await chat.text("501", "/tugas"))


async def test_help_lists_the_commands_of_the_role(chat):
    codes = await chat.codes()
    await chat.text("501", f"/start {codes[STAF]}")
    await chat.text("502", f"/start {codes[KASI]}")
    staff_help, boss_help = texts(await chat.text("501", "/bantuan")), texts(await chat.text("502", "/bantuan"))
    assert "/lapor" in staff_help and "/tim" not in staff_help
    assert "/tim" in boss_help and "/tugaskan" in boss_help and "/undang" not in boss_help
    assert "/rekap [TANGGAL, mis. 7-12-2026] — Rekap tim hari ini" in boss_help and "UNIT" not in boss_help


async def test_an_admin_with_nobody_under_them_is_not_offered_the_team_commands(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    rows = small_office()
    for row in rows:
        row["role"] = "admin" if row["nip"] in (STAF, KASI) else "staff"  # Rudi: the HR desk; Dewi: a head
    await run_import(db, clock, rows)
    chat = ChatHarness(db, clock, tmp_path / "media")
    codes = await chat.codes()
    await chat.text("501", f"/start {codes[STAF]}")
    await chat.text("502", f"/start {codes[KASI]}")
    desk, head = texts(await chat.text("501", "/bantuan")), texts(await chat.text("502", "/bantuan"))
    assert "/undang" in desk and "/ekspor" in desk and "/rekap" in desk
    assert "/tim — Permintaan izin ke admin" in desk and "/tugaskan" not in desk  # the admins' requests
    assert "/undang" in head and "/tim " in head and "/tugaskan" in head
    # Commands that take words say which, with an example: the Telegram menu has no room for them
    assert "/rekap [TANGGAL] [UNIT], mis. /rekap 7-12-2026 Sekretariat — Rekap tim hari ini" in desk
    assert "/libur [TANGGAL libur|tutup|wfh|wfo NAMA], mis. /libur 24-12-2026 libur Cuti bersama" in desk
    menus = {(m.role, m.language): m for m in await chat.conversation.command_menus()}
    assert menus[("admin_desk", "id")].external_ids == ["501"] and menus[("admin", "id")].external_ids == ["502"]
    desk_menu = dict(menus[("admin_desk", "id")].commands)
    assert "tugaskan" not in desk_menu and desk_menu["tim"] == "Permintaan izin ke admin"


async def test_unknown_commands_and_stray_text_get_a_pointer_to_help(chat):
    await chat.text("501", f"/start {(await chat.codes())[STAF]}")
    await chat.location("501", -1.61, 103.61)
    assert "/bantuan" in texts(await chat.text("501", "/terbang"))
    assert "/bantuan" in texts(await chat.text("501", "apa kabar"))
    assert "tidak berlaku" in texts(await chat.tap("501", "t:99999:done"))
    assert "tidak berlaku" in texts(await chat.tap("501", "zz:1"))


async def test_a_colleague_s_forwarded_invite_does_not_move_a_linked_chat_and_stays_the_owner_s(chat):
    codes = await chat.codes()
    await chat.text("501", f"/start {codes[STAF]}")
    taken = texts(await chat.text("501", f"/start {codes[KASI]}"))  # Dewi forwarded her link to Rudi
    assert "sudah terhubung dengan Apel sebagai <b>Rudi Hartono</b>" in taken and "Dewi" not in taken
    assert "Rudi Hartono" in texts(await chat.text("501", "/start"))  # still Rudi's chat
    assert "Selamat datang, <b>Dewi Lestari</b>" in texts(await chat.text("502", f"/start {codes[KASI]}"))


async def test_opening_one_s_own_used_invite_again_says_the_chat_is_linked_not_to_ask_for_a_new_one(chat):
    code = (await chat.codes())[STAF]
    await chat.text("501", f"/start {code}")
    again = texts(await chat.text("501", f"/start {code}"))
    assert "sudah terhubung dengan Apel sebagai <b>Rudi Hartono</b>" in again and REFUSAL not in again


async def test_on_whatsapp_a_linked_chat_opening_an_invite_link_again_is_told_whose_chat_it_is(db, clock, tmp_path):
    # WhatsApp's invite link sends the bare code: from a linked chat it was "Pesan diterima. Pakai /tugas …",
    # not that the chat is linked already (and to whom), as "/start CODE" says on Telegram.
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    whatsapp = ChatHarness(db, clock, tmp_path / "wa-media", channel=Channel.WHATSAPP)
    codes = await whatsapp.codes()
    await whatsapp.text("6281200000005", codes[STAF])
    await whatsapp.location("6281200000005", -1.61, 103.61)
    for code in (codes[STAF], codes[KASI]):  # his own link again, and Dewi's forwarded to him
        again = texts(await whatsapp.text("6281200000005", code))
        assert "sudah terhubung dengan Apel sebagai <b>Rudi Hartono</b>" in again and "Dewi" not in again
    assert "Selamat datang, <b>Dewi Lestari</b>" in texts(await whatsapp.text("6281200000004", codes[KASI]))


async def test_a_code_typed_in_groups_with_spaces_and_lower_case_links(chat, db, clock, tmp_path):
    code = (await chat.codes())[STAF]
    typed = " ".join(code[i:i + 4] for i in range(0, 16, 4)).lower()  # as read out over the phone
    assert "Selamat datang, <b>Rudi Hartono</b>" in texts(await chat.text("501", f"/start {typed}"))
    whatsapp = ChatHarness(db, clock, tmp_path / "wa-media", channel=Channel.WHATSAPP)
    code = (await whatsapp.codes())[KASI]
    typed = " ".join(code[i:i + 4] for i in range(0, 16, 4))
    assert "Selamat datang, <b>Dewi Lestari</b>" in texts(await whatsapp.text("6281200000004", typed, key="wa:1"))


async def test_the_old_account_is_told_when_a_new_invite_moves_the_person_to_another_account(chat):
    await chat.text("501", f"/start {(await chat.codes())[STAF]}")
    out = await chat.text("601", f"/start {(await chat.codes())[STAF]}")  # a new phone, a new invite
    assert "Selamat datang, <b>Rudi Hartono</b>" in texts(out, to="601")
    told = texts(out, to="501")
    assert "dihubungkan dengan akun Telegram lain" in told and "hubungi admin kepegawaian" in told
    assert REFUSAL in texts(await chat.text("501", "/tugas"))  # the old chat is nobody's now
    first = await chat.text("701", f"/start {(await chat.codes())[KASI]}")
    assert {o.external_id for o in first} == {"701"}  # a first link tells nobody else
