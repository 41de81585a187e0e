"""Only the person, their supervision chain and admins see a person's evidence and locations: a supervisor of
another unit, a peer and a stranger see nothing, also with forged button ids."""

import pytest

from bot.domain.org_terms import Channel
from storage.day_tables import Report
from tests.chat_harness import ChatHarness, MONDAY_0900_WIB, texts
from tests.org_rows import HEAD, KABID, KASI, SEK, STAF, small_office
from tests.test_conversation_roles import table
from tests.test_org_import import run_import

RUDI, DEWI, ANDI, SITI, BUDI, TONO, YANI = "501", "502", "503", "504", "505", "506", "507"
PEER = "199106062016031006"  # Tono: Rudi's colleague under the same section head
OTHER = "199207072017032007"  # Yani: in the secretariat, under Siti


@pytest.fixture
async def office(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    rows = small_office()
    rows[0]["role"] = "admin"
    extra = dict(rows[4])
    rows.append({**extra, "nip": PEER, "name": "Tono Saputra", "phone": ""})
    rows.append({**extra, "nip": OTHER, "name": "Yani Putri", "unit": "Sekretariat", "supervisor_nip": SEK,
                 "phone": ""})
    await run_import(db, clock, rows)
    harness = ChatHarness(db, clock, tmp_path / "media")
    codes = await harness.codes()
    for sender, nip in ((RUDI, STAF), (DEWI, KASI), (ANDI, KABID), (SITI, SEK), (BUDI, HEAD), (TONO, PEER),
                        (YANI, OTHER)):
        await harness.text(sender, f"/start {codes[nip]}")
        await harness.location(sender, -1.6, 103.6)
    await harness.photo(RUDI)
    await harness.location(RUDI, -1.65, 103.61)
    await harness.text(RUDI, "/lapor")
    await harness.tap(RUDI, "r:next")
    await harness.text(RUDI, "Rekap data rahasia selesai")
    await harness.tap(RUDI, "r:send")
    async with db.uow() as uow:
        harness.rudi = await uow.people.account_person(Channel.TELEGRAM, RUDI)
    return harness


def shows_rudi(out) -> bool:
    return any(o.reply.attachment for o in out) or "Rekap data rahasia" in texts(out) or "Rudi" in texts(out)


async def test_the_chain_and_admins_see_the_evidence(office):
    for viewer in (DEWI, ANDI, BUDI):  # section head, division head, head of office (admin)
        out = await office.tap(viewer, f"tim:{office.rudi}")
        assert "Rekap data rahasia" in texts(out)
        photos = [o.reply.attachment for o in out if o.reply.attachment]
        assert photos and all("/thumbs/" in p.path for p in photos)  # never the original


@pytest.mark.parametrize("viewer", [SITI, TONO, YANI, "999"])  # other unit's supervisor, peer, other staff, stranger
async def test_others_see_nothing_even_with_forged_ids(office, db, viewer):
    report = (await table(db, Report))[0]
    for forged in (f"tim:{office.rudi}", f"ap:{report.id}:{report.revision}", f"rt:{report.id}:{report.revision}",
                   f"tim:{office.rudi}:x", "tim:-1"):
        assert not shows_rudi(await office.tap(viewer, forged))
    for command in ("/tim", "/rekap"):
        assert not shows_rudi(await office.text(viewer, command))
    assert not shows_rudi(await office.text(viewer, "/rekap 2026-11-23 Seksi Timur"))
    assert [r.status for r in await table(db, Report)] == ["submitted"]  # nothing was reviewed by them


async def test_a_supervisor_of_another_unit_sees_only_their_own_people(office):
    await office.photo(YANI)
    out = await office.text(SITI, "/tim")
    assert "Yani Putri" in texts(out) and "Rudi" not in texts(out)
