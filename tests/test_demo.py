"""`apel demo`: the sample office's Monday, played through the real core on a throwaway database."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from PIL import Image

from bot.demo.clock import ScriptedClock
from bot.demo.script import DemoSummary, play_day, slug

MARKUP = re.compile(r"\[/?[a-z ]+\]")  # rich's style tags, e.g. [dim] [/bold cyan]


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> tuple[DemoSummary, str, Path, Path]:
    """One demo day for the whole module (it takes a few seconds), with DATABASE_URL and MEDIA_DIR
    pointing at files that must never appear."""
    root = tmp_path_factory.mktemp("demo")
    real_db, real_media = root / "real-apel.db", root / "real-media"
    shown: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{real_db}")
        mp.setenv("MEDIA_DIR", str(real_media))
        mp.chdir(root)
        summary = asyncio.run(play_day(root / "out", show=shown.append))
    assert not real_db.exists() and not real_media.exists()
    return summary, MARKUP.sub("", "\n".join(shown)), root / "out", root


def test_the_day_counts_what_the_script_did(played):
    summary, _, _, _ = played
    assert (summary.people, summary.on_time, summary.late, summary.missing, summary.excused) == (40, 36, 2, 1, 1)
    assert summary.briefings == 39  # everyone but the one on leave, WITA at 07.30 WITA and WIB at 07.30 WIB
    assert summary.escalations == 1  # Teguh, to Irfan
    assert summary.reminders >= 3 and summary.digests == 12 and summary.pictures == 24
    assert summary.seconds < 60


def test_the_real_database_and_media_are_never_touched(played):
    _, _, _, root = played
    assert sorted(p.name for p in root.iterdir()) == ["out"]


def test_digest_pictures_and_the_export_are_written(played):
    summary, _, out, _ = played
    card = out / "rekap-irfan-agus-gunawan.png"
    collage = out / "bukti-siti-novitasari.jpg"
    assert card in summary.files and collage in summary.files
    with Image.open(card) as image:
        assert image.format == "PNG" and image.width == 1080
    with Image.open(collage) as image:
        assert image.format == "JPEG" and image.width > 500
    assert len(list(out.glob("rekap-*.png"))) == 12
    if summary.export is not None:  # written when the month export module is there
        import openpyxl

        assert summary.export == out / "apel-2026-11.xlsx"
        workbook = openpyxl.load_workbook(io.BytesIO(summary.export.read_bytes()), read_only=True)
        assert len(workbook.sheetnames) == 41  # the summary and one log per person
        workbook.close()
    assert all(path.is_file() for path in summary.files)


def test_the_printed_conversation_shows_the_day(played):
    _, printed, _, _ = played
    assert "Apel pagi — Senin, 23 November 2026" in printed
    assert "Morning briefing — Monday, 23 November 2026" in printed  # Siti reads English
    assert "Laporan terkirim pukul 16.10 WITA dan ditandai terlambat" in printed  # Hasnawati, late
    assert "Bayu Rizki Setiawan melapor pukul 16.20 WIB, sesudah batas waktu: terlambat." in printed
    # Returned with a note, sent again, approved.
    assert "Anda untuk Senin, 23 November 2026 dikembalikan oleh Siti Novitasari, S.Kom., M.T.: Tolong sebutkan" in printed
    assert "Agus Tanjung, S.T. sent the returned report of Monday, 23 November 2026 again." in printed
    assert "Laporan Anda untuk Senin, 23 November 2026 disetujui oleh Siti Novitasari" in printed
    assert "Cuti untuk Senin, 23 November 2026 disetujui atasan" in printed  # Hasan's leave
    assert "1 orang belum melapor sampai batas waktu:\n        • Teguh Sinaga" in printed  # the escalation to Irfan
    assert "Lokasi langsung diterima" in printed and "lokasi langsung bergerak" in printed
    assert "bukti dipakai ulang" in printed and "di luar geofence" in printed
    # Rizki's own screen, whose 64-bit hash comes within 4 bits of another person's, is not a reuse
    # (the second opinion tells them apart); Budi's copy of Agus's screenshot still is (above).
    receipt = printed[printed.index("berkas rekonsiliasi-kas.png"):][:300]
    assert "diterima" in receipt and "mirip" not in receipt
    assert "rekap-irfan-agus-gunawan.png" in printed
    last = printed.rstrip().splitlines()[-1]
    assert last.startswith("Ringkasan: 40 pegawai · 39 arahan apel · laporan: 36 tepat waktu, 2 terlambat")


def test_the_scripted_clock_only_moves_forward():
    clock = ScriptedClock(dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC))  # 06.00 WIB
    apel_wita = clock.at(dt.date(2026, 11, 23), "07.30", "Asia/Makassar")
    assert apel_wita == clock.now() == dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        clock.at(dt.date(2026, 11, 22), "07.30")
    with pytest.raises(ValueError):
        ScriptedClock(dt.datetime(2026, 11, 23))


def test_file_names_drop_titles():
    assert slug("Dr. Eko Pratama, S.Kom., M.Kom.") == "eko-pratama"
    assert slug("Ir. Nurhayati Hamzah, M.T.") == "nurhayati-hamzah"
    assert slug("Joko Gunawan") == "joko-gunawan"


def test_apel_demo_prints_and_says_where_the_files_are(monkeypatch, tmp_path):
    import typer
    from typer.testing import CliRunner

    from bot.cli import demo_cli
    from bot.cli.context import run_async

    calls = []

    async def fake_play(out_dir, *, show, lang="id"):
        calls.append((out_dir, lang))
        show("[bold]hari demo[/bold]")

    monkeypatch.setattr(demo_cli, "play_day", fake_play)
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    monkeypatch.chdir(tmp_path)
    app = typer.Typer()
    app.command("demo")(run_async(demo_cli.demo_command))
    app.command("other")(lambda: None)  # two commands: typer keeps "demo" as a subcommand
    result = CliRunner().invoke(app, ["demo", "--out", "hasil"])
    assert result.exit_code == 0, result.output
    assert calls == [(Path("hasil"), "en")]
    assert "hari demo" in result.stdout and "are in hasil/" in result.stdout
