"""Approvals played out in the console: a request for someone else shows its buttons numbered, and
`:as` brings them back to tap, whether or not that person ever opened the console before."""

import pytest

from bot.channels.console.chat import ConsoleChat
from bot.domain.org_terms import Channel
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness
from tests.org_rows import KASI, STAF, small_office
from tests.test_org_import import run_import


@pytest.fixture
async def console(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    rows = small_office()
    for row in rows:  # Dewi, Rudi's section head, is also the admin, like Sri Putri in the sample office
        row["role"] = "admin" if row["nip"] == KASI else "staff"
    await run_import(db, clock, rows)
    shown: list[str] = []

    async def no_input():
        return None

    return ConsoleChat(ChatHarness(db, clock, tmp_path / "media").conversation, clock, no_input, shown.append), shown


async def play(chat, shown, lines: list[str]) -> str:
    start = len(shown)
    for line in lines:
        await chat.step(line)
    return "\n".join(shown[start:])


ASK_PERMISSION = ["/izin", ":tap 4", "45 menit", "beli makan"]


async def test_a_supervisor_who_never_opened_the_console_approves_a_permission(console):
    chat, shown = console
    await chat.login(STAF)
    asked = await play(chat, shown, ASK_PERMISSION)
    assert "Permintaan dikirim ke atasan" in asked
    assert "→ untuk Dewi Lestari (lewat console)" in asked
    assert "[1][/magenta] ✅ Setujui" in asked  # numbered as Dewi will tap them
    switched = await play(chat, shown, [":as " + KASI])
    assert "Anda sekarang Dewi Lestari" in switched
    assert "beli makan" in switched and "[1][/magenta] ✅ Setujui" in switched
    approved = await play(chat, shown, [":tap 1"])
    assert "Tidak ada tombol" not in approved
    assert "→ untuk Rudi Hartono (lewat console)" in approved


async def test_a_supervisor_who_used_the_console_before_gets_the_buttons_too(console):
    chat, shown = console
    await chat.login(KASI)
    await play(chat, shown, ["/izin"])  # her own buttons: they are not the ones that wait for her later
    await play(chat, shown, [":as " + STAF, *ASK_PERMISSION, ":as " + KASI])
    returned = await play(chat, shown, [":tap 2", "Ada rapat"])  # ❌ Tolak, then the reason it asks for
    assert "Tidak ada tombol" not in returned
    assert "→ untuk Rudi Hartono (lewat console)" in returned and "Alasan: Ada rapat" in returned


async def test_two_requests_wait_together_and_both_can_be_answered(console):
    chat, shown = console
    await chat.login(STAF)
    await play(chat, shown, ASK_PERMISSION)
    await play(chat, shown, ["/rumah", ":location -1.61 103.61"])
    switched = await play(chat, shown, [":as " + KASI])
    assert "beli makan" in switched and "[3][/magenta]" in switched  # the home pin's buttons follow on
    first = await play(chat, shown, [":tap 1"])
    second = await play(chat, shown, [":tap 3"])
    assert "→ untuk Rudi Hartono" in first and "→ untuk Rudi Hartono" in second
    assert "Tidak ada tombol" not in first + second


async def test_a_returned_report_comes_back_and_is_approved(console):
    chat, shown = console
    await chat.login(STAF)
    await play(chat, shown, ["/lapor", "Menyusun laporan SPBE.", ":tap 1", ":as " + KASI, "/jalankan rekap"])
    returned = await play(chat, shown, [":tap 2", "Tambahkan buktinya."])  # ↩️ 1 (approve-all comes last), with a note
    assert "→ untuk Rudi Hartono (lewat console)" in returned and "Tambahkan buktinya" in returned
    resent = await play(chat, shown, [":as " + STAF, "/lapor", "Bukti menyusul.", ":tap 1"])
    assert "→ untuk Dewi Lestari (lewat console)" in resent and "mengirim ulang laporan" in resent
    switched = await play(chat, shown, [":as " + KASI])
    assert "mengirim ulang laporan" in switched and "Rekap tim" not in switched  # her own digest was seen
    approved = await play(chat, shown, [":tap 1"])
    assert "Laporan Rudi Hartono disetujui" in approved
    assert "→ untuk Rudi Hartono (lewat console)" in approved


async def test_tap_without_a_number_says_how(console):
    chat, shown = console
    await chat.login(STAF)
    screen = await play(chat, shown, [":tap abc", ":tap", ":tap 1 2"])
    assert "Perintah konsol tidak dikenal" not in screen
    assert screen.count("Tulis :tap N") == 3


async def test_the_console_speaks_the_viewers_language(console):
    chat, shown = console
    await chat.login(STAF)
    await play(chat, shown, ["/bahasa", ":tap 2"])  # English
    screen = await play(chat, shown, ASK_PERMISSION[:1] + [":tap 4", "45 minutes", "buy lunch", ":what"])
    assert "→ for Dewi Lestari (via console)" in screen
    assert "Unknown console command" in screen
    switched = await play(chat, shown, [":as " + KASI])
    assert "Anda sekarang Dewi Lestari" in switched  # she reads Indonesian


async def test_on_a_live_office_the_console_links_only_the_people_spoken_as(db, clock, tmp_path):
    # Someone is on Telegram: console accounts for everyone would make them all count as reachable.
    await run_import(db, clock, small_office())
    async with db.uow() as uow:
        people = {p.nip: p.id for p in await uow.org.list_people(None, include_inactive=False)}
        await uow.accounts.link(people[KASI], Channel.TELEGRAM, "502", clock.now())
        await uow.commit()
    clock.current = MONDAY_0900_WIB

    async def no_input():
        return None

    console = ConsoleChat(ChatHarness(db, clock, tmp_path / "media").conversation, clock, no_input, [].append)
    assert await console.login(STAF)
    async with db.uow() as uow:
        consoles = {a.person_id for a in await uow.people.addresses(list(people.values()))
                    if a.channel is Channel.CONSOLE}
    assert consoles == {people[STAF]}
