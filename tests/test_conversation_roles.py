"""Supervisors, leave requests and admins through the core; who may do what."""

import asyncio
import csv
import io
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bot.domain.org_terms import Channel
from storage.day_tables import Task, WorkDay
from storage.tables import AuditEntry
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, actions, texts
from tests.org_rows import HEAD, KABID, KASI, SEK, STAF, small_office
from tests.test_org_import import run_import

RUDI, DEWI, ANDI, SITI, BUDI = "501", "502", "503", "504", "505"  # staff, kasi, kabid, sekretaris, kepala


@pytest.fixture
async def chat(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    rows = small_office()
    rows[0]["role"] = "admin"
    for r in rows[1:]:
        r["role"] = "staff"
    await run_import(db, clock, rows)
    harness = ChatHarness(db, clock, tmp_path / "media")
    codes = await harness.codes()
    for sender, nip in ((RUDI, STAF), (DEWI, KASI), (ANDI, KABID), (SITI, SEK), (BUDI, HEAD)):
        await harness.text(sender, f"/start {codes[nip]}")
        await harness.location(sender, -1.6, 103.6)
    return harness


async def ids(db):
    async with db.uow() as uow:
        return {nip: pid for nip, pid in [(n, await _pid(uow, s)) for n, s in ((STAF, RUDI), (KASI, DEWI), (SEK, SITI))]}


async def _pid(uow, sender):
    return await uow.people.account_person(Channel.TELEGRAM, sender)


async def table(db, model):
    async with db.uow() as uow:
        return [SimpleNamespace(**r.model_dump()) for r in (await uow.session.execute(select(model))).scalars()]


async def assign(chat, boss, person_id, title, scope_all=False):
    await chat.text(boss, "/tugaskan")
    if scope_all:
        await chat.tap(boss, "asg:all")
    await chat.tap(boss, f"asg:p:{person_id}")
    await chat.tap(boss, "asg:go")
    due = await chat.text(boss, title)
    return due, await chat.tap(boss, [a for a in actions(due) if a.startswith("asg:d:")][1])  # today


async def test_a_supervisor_assigns_a_task_and_the_person_is_told_at_once(chat, db):
    people = await ids(db)
    due, done = await assign(chat, DEWI, people[STAF], "Rekap data <SPBE>")
    assert "Kapan tenggatnya" in texts(due) and "Hari kerja berikutnya (Selasa, 24 November 2026)" in str(due)
    assert "Tugas diberikan kepada 1 orang" in texts(done, DEWI)
    assert "Tugas baru dari Dewi Lestari: <b>Rekap data &lt;SPBE&gt;</b>" in texts(done, RUDI)
    (task,) = await table(db, Task)
    assert (task.source, task.announced_at is not None) == ("assigned", True)
    assert "dari atasan" in texts(await chat.text(RUDI, "/tugas"))


async def test_assigning_to_people_who_have_all_left_meanwhile_says_so_and_assigns_nothing(chat, db, clock):
    """Rudi was picked, then left the org chart before the due date was tapped: the reply was "Tugas diberikan
    kepada 0 orang", as if something had been done."""
    people = await ids(db)
    for lang, expected in (("id", "Tidak ada yang Anda pilih yang masih dapat menerima tugas ini"),
                           ("en", "Nobody you picked can receive this task any more")):
        await run_import(db, clock, small_office())  # Rudi is (back) in Dewi's section
        await chat.tap(ANDI, f"lang:{lang}")
        await chat.text(ANDI, "/tugaskan")
        await chat.tap(ANDI, "asg:all")
        await chat.tap(ANDI, f"asg:p:{people[STAF]}")
        await chat.tap(ANDI, "asg:go")
        due = await chat.text(ANDI, "Rekap data")
        await run_import(db, clock, [r for r in small_office() if r["nip"] != STAF])  # Rudi moved away
        today = [a for a in actions(due) if a.startswith("asg:d:")][1]
        done = texts(await chat.tap(ANDI, today))
        assert "0 orang" not in done and "0 people" not in done
        assert expected in done and "/tugaskan" in done
        assert await table(db, Task) == []
        assert [a for a in await table(db, AuditEntry) if a.action == "tasks_assign"] == []
        assert "Rekap data" not in texts(await chat.tap(ANDI, today))  # the flow is over: nothing to repeat


async def test_a_supervisor_left_without_people_while_assigning_is_refused_at_the_title(chat, db, clock):
    """Dewi picked Rudi, her only staff member, who then left the org chart: her task's title was answered with the
    due-date buttons, and only the tap on one was refused."""
    people = await ids(db)
    await chat.text(DEWI, "/tugaskan")
    await chat.tap(DEWI, f"asg:p:{people[STAF]}")
    await chat.tap(DEWI, "asg:go")
    await run_import(db, clock, [r for r in small_office() if r["nip"] != STAF])
    out = await chat.text(DEWI, "Rekap data")
    assert texts(out) == "Perintah ini untuk atasan yang punya bawahan di bagan organisasi." and actions(out) == []
    assert "tenggat" not in texts(await chat.text(DEWI, "Rekap data"))  # the flow is over, not asked again
    assert await table(db, Task) == []


async def test_a_task_due_next_workday_is_in_the_assignees_tasks_today_with_its_buttons(chat, db):
    people = await ids(db)
    await chat.text(DEWI, "/tugaskan")
    await chat.tap(DEWI, f"asg:p:{people[STAF]}")
    await chat.tap(DEWI, "asg:go")
    due = await chat.text(DEWI, "Rekap data SPBE")
    await chat.tap(DEWI, [a for a in actions(due) if a.startswith("asg:d:")][0])  # the next workday
    shown = await chat.text(RUDI, "/tugas")
    assert "Tugas berikutnya" in texts(shown) and "Rekap data SPBE" in texts(shown)
    assert "tenggat Selasa, 24 November 2026" in texts(shown)
    (task,) = await table(db, Task)
    assert f"t:{task.id}:prog" in actions(shown)
    await chat.tap(RUDI, f"t:{task.id}:prog")
    assert [t.status for t in await table(db, Task)] == ["in_progress"]


async def test_outside_working_hours_the_assignee_learns_it_at_the_next_briefing(chat, db, clock):
    clock.advance(hours=10)  # 19.00 WIB
    people = await ids(db)
    _, done = await assign(chat, DEWI, people[STAF], "Tugas malam")
    assert texts(done, RUDI) == ""
    assert "1 akan melihatnya di apel berikutnya" in texts(done, DEWI)


async def test_the_superior_of_a_superior_assigns_down_the_whole_subtree(chat, db):
    people = await ids(db)
    await chat.text(ANDI, "/tugaskan")
    assert f"asg:p:{people[STAF]}" not in actions(await chat.text(ANDI, "/tugaskan"))
    _, done = await assign(chat, ANDI, people[STAF], "Dari kabid", scope_all=True)
    assert "Tugas baru dari Andi Wijaya" in texts(done, RUDI)


async def test_nobody_assigns_outside_their_subtree(chat, db):
    people = await ids(db)
    await chat.text(SITI, "/tugaskan")  # Siti has no people under her
    assert "untuk atasan" in texts(await chat.text(SITI, "/tugaskan"))
    await chat.text(DEWI, "/tugaskan")
    assert "tidak berlaku" in texts(await chat.tap(DEWI, f"asg:p:{people[SEK]}"))
    assert await table(db, Task) == []


async def test_team_view_shows_reports_and_thumbnails_only_within_the_subtree(chat, db):
    people = await ids(db)
    await chat.photo(RUDI)
    await chat.text(RUDI, "/lapor")
    await chat.text(RUDI, "Poster selesai dibuat.")
    await chat.tap(RUDI, "r:send")
    team = await chat.text(DEWI, "/tim")
    assert "Rudi Hartono — WFO (bekerja di kantor) · sudah lapor" in texts(team)
    detail = await chat.tap(DEWI, f"tim:{people[STAF]}")
    assert "Poster selesai dibuat." in texts(detail)
    photos = [o.reply.attachment for o in detail if o.reply.attachment]
    assert len(photos) == 1 and "/thumbs/" in photos[0].path and photos[0].is_photo
    assert "tidak berlaku" in texts(await chat.tap(SITI, f"tim:{people[STAF]}"))  # not her subtree
    assert "Poster selesai" in texts(await chat.tap(BUDI, f"tim:{people[STAF]}"))  # the head sees everyone


async def test_a_pending_request_waits_under_tim_with_its_buttons_until_decided(chat):
    await chat.tap(RUDI, "lv:cuti")
    await chat.tap(RUDI, "lv:days:2")
    await chat.text(RUDI, "Acara keluarga")
    team = await chat.text(DEWI, "/tim")  # the request's own message may be long gone from view
    assert "<b>Rudi Hartono</b> mengajukan <b>Cuti</b>" in texts(team) and "Acara keluarga" in texts(team)
    approve = next(a for a in actions(team) if a.startswith("lvd:") and a.endswith(":y"))
    assert "disetujui" in texts(await chat.tap(DEWI, approve), RUDI)
    assert "mengajukan" not in texts(await chat.text(DEWI, "/tim"))  # decided: no longer waiting


async def test_leave_is_asked_approved_and_excuses_the_report(chat, db):
    await chat.tap(RUDI, "leave")
    assert "Sakit: untuk hari apa?" in texts(await chat.tap(RUDI, "lv:sakit"))
    assert "Sakit — Senin, 23 November 2026.\nTulis alasannya" in texts(await chat.tap(RUDI, "lv:days:1"))
    sent = await chat.text(RUDI, "Demam sejak semalam")
    assert "Permintaan dikirim ke atasan" in texts(sent, RUDI)
    request = [o for o in sent if o.external_id == DEWI]
    assert "<b>Rudi Hartono</b> mengajukan <b>Sakit</b>" in request[0].reply.text
    approve = next(a for a in actions(request) if a.endswith(":y"))
    assert "tidak berlaku" in texts(await chat.tap(SITI, approve))  # not Rudi's chain
    decided = await chat.tap(DEWI, approve)
    assert "Sakit untuk Senin, 23 November 2026 disetujui" in texts(decided, RUDI)
    assert [w.mode for w in await table(db, WorkDay)] == ["sakit"]
    assert "tidak perlu membuat laporan" in texts(await chat.text(RUDI, "/lapor"))
    assert "Rudi Hartono — Sakit · Demam sejak semalam" in texts(await chat.text(DEWI, "/tim"))  # the reason
    assert "sudah diputuskan" in texts(await chat.tap(DEWI, approve))


async def test_admin_commands_are_refused_to_others_and_audited(chat, db):
    assert "hanya untuk admin" in texts(await chat.text(RUDI, "/undang"))
    assert "hanya untuk admin" in texts(await chat.text(DEWI, "/umumkan Rapat"))
    refused = [a for a in await table(db, AuditEntry) if a.action == "refused"]
    assert len(refused) == 2


async def test_an_admin_demoted_while_writing_an_announcement_is_refused_at_once(chat, db, clock):
    """Budi began /umumkan as an admin and was made staff before writing it: his text was answered with the list
    of units, and only the tap was refused."""
    for lang, only in (("id", "Maaf, perintah ini hanya untuk admin kepegawaian."),
                       ("en", "Sorry, this command is for HR admins only.")):
        await run_import(db, clock, [dict(r, role="admin" if r["nip"] == HEAD else "staff") for r in small_office()])
        await chat.tap(BUDI, f"lang:{lang}")
        await chat.text(BUDI, "/umumkan")
        await run_import(db, clock, [dict(r, role="staff") for r in small_office()])  # no longer an admin
        out = await chat.text(BUDI, "Rapat besok pukul 09.00")
        assert texts(out) == only and actions(out) == []
        assert texts(await chat.text(BUDI, "Rapat besok pukul 09.00")) != only  # the draft went with the refusal
    assert [json.loads(a.detail) for a in await table(db, AuditEntry) if a.action == "refused"] == [{"command": "umumkan"}] * 2


async def test_an_admin_gets_the_invites_csv_of_a_unit(chat):
    out = await chat.text(BUDI, "/undang Seksi Timur")
    attachment = next(o.reply.attachment for o in out if o.reply.attachment)
    rows = list(csv.DictReader(io.StringIO(attachment.content.decode())))
    assert [r["nip"] for r in rows] == [KASI, STAF]
    assert rows[0]["link"].startswith("https://t.me/ApelTestBot?start=")
    # The same file as `apel invite --out`: the same columns, times in UTC to the second.
    assert list(rows[0]) == ["nip", "name", "unit", "channel", "code", "link", "expires_at"]
    assert rows[0]["expires_at"].endswith("+00:00") and "." not in rows[0]["expires_at"]


async def test_undang_with_nobody_to_invite_says_where_nobody_is(chat, db, clock):
    rows = small_office()
    rows[0]["role"] = "admin"
    await run_import(db, clock, [r for r in rows if r["unit"] != "Sekretariat"], deactivate_many=True)
    # "Tidak ada pegawai aktif di unit itu" named no unit; the unit typed is named now.
    said = texts(await chat.text(BUDI, "/undang Sekretariat"))
    assert "Tidak ada pegawai aktif di Sekretariat dan unit di bawahnya" in said, said


async def test_an_admin_announces_to_a_unit(chat):
    await chat.text(BUDI, "/umumkan")
    asked = await chat.text(BUDI, "Besok apel <gabungan> pukul 07.00")
    unit_buttons = [a for a in actions(asked) if a.startswith("ann:")]
    assert "ann:0" in unit_buttons
    everyone = await chat.tap(BUDI, "ann:0")
    told = {o.external_id for o in everyone if "Pengumuman" in o.reply.text}
    assert told == {RUDI, DEWI, ANDI, SITI, BUDI}
    assert "apel &lt;gabungan&gt;" in texts(everyone, RUDI)


async def test_units_alike_in_their_first_words_are_told_apart_in_the_announcement_list(chat, db, clock):
    # Both were cut to the same 40 characters, "Bidang Pelayanan Kesehatan Masyarakat d…" (also the whole of
    # the WhatsApp row's description): the admin could not tell the north from the south.
    north, south = ("Bidang Pelayanan Kesehatan Masyarakat dan Gizi Wilayah " + side for side in ("Utara", "Selatan"))
    rows = small_office()
    rows[0]["role"] = "admin"
    for r in rows[1:]:
        r["role"] = "staff"
    rows[1]["unit"], rows[2]["unit"] = north, south  # the Sekretariat and Bidang Timur, under the Dinas
    await run_import(db, clock, rows)
    await chat.text(BUDI, "/umumkan")
    asked = await chat.text(BUDI, "Besok apel gabungan pukul 07.00")
    labels = [b.label for o in asked for row in o.reply.buttons for b in row if b.action.startswith("ann:")]
    assert len(set(labels)) == len(labels) and all(len(label) <= 40 for label in labels), labels
    assert any(label.endswith("ah Utara") for label in labels), labels


async def test_an_admin_sends_the_org_chart_as_a_document(chat, db):
    rows = small_office()
    rows[4]["position"] = "Pranata Komputer Ahli Muda"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    out = await chat.document(BUDI, buffer.getvalue().encode(), "pegawai.csv", "text/csv")
    assert "Impor selesai: 5 baris; 0 pegawai baru, 1 diperbarui" in texts(out)
    rows[3]["nip"] = "123"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    refused = await chat.document(BUDI, buffer.getvalue().encode(), "pegawai.csv", "text/csv")
    assert "tidak disimpan" in texts(refused) and "Baris 5 (nip)" in texts(refused)


async def test_an_uploaded_org_chart_names_who_was_left_without_a_superior(chat):
    rows = [r for r in small_office() if r["nip"] != KASI]  # the section head retired
    rows[-1]["supervisor_nip"] = ""  # and nobody is named yet
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    told = texts(await chat.document(BUDI, buffer.getvalue().encode(), "pegawai.csv", "text/csv"))
    assert "Dinonaktifkan karena tidak ada di berkas (1):\n• 198504042010012004 Dewi Lestari" in told
    assert "Tidak punya atasan lagi (1)" in told and f"• {STAF} Rudi Hartono" in told


async def test_a_staff_members_csv_is_not_an_import(chat, db):
    out = await chat.document(RUDI, b"nip,name,position,unit,supervisor_nip\n", "pegawai.csv", "text/csv")
    assert "tidak diterima sebagai bukti" in texts(out)


async def test_rekap_shows_a_supervisor_the_digest_of_their_people(chat):
    await chat.photo(RUDI)
    await chat.text(RUDI, "/lapor")
    await chat.text(RUDI, "Selesai.")
    await chat.tap(RUDI, "r:send")
    digest = texts(await chat.text(DEWI, "/rekap"))
    assert "Rekap tim — Senin, 23 November 2026" in digest
    assert "Rudi Hartono: ✅ WFO, lapor 10.00 WITA · tugas 0/0 · bukti 1" in digest
    assert "Total 1 orang: 1 tepat waktu" in digest
    assert "untuk atasan" in texts(await chat.text(RUDI, "/rekap"))



async def test_rekap_kemarin_is_yesterdays_digest(chat, clock):
    await chat.photo(RUDI)
    await chat.text(RUDI, "/lapor")
    await chat.text(RUDI, "Selesai.")
    await chat.tap(RUDI, "r:send")
    clock.advance(days=1)
    digest = texts(await chat.text(DEWI, "/rekap kemarin"))  # it used to be "Tanggal tidak sah: kemarin"
    assert "Rekap tim — Senin, 23 November 2026" in digest and "Rudi Hartono: ✅ WFO" in digest
    assert "Rekap tim — Selasa, 24 November 2026" in texts(await chat.text(DEWI, "/rekap hari ini"))

async def test_someone_the_org_chart_deactivated_is_told_so_not_asked_for_an_invite(chat, db, clock):
    rows = [r for r in small_office() if r["nip"] != KASI]  # Dewi retired; Rudi reports to the division head
    rows[-1]["supervisor_nip"] = KABID
    await run_import(db, clock, rows)
    told = texts(await chat.text(DEWI, "/tim"))
    assert "tidak lagi terdaftar sebagai pegawai aktif" in told and "undangan" not in told
    assert "kode undangan ini tidak dapat dipakai" in texts(await chat.text("999", "/tim"))  # a stranger, as before


async def test_an_announcement_reaches_only_people_with_a_chat_and_the_admin_hears_how_many_did_not(chat, db):
    async with db.uow() as uow:
        await uow.people.mark_unreachable(Channel.TELEGRAM, SITI, MONDAY_0900_WIB)  # she blocked the bot
        await uow.commit()
    await chat.text(BUDI, "/umumkan Apel gabungan Senin pukul 07.30")
    out = await chat.tap(BUDI, "ann:0")
    said = texts(out, BUDI)
    assert "Pengumuman diantrekan untuk 4 orang" in said
    assert "1 orang lainnya tidak menerimanya" in said
    assert "Apel gabungan" in texts(out, RUDI) and texts(out, SITI) == ""
    (entry,) = [e for e in await table(db, AuditEntry) if e.action == "announce"]
    detail = json.loads(entry.detail)
    assert (detail["count"], detail["without_chat"]) == (4, 1)


async def test_two_messages_of_one_person_at_once_are_handled_one_after_the_other(chat, db):
    # Sent twice in a hurry, or two updates polling hands over together: both read "waiting for a title".
    await chat.tap(RUDI, "t:add")
    first, second = await asyncio.gather(chat.text(RUDI, "Rapat koordinasi"), chat.text(RUDI, "Rapat koordinasi"))
    async with db.uow() as uow:
        titles = (await uow.session.execute(select(Task.title))).scalars().all()
    assert titles == ["Rapat koordinasi"]
    assert sum("Tugas ditambahkan" in texts(out) for out in (first, second)) == 1, (texts(first), texts(second))


@pytest.mark.parametrize("db_target", ["postgresql"], indirect=True)  # several web workers: PostgreSQL only
async def test_two_web_workers_given_one_persons_messages_at_once_handle_them_one_after_the_other(chat, db, clock,
                                                                                               tmp_path):
    other_worker = ChatHarness(db, clock, tmp_path / "media")  # its own Conversation: no lock shared in memory
    await chat.tap(RUDI, "t:add")
    await asyncio.gather(chat.text(RUDI, "Rapat koordinasi", key="w1-a"),
                         other_worker.text(RUDI, "Rapat koordinasi", key="w2-b"))
    async with db.uow() as uow:
        assert (await uow.session.execute(select(Task.title))).scalars().all() == ["Rapat koordinasi"]
