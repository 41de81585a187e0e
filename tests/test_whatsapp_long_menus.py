"""Long menus on WhatsApp: a supervisor with a team bigger than WhatsApp's 10 list rows reviews the
digest by answering numbers. The number they answer is the number of the person in the digest, and
every person can be reached, on the fake Graph API (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.domain.org_terms import Channel
from tests import whatsapp_payloads as wp
from tests.big_office import wide_office_rows
from tests.chat_harness import MONDAY_0900_WIB
from tests.org_rows import HEAD, KASI, flat_office_nip
from tests.test_org_import import run_import
from tests.test_whatsapp_adapter import Rig

TEAM = 12  # 11 people with a report to review (all but person 3): 35 buttons, far beyond a list's 10 rows
SILENT = 3
DEWI = "ID.3000000000000000"


def office(size: int = TEAM) -> list[dict[str, str]]:
    rows = [{"nip": HEAD, "name": "Budi Santoso", "position": "Kepala Dinas", "unit": "Dinas", "supervisor_nip": ""},
            {"nip": KASI, "name": "Dewi Lestari", "position": "Kepala Seksi", "unit": "Seksi Data",
             "supervisor_nip": HEAD}]
    rows += [{"nip": flat_office_nip(i), "name": f"Pegawai {i:02d}", "position": "Pelaksana", "unit": "Seksi Data",
              "supervisor_nip": KASI} for i in range(1, size + 1)]
    return rows


def user(i: int) -> str:
    return f"ID.30000000000000{i:02d}"


async def onboarded(db, clock, tmp_path, size: int) -> Rig:
    """The office of `size` staff on WhatsApp, everyone but person SILENT with a report sent."""
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, office(size))
    rig = Rig(db, clock, tmp_path)
    codes = await rig.harness.codes()
    await rig.says(DEWI, "6281300000000", wp.text(codes[KASI]))
    for i in range(1, size + 1):
        await rig.says(user(i), f"62813000000{i:02d}", wp.text(codes[flat_office_nip(i)]))
        if i == SILENT:
            continue
        await rig.says(user(i), f"62813000000{i:02d}", wp.text("/lapor"))
        await rig.says(user(i), f"62813000000{i:02d}", wp.text(f"Pekerjaan {i:02d} selesai."))
        await rig.says(user(i), f"62813000000{i:02d}", wp.button_reply("r:send"))
    return rig


@pytest.fixture
async def team(db, clock, tmp_path):
    rig = await onboarded(db, clock, tmp_path, TEAM)
    yield rig
    await rig.http.aclose()
    await rig.parts.close()


async def person_of(rig, i: int) -> int:
    async with rig.db.uow() as uow:
        return await uow.people.account_person(Channel.WHATSAPP, user(i))


async def test_answering_a_persons_number_in_the_digest_offers_that_persons_buttons(team):
    digest = await team.says(DEWI, "6281300000000", wp.text("/rekap"))
    menu = digest[-1]
    assert menu.type == "text" and "12. Pegawai 12" in "\n".join(c.shown() for c in digest)
    # One line per person (and one for approving all), not one per button.
    options = menu.shown().split("Total ", 1)[1].splitlines()[1:]
    numbered = [line for line in options if line[:1].isdigit()]
    assert len(numbered) == TEAM + 1, numbered
    assert "\n3. 👁 3\n" in menu.shown()

    for i in (12, 4):  # the menu still answers after a first choice
        offered = await team.says(DEWI, "6281300000000", wp.text(str(i)))
        assert len(offered) == 1 and offered[0].type == "interactive", [c.shown() for c in offered]
        actions = [a for a, _ in offered[0].actions()]
        assert [a.split(":")[0] for a in actions] == ["ap", "rt", "tim"]
        assert actions[2] == f"tim:{await person_of(team, i)}:20261123"  # that person's day of the digest

    approve = [a for a, _ in offered[0].actions()][0]
    done = await team.says(DEWI, "6281300000000", wp.button_reply(approve))
    assert "disetujui" in "\n".join(c.shown() for c in done).lower()
    async with team.db.uow() as uow:
        approved = await uow.session.execute(text("SELECT person_id FROM report WHERE status = 'approved'"))
        assert [row[0] for row in approved] == [await person_of(team, 4)]
    details = await team.says(DEWI, "6281300000000", wp.text(str(SILENT)))  # no report: 👁 alone, at once
    assert len(details) == 1 and "Pegawai 03" in details[0].shown() and "belum lapor" in details[0].shown()


async def test_a_number_beyond_the_digest_is_answered_as_no_line_of_it_and_the_list_still_answers(team):
    # "14" under a digest of 13 lines got "Pesan diterima …", as if the supervisor's answer had been taken.
    await team.says(DEWI, "6281300000000", wp.text("/rekap"))
    beyond = await team.says(DEWI, "6281300000000", wp.text("14"))
    assert [c.shown() for c in beyond] == ["Nomor 14 tidak ada di daftar terakhir, jadi tidak ada yang dijalankan. "
                                           "Balas dengan nomor yang tertera di daftar itu, atau kirim lagi perintahnya."]
    offered = await team.says(DEWI, "6281300000000", wp.text("4"))
    assert [a.split(":")[0] for a, _ in offered[0].actions()] == ["ap", "rt", "tim"]


async def test_the_team_list_numbers_each_person_once_and_the_number_opens_them(team):
    listing = await team.says(DEWI, "6281300000000", wp.text("/tim"))
    menu = listing[-1].shown()
    assert "\n12. Pegawai 12" in menu and "1. 1." not in menu, menu
    opened = await team.says(DEWI, "6281300000000", wp.text("12"))
    assert "Pegawai 12" in opened[0].shown()


async def test_with_a_task_done_the_number_of_a_task_still_answers_that_task(team):
    who, phone = user(1), "6281300000001"
    for title in ("Tugas A", "Tugas B", "Tugas C", "Tugas D"):  # 3 open: 13 buttons, numbered
        await team.says(who, phone, wp.button_reply("t:add"))
        await team.says(who, phone, wp.text(title))
    async with team.db.uow() as uow:
        ids = {t.title: t.id for t in await uow.day.tasks_for_day(await person_of(team, 1), team.clock.now().date())}
    await team.says(who, phone, wp.button_reply(f"t:{ids['Tugas A']}:done"))
    listing = (await team.says(who, phone, wp.text("/tugas")))[-1].shown()
    assert "2. ⬜ Tugas B" in listing and "\n2. ✅ 2 · 🔄 2 · ⛔ 2 · 📎 2" in listing, listing
    offered = await team.says(who, phone, wp.text("2"))  # task 2 is Tugas B, the first row with buttons
    assert [a for a, _ in offered[0].actions()][0] == f"t:{ids['Tugas B']}:done"
    nothing = await team.says(who, phone, wp.text("1"))  # task 1 is done: it has no buttons to offer
    assert nothing[0].type == "text" and "✅" not in nothing[0].shown()


async def test_a_digest_too_big_for_one_telegram_keyboard_keeps_its_numbers_on_whatsapp(db, clock, tmp_path):
    # 35 people, 34 with a report: over Telegram's 100 buttons, so the digest's buttons come in pages
    # of 30 people; on WhatsApp the second page still answers a person by their number in the digest.
    rig = await onboarded(db, clock, tmp_path, 35)
    try:
        menu = (await rig.says(DEWI, "6281300000000", wp.text("/rekap")))[-1].shown()
        assert "\n30. ✅ 30 · ↩️ 30 · 👁 30\n" in menu and "\n31. " in menu, menu
        page = (await rig.says(DEWI, "6281300000000", wp.text("31")))[-1].shown()  # the next page's line
        assert "\n35. ✅ 35 · ↩️ 35 · 👁 35\n" in page, page
        offered = await rig.says(DEWI, "6281300000000", wp.text("34"))
        actions = [a for a, _ in offered[0].actions()]
        assert actions[2] == f"tim:{await person_of(rig, 34)}:20261123", actions
    finally:
        await rig.http.aclose()
        await rig.parts.close()


async def test_a_page_of_the_team_list_answers_the_numbers_it_shows(db, clock, tmp_path):
    # 120 people under one head: /tim's buttons come 90 a page; the second page lists 91–120, and
    # answering 120 opens person 120, as it reads.
    clock.current = MONDAY_0900_WIB
    rows = wide_office_rows(120)
    await run_import(db, clock, rows)
    rig = Rig(db, clock, tmp_path)
    try:
        await rig.says(DEWI, "6281300000000", wp.text((await rig.harness.codes())[rows[0]["nip"]]))
        listing = "\n".join(c.shown() for c in await rig.says(DEWI, "6281300000000", wp.text("/tim")))
        assert "\n90. " in listing and "\n91. Tombol 91–120 ▶" in listing, listing[-400:]
        page = (await rig.says(DEWI, "6281300000000", wp.text("91")))[-1].shown()
        assert "\n121. ◀ Tombol 1–90" in page and "1. 91." not in page, page
        shown_120 = page.split("\n120. ", 1)[1].split("\n", 1)[0].rstrip("…")
        opened = await rig.says(DEWI, "6281300000000", wp.text("120"))
        assert shown_120 in opened[0].shown()
    finally:
        await rig.http.aclose()
        await rig.parts.close()


async def _picked(rig) -> list[int]:
    async with rig.db.uow() as uow:
        _, data = await uow.day.state(await uow.people.account_person(Channel.WHATSAPP, DEWI))
    return sorted(data["picked"])


async def test_the_assign_picker_takes_several_numbers_in_one_answer(team):
    picker = (await team.says(DEWI, "6281300000000", wp.text("/tugaskan")))[-1].shown()
    assert "\n12. ⬜ Pegawai 12" in picker and "beberapa sekaligus boleh, misalnya 2 5 7" in picker, picker
    picked = await team.says(DEWI, "6281300000000", wp.text("2, 5 7"))
    assert len(picked) == 1, [c.shown() for c in picked]  # one list again, not one a number
    shown = picked[0].shown()
    assert all(f"\n{i}. ☑️ Pegawai {i:02d}" in shown for i in (2, 5, 7)) and "\n3. ⬜ Pegawai 03" in shown, shown
    shown = (await team.says(DEWI, "6281300000000", wp.text("5 9")))[-1].shown()  # 5 again: unchosen
    assert "\n5. ⬜ Pegawai 05" in shown and "\n9. ☑️ Pegawai 09" in shown, shown
    assert await _picked(team) == sorted([await person_of(team, i) for i in (2, 7, 9)])
    unread = await team.says(DEWI, "6281300000000", wp.text("3 99"))  # 99 answers no line: nothing is toggled
    assert "Pakai tombol di atas untuk memilih" in unread[-1].shown()
    await team.says(DEWI, "6281300000000", wp.text("3 14"))  # 14 is "Lanjut", not a person
    assert await _picked(team) == sorted([await person_of(team, i) for i in (2, 7, 9)])
