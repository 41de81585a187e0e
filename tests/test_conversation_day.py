"""A staff member's day through the core: tasks, evidence, locations, the report, /status."""

import datetime as dt
import itertools
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bot.domain.evidence import MAX_DOWNLOAD_BYTES
from bot.messages import MediaIn
from storage.day_tables import ConversationState, Evidence, LocationFix, Report
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, actions, jpeg, texts
from tests.org_rows import KASI, STAF, small_office
from tests.sql_statements import recorded_statements
from tests.test_org_import import run_import

RUDI = "501"  # Rudi works in Seksi Timur, a WITA unit: 09.00 WIB is 10.00 there


@pytest.fixture
async def chat(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    harness = ChatHarness(db, clock, tmp_path / "media")
    codes = await harness.codes()
    await harness.text(RUDI, f"/start {codes[STAF]}")
    await harness.location(RUDI, -1.61, 103.61)  # home
    await harness.text("502", f"/start {codes[KASI]}")
    await harness.location("502", -1.62, 103.62)
    return harness


async def rows(db, table):
    async with db.uow() as uow:
        return [SimpleNamespace(**r.model_dump()) for r in (await uow.session.execute(select(table))).scalars()]


async def add_task(chat, title):
    await chat.tap(RUDI, "t:add")
    return await chat.text(RUDI, title)


def task_ids(out):
    return sorted({int(a.split(":")[1]) for a in actions(out) if a.startswith("t:") and a[2:3].isdigit()})


async def test_own_tasks_are_added_marked_and_blocked_with_a_reason(chat):
    out = await add_task(chat, "Menyusun <draft> & laporan")
    assert "Menyusun &lt;draft&gt; &amp; laporan" in texts(out)  # user text is escaped for HTML
    (task,) = task_ids(out)
    assert "✅ Menyusun" in texts(await chat.tap(RUDI, f"t:{task}:done"))
    await add_task(chat, "Rapat koordinasi")
    second = max(task_ids(await chat.text(RUDI, "/tugas")))
    assert "Apa kendala" in texts(await chat.tap(RUDI, f"t:{second}:block"))
    assert "Kendala dicatat" in texts(await chat.text(RUDI, "Menunggu tanda tangan"))
    assert "⛔ Menunggu tanda tangan" in texts(await chat.text(RUDI, "/tugas"))


async def test_an_empty_or_overlong_task_is_refused_and_nothing_is_added(chat):
    await chat.tap(RUDI, "t:add")
    assert "tidak boleh kosong" in texts(await chat.text(RUDI, "x" * 501))
    assert "Belum ada tugas" in texts(await chat.text(RUDI, "/tugas"))


async def test_someone_elses_task_button_does_nothing(chat):
    (task,) = task_ids(await add_task(chat, "Tugas Rudi"))
    assert "tidak berlaku" in texts(await chat.tap("502", f"t:{task}:done"))
    assert "⬜ Tugas Rudi" in texts(await chat.text(RUDI, "/tugas"))


async def test_a_photo_goes_to_the_only_open_task_and_is_stored_with_a_thumbnail(chat, db):
    await add_task(chat, "Membuat poster")
    out = await chat.photo(RUDI)
    assert 'Foto diterima untuk tugas "Membuat poster"' in texts(out)
    (item,) = await rows(db, Evidence)
    assert item.task_id is not None and Path(item.path).is_file() and Path(item.thumb_path).is_file()
    assert Path(item.path).stat().st_mode & 0o077 == 0


async def test_with_several_open_tasks_the_bot_asks_which_and_an_album_follows_one_answer(chat, db):
    await add_task(chat, "Tugas A")
    out = await add_task(chat, "Tugas B")
    first, second = task_ids(out)
    asked = await chat.photo(RUDI, jpeg((1, 2, 3)), album="alb1")
    assert "Untuk tugas yang mana" in texts(asked)
    assert f"ev:{second}" in actions(asked) and "ev:0" in actions(asked)
    assert await chat.photo(RUDI, jpeg((4, 5, 6)), album="alb1") == []  # the album's second photo: no new question
    done = await chat.tap(RUDI, f"ev:{second}")
    assert '2 bukti dilampirkan ke tugas "Tugas B"' in texts(done)
    assert {e.task_id for e in await rows(db, Evidence)} == {second}


async def test_an_album_is_receipted_once_not_once_a_photo(chat, db):
    await add_task(chat, "Membuat poster")  # the only open task: the album goes to it without a question
    first = await chat.photo(RUDI, jpeg((10, 20, 30)), album="alb2")
    assert 'Foto diterima untuk tugas "Membuat poster"' in texts(first)
    for shade in range(4):
        assert await chat.photo(RUDI, jpeg((40 + 50 * shade, 20, 30)), album="alb2") == []
    assert len(await rows(db, Evidence)) == 5
    again = await chat.photo(RUDI, jpeg((250, 250, 0)), album="alb3")  # the next album: its own receipt
    assert 'Foto diterima untuk tugas "Membuat poster"' in texts(again)


async def test_a_burst_without_album_ids_is_receipted_once_whatever_the_channel_is(chat, clock, db):
    # The burst rule follows what the message says of its channel (`MediaIn.album_ids`), not the channel's name:
    # this harness is Telegram's, where it used to give each picture of the burst its own receipt.
    await add_task(chat, "Membuat poster")
    first = await chat.photo(RUDI, jpeg((10, 20, 30)), album_ids=False)
    assert 'Foto diterima untuk tugas "Membuat poster"' in texts(first)
    clock.advance(seconds=3)
    assert await chat.photo(RUDI, jpeg((90, 20, 30)), album_ids=False) == []
    clock.advance(minutes=5)  # a picture sent later is receipted on its own
    assert 'Foto diterima' in texts(await chat.photo(RUDI, jpeg((200, 20, 30)), album_ids=False))
    assert 'Foto diterima' in texts(await chat.photo(RUDI, jpeg((250, 20, 30))))  # with album ids: on its own


async def test_the_paperclip_button_sends_the_next_files_to_that_task(chat, db):
    await add_task(chat, "Tugas A")
    first, second = task_ids(await add_task(chat, "Tugas B"))
    await chat.tap(RUDI, f"t:{first}:ev")
    out = await chat.document(RUDI, b"%PDF-1.4 laporan", "laporan.pdf", "application/pdf")
    assert 'Dokumen diterima untuk tugas "Tugas A"' in texts(out)
    assert [e.task_id for e in await rows(db, Evidence)] == [first]


async def test_evidence_for_a_task_already_marked_done_is_receipted_for_that_task(chat, db):
    """The usual order: tick ✅, then 📎 the proof. The receipt names the task it went to, not 'the day'."""
    await add_task(chat, "Tugas A")
    first, second = task_ids(await add_task(chat, "Tugas B"))
    await chat.tap(RUDI, f"t:{second}:done")
    await chat.tap(RUDI, f"t:{second}:ev")
    out = texts(await chat.photo(RUDI, jpeg((9, 9, 9))))
    assert 'Foto diterima untuk tugas "Tugas B"' in out and "hari ini" not in out
    assert [e.task_id for e in await rows(db, Evidence)] == [second]


@pytest.mark.parametrize(
    "filename, mime, size, expected",
    [
        ("video.mp4", "video/mp4", 1000, "tidak diterima sebagai bukti"),
        ("script.exe", "application/octet-stream", 1000, "tidak diterima sebagai bukti"),
        ("besar.pdf", "application/pdf", MAX_DOWNLOAD_BYTES + 1, "lebih dari 20 MB"),
        ("kosong.pdf", "application/pdf", 0, "kosong"),
    ],
)
async def test_refused_files_get_a_clear_reply_and_nothing_is_stored(chat, db, filename, mime, size, expected):
    ref = chat.fetcher.add(b"x")
    out = await chat.send(RUDI, media=MediaIn(ref, filename, mime, size, False))
    assert expected in texts(out)
    assert await rows(db, Evidence) == []


async def test_a_failed_download_is_answered_and_nothing_is_stored(chat, db):
    out = await chat.send(RUDI, media=MediaIn("gone", None, "image/jpeg", 10, True))
    assert "belum berhasil diambil" in texts(out)
    assert await rows(db, Evidence) == []


async def test_single_and_live_locations_are_stored_and_live_moves_are_silent(chat, db):
    assert "Lokasi diterima" in texts(await chat.location(RUDI, -1.6, 103.6))
    live = await chat.location(RUDI, -1.6, 103.6, live_period_s=8 * 3600, live_key="c:9")
    assert "dibagikan sampai 18.00 WITA" in texts(live)
    assert await chat.location(RUDI, -1.601, 103.601, live_key="c:9", is_update=True) == []
    assert await chat.location(RUDI, -1.602, 103.602, live_key="c:9", is_update=True) == []
    fixes = await rows(db, LocationFix)
    assert len(fixes) == 4 and sum(f.live for f in fixes) == 3
    assert "koordinat lokasi ini tidak sah" in texts(await chat.location(RUDI, 95, 200)).lower()
    assert len(await rows(db, LocationFix)) == 4


async def report(chat, summary="Menyelesaikan poster kampanye."):
    await chat.text(RUDI, "/lapor")
    await chat.tap(RUDI, "r:next")
    preview = await chat.text(RUDI, summary)
    return preview, await chat.tap(RUDI, "r:send")


async def test_the_report_is_built_step_by_step_and_sent_on_time(chat, db):
    (task,) = task_ids(await add_task(chat, "Membuat poster"))
    await chat.photo(RUDI)
    start = await chat.text(RUDI, "/lapor")
    assert "Langkah 1 dari 3" in texts(start) and f"r:t:{task}:done" in actions(start)
    await chat.tap(RUDI, f"r:t:{task}:done")
    preview, sent = await report(chat)
    assert "Tugas selesai: 1 dari 1" in texts(preview) and "Bukti kerja: 1" in texts(preview)
    assert "Laporan terkirim pukul 10.00 WITA" in texts(sent)
    (stored,) = await rows(db, Report)
    assert (stored.status, stored.late, stored.evidence_count) == ("submitted", False, 1)
    assert json.loads(stored.task_lines)[0]["status"] == "done"


async def test_a_report_can_be_resent_until_the_deadline_then_it_is_locked(chat, clock, db):
    await report(chat, "Versi pertama.")
    clock.advance(hours=2)
    _, again = await report(chat, "Versi kedua.")
    assert "Laporan terkirim pukul 12.00 WITA" in texts(again)
    (stored,) = await rows(db, Report)
    assert (stored.summary, stored.revision) == ("Versi kedua.", 2)
    clock.advance(hours=6)
    assert "tidak dapat diubah lagi" in texts(await chat.text(RUDI, "/lapor"))


async def test_a_first_report_after_the_deadline_is_accepted_and_marked_late(chat, clock, db):
    clock.advance(hours=8)  # 18.00 WITA
    preview, sent = await report(chat)
    assert "akan ditandai terlambat" in texts(preview)
    assert "ditandai <b>terlambat</b>" in texts(sent)
    assert (await rows(db, Report))[0].late is True


async def test_a_report_draft_survives_a_restart(chat, db, clock, tmp_path):
    await chat.text(RUDI, "/lapor")
    await chat.tap(RUDI, "r:next")
    await chat.text(RUDI, "Ringkasan sebelum bot mati.")
    restarted = ChatHarness(db, clock, tmp_path / "media")  # a new process: nothing in memory
    restarted.events = itertools.count(1000)
    sent = await restarted.tap(RUDI, "r:send")
    assert "Laporan terkirim" in texts(sent)
    assert (await rows(db, Report))[0].summary == "Ringkasan sebelum bot mati."


async def test_text_typed_where_the_report_wants_a_button_says_which_and_keeps_the_report(chat, db):
    """A summary typed at step 1 (before Lanjut), or a correction typed under the preview, was answered
    "Pesan diterima. Pakai /tugas …, /lapor …": it looked taken, and the report went out without it."""
    await add_task(chat, "Membuat poster")
    await chat.text(RUDI, "/lapor")
    early = texts(await chat.text(RUDI, "Ringkasan yang diketik terlalu cepat."))
    assert "Pesan diterima" not in early and "➡️ Lanjut" in early
    await chat.tap(RUDI, "r:next")
    await chat.text(RUDI, "Versi pertama.")
    late = texts(await chat.text(RUDI, "Versi yang diperbaiki."))
    assert "Pesan diterima" not in late and "✏️ Ubah ringkasan" in late and "📤 Kirim laporan" in late
    assert "Laporan terkirim" in texts(await chat.tap(RUDI, "r:send"))  # the draft was kept as it was
    assert (await rows(db, Report))[0].summary == "Versi pertama."


async def test_status_says_what_is_missing(chat):
    await add_task(chat, "Membuat poster")
    status = texts(await chat.text(RUDI, "/status"))
    assert "Laporan harian belum dikirim (batas 16.00 WITA)" in status
    assert "⬜ Membuat poster" in status
    assert "Bukti kerja: 0" in status and "Lokasi terkirim: 0 kali" in status  # a home shared is no fix
    await chat.photo(RUDI)
    await chat.location(RUDI, -1.61, 103.61)
    await report(chat)
    status = texts(await chat.text(RUDI, "/status"))
    assert "Laporan: terkirim pukul 10.00 WITA" in status
    assert "Bukti kerja: 1" in status and "Lokasi terkirim: 1 kali" in status


async def test_status_on_a_day_off_says_why_there_is_no_apel_instead_of_apel_not_confirmed(chat, clock, db):
    """Users read "Apel pagi: belum dikonfirmasi" on a Sunday, a holiday and their own leave day as if they had
    missed the roll call; no briefing goes out on those days."""
    clock.current = MONDAY_0900_WIB - dt.timedelta(days=1)
    sunday = texts(await chat.text(RUDI, "/status"))
    assert "belum dikonfirmasi" not in sunday
    assert "Hari ini bukan hari kerja unit Anda." in sunday and "Apel pagi: tidak ada untuk Anda hari ini." in sunday
    clock.current = MONDAY_0900_WIB + dt.timedelta(days=31)  # Thursday 24 December
    assert "Hari ini libur: Cuti Bersama Hari Raya Natal." in texts(await chat.text(RUDI, "/status"))
    clock.current = MONDAY_0900_WIB + dt.timedelta(days=1)
    async with db.uow() as uow:
        rudi = (await uow.org.stored_people())[STAF].id
        await uow.day.set_mode(rudi, clock.current.date(), "cuti", "leave", "Menikahkan anak")
        await uow.commit()
    leave = texts(await chat.text(RUDI, "/status"))
    assert "belum dikonfirmasi" not in leave
    assert "Hari ini Anda cuti. Keterangan: Menikahkan anak." in leave and "tidak ada untuk Anda" in leave
    await chat.tap(RUDI, "lang:en")
    english = texts(await chat.text(RUDI, "/status"))
    assert "not confirmed" not in english
    assert "You are on leave today. Note: Menikahkan anak." in english and "Morning apel: none for you" in english
    clock.current = MONDAY_0900_WIB - dt.timedelta(days=1)
    assert "Today is not a workday in your unit." in texts(await chat.text(RUDI, "/status"))


async def statements_of(db, turn) -> list[str]:
    """The SQL statements one turn runs."""
    with recorded_statements(db.engine) as seen:
        await turn
    return seen


def on_table(statements: list[str], table: str) -> list[str]:
    """Statements reading or writing `table` itself (not the person lookup that joins it)."""
    return [s.split(" ")[0] for s in statements
            if f" {table} " in f"{s} " and not s.startswith("SELECT person.id")]


async def test_a_turn_knows_the_conversation_state_from_the_person_lookup(chat, db):
    first = await statements_of(db, chat.text(RUDI, "/status"))
    # The day is read, found missing and created: not read a second time before the INSERT.
    assert on_table(first, "work_day") == ["SELECT", "INSERT"]
    idle = await statements_of(db, chat.text(RUDI, "/status"))
    # No state: nothing to read or delete; the existing day is read once, not inserted again.
    assert on_table(idle, "conversation_state") == []
    assert on_table(idle, "work_day") == ["SELECT"]
    await chat.text(RUDI, "/lapor")
    assert [r.state for r in await rows(db, ConversationState)] == ["report"]
    # A command in the middle of a report clears the state, with the one statement that takes.
    busy = await statements_of(db, chat.text(RUDI, "/status"))
    assert on_table(busy, "conversation_state") == ["DELETE"]
    assert await rows(db, ConversationState) == []


async def test_the_briefing_lists_assigned_and_carried_over_tasks_and_is_sent_once(chat, clock, db):
    from bot.services.briefing import send_briefing

    await add_task(chat, "Tugas kemarin")
    clock.advance(days=1)  # Tuesday
    day = dt.date(2026, 11, 24)
    async with db.uow() as uow:
        rudi = await uow.people.account_person(chat.channel, RUDI)
    out = await send_briefing(db.uow, clock=clock, person_id=rudi, day=day, default_language="id")
    body = texts(out)
    assert "Apel pagi — Selasa, 24 November 2026" in body
    assert "Tugas kemarin" in body and "lanjutan dari Senin, 23 November 2026" in body
    assert "Batas laporan: <b>16.00 WITA</b>" in body
    assert actions(out) == ["ack:20261124", "tasks", "leave"]
    assert await send_briefing(db.uow, clock=clock, person_id=rudi, day=day, default_language="id") == []
    assert "kehadiran apel tercatat" in texts(await chat.tap(RUDI, "ack:20261124"))
    assert "dari hari lain" in texts(await chat.tap(RUDI, "ack:20261123"))


async def test_an_unfinished_task_is_carried_over_to_the_next_day(chat, clock):
    await add_task(chat, "Tugas kemarin")
    clock.advance(days=1)
    shown = texts(await chat.text(RUDI, "/tugas"))
    assert "⬜ Tugas kemarin <i>(lanjutan dari Senin, 23 November 2026)</i>" in shown
