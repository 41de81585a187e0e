"""Long menus on WhatsApp: a supervisor with a team bigger than WhatsApp's 10 list rows reviews the
digest by answering numbers. The number they answer is the number of the person in the digest, and
every person can be reached, on the fake Graph API (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.domain.org_terms import Channel
from tests import whatsapp_payloads as wp
from tests.chat_harness import MONDAY_0900_WIB
from tests.org_rows import HEAD, KASI, flat_office_nip
from tests.test_org_import import run_import
from tests.test_whatsapp_adapter import Rig

TEAM = 12  # 12 people with a report to review: 37 buttons, far beyond a list's 10 rows
DEWI = "ID.3000000000000000"


def office() -> list[dict[str, str]]:
    rows = [{"nip": HEAD, "name": "Budi Santoso", "position": "Kepala Dinas", "unit": "Dinas", "supervisor_nip": ""},
            {"nip": KASI, "name": "Dewi Lestari", "position": "Kepala Seksi", "unit": "Seksi Data",
             "supervisor_nip": HEAD}]
    rows += [{"nip": flat_office_nip(i), "name": f"Pegawai {i:02d}", "position": "Pelaksana", "unit": "Seksi Data",
              "supervisor_nip": KASI} for i in range(1, TEAM + 1)]
    return rows


def user(i: int) -> str:
    return f"ID.30000000000000{i:02d}"


@pytest.fixture
async def team(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, office())
    rig = Rig(db, clock, tmp_path)
    codes = await rig.harness.codes()
    await rig.says(DEWI, "6281300000000", wp.text(codes[KASI]))
    for i in range(1, TEAM + 1):
        await rig.says(user(i), f"62813000000{i:02d}", wp.text(codes[flat_office_nip(i)]))
        await rig.says(user(i), f"62813000000{i:02d}", wp.text("/lapor"))
        await rig.says(user(i), f"62813000000{i:02d}", wp.text(f"Pekerjaan {i:02d} selesai."))
        await rig.says(user(i), f"62813000000{i:02d}", wp.button_reply("r:send"))
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

    for i in (12, 3):  # the menu still answers after a first choice
        offered = await team.says(DEWI, "6281300000000", wp.text(str(i)))
        assert len(offered) == 1 and offered[0].type == "interactive", [c.shown() for c in offered]
        actions = [a for a, _ in offered[0].actions()]
        assert [a.split(":")[0] for a in actions] == ["ap", "rt", "tim"]
        assert actions[2] == f"tim:{await person_of(team, i)}"

    approve = [a for a, _ in offered[0].actions()][0]
    done = await team.says(DEWI, "6281300000000", wp.button_reply(approve))
    assert "disetujui" in "\n".join(c.shown() for c in done).lower()
    async with team.db.uow() as uow:
        approved = await uow.session.execute(text("SELECT person_id FROM report WHERE status = 'approved'"))
        assert [row[0] for row in approved] == [await person_of(team, 3)]


async def test_the_team_list_numbers_each_person_once_and_the_number_opens_them(team):
    listing = await team.says(DEWI, "6281300000000", wp.text("/tim"))
    menu = listing[-1].shown()
    assert "\n12. Pegawai 12" in menu and "1. 1." not in menu, menu
    opened = await team.says(DEWI, "6281300000000", wp.text("12"))
    assert "Pegawai 12" in opened[0].shown()
