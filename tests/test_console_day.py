"""The same day scripted through the console adapter: typed lines in, rendered text out."""

import pytest

from bot.channels.console.chat import ConsoleChat
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, jpeg
from tests.org_rows import KASI, STAF, small_office
from tests.test_org_import import run_import


@pytest.fixture
async def console(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    harness = ChatHarness(db, clock, tmp_path / "media")
    shown: list[str] = []

    async def no_input():
        return None

    chat = ConsoleChat(harness.conversation, clock, no_input, shown.append)
    return chat, shown, tmp_path


async def test_a_whole_day_in_the_console(console):
    chat, shown, tmp = console
    photo = tmp / "layar.jpg"
    photo.write_bytes(jpeg())
    assert await chat.login(STAF)
    script = [
        ":location -1,61 103,61",  # a single location, with an Indonesian decimal comma
        "/tugas",
        ":tap 1",  # ➕ Tambah tugas
        "Menyusun laporan SPBE",
        f":photo {photo}",
        ":live -1.61 103.61",
        ":move -1.611 103.611",
        ":move -1.612 103.612",
        "/tugas",
        ":tap 1",  # ✅ 1
        "/lapor",
        ":tap 1",  # ➡️ Lanjut (the only task is done)
        "Laporan SPBE selesai disusun.",
        ":tap 1",  # 📤 Kirim laporan
        "/status",
    ]
    for line in script:
        await chat.step(line)
    screen = "\n".join(shown)
    assert "Anda sekarang Rudi Hartono" in screen
    assert "Tugas ditambahkan: Menyusun laporan SPBE" in screen
    assert 'Foto diterima untuk tugas "Menyusun laporan SPBE"' in screen
    assert "Lokasi langsung diterima" in screen
    assert "✅ Menyusun laporan SPBE" in screen
    assert "Laporan terkirim pukul 10.00 WITA" in screen
    assert "Lokasi terkirim: 4 kali" in screen  # one single fix, the live location and its two moves
    assert "[1]" in screen  # buttons are numbered for :tap


async def test_switching_person_and_the_supervisor_sees_the_team(console):
    chat, shown, _ = console
    await chat.login(STAF)
    await chat.step(":briefing")
    await chat.step(":as " + KASI)
    await chat.step("/tim")
    screen = "\n".join(shown)
    assert "Apel pagi — Senin, 23 November 2026" in screen
    assert "Anda sekarang Dewi Lestari" in screen
    assert "Rudi Hartono — WFO (bekerja di kantor) · belum lapor" in screen


async def test_console_mistakes_get_hints_not_crashes(console):
    chat, shown, _ = console
    await chat.login(STAF)
    for line in [":tap 9", ":photo /nonexistent.jpg", ":location a b", ":move 1 2", ":what", ":as 123"]:
        await chat.step(line)
    screen = "\n".join(shown)
    for hint in ["Tidak ada tombol", "Berkas tidak ditemukan", "Tulis koordinat", "Mulai dulu dengan :live",
                 "Perintah konsol tidak dikenal", "Tidak ada pegawai aktif dengan NIP 123"]:
        assert hint in screen
