"""One answer with two numbered lists on WhatsApp — /tim and /rekap of a Plh on a designated day: their own team,
then the official's — numbers the second on from the first, and a typed number answers either list (the
adapter stores one menu for the turn). On Telegram each list starts at 1 (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

from bot.services import plh
from tests import whatsapp_payloads as wp
from tests.org_rows import KABID, KASI, STAF
from tests.test_whatsapp_adapter import DEWI, DEWI_PHONE, RUDI, RUDI_PHONE, onboard, rig, shown  # noqa: F401

MONDAY = dt.date(2026, 11, 23)


async def dewi_standing_in_for_andi(rig) -> None:  # noqa: F811
    """Dewi (Kepala Seksi; Rudi under her) is Plh of her own superior Andi (whose team is Dewi) today."""
    await onboard(rig, DEWI, DEWI_PHONE, KASI)
    await rig.says(DEWI, DEWI_PHONE, wp.location(-1.6, 103.7))
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    await plh.designate(rig.db.uow, KABID, KASI, MONDAY, MONDAY, today=MONDAY, now=rig.clock.now(), actor="cli")


async def test_tim_of_a_plh_numbers_the_officials_team_on_and_a_typed_number_reaches_both(rig):  # noqa: F811
    # The official's team was numbered from 1 again and its menu replaced the first: "1" opened Dewi (the
    # official's team's first), and Rudi, of her own team, could only be tapped.
    await dewi_standing_in_for_andi(rig)
    listed = await rig.says(DEWI, DEWI_PHONE, wp.text("/tim"))
    assert "1. Rudi Hartono" in shown(listed) and "2. Dewi Lestari" in shown(listed), shown(listed)
    rudi = await rig.says(DEWI, DEWI_PHONE, wp.text("1"))
    assert "Rudi Hartono" in shown(rudi) and "Dewi Lestari" not in shown(rudi), shown(rudi)
    herself = await rig.says(DEWI, DEWI_PHONE, wp.text("2"))
    assert "Dewi Lestari" in shown(herself) and "Rudi Hartono" not in shown(herself), shown(herself)
    nothing = await rig.says(DEWI, DEWI_PHONE, wp.text("3"))
    assert "Nomor 3 tidak ada" in shown(nothing), shown(nothing)


async def test_rekap_of_a_plh_numbers_the_officials_digest_on_and_a_typed_number_reaches_both(rig):  # noqa: F811
    # "1" opened the official's digest's person 1 (Dewi), and Rudi, of her own digest, could only be tapped.
    await dewi_standing_in_for_andi(rig)
    digests = await rig.says(DEWI, DEWI_PHONE, wp.text("/rekap"))
    assert "1. Rudi Hartono" in shown(digests) and "2. Dewi Lestari" in shown(digests), shown(digests)
    assert [title for _, title in digests[-1].actions()] == ["👁 2"], shown(digests)
    rudi = await rig.says(DEWI, DEWI_PHONE, wp.text("1"))
    assert "Rudi Hartono" in shown(rudi) and "Dewi Lestari" not in shown(rudi), shown(rudi)
    herself = await rig.says(DEWI, DEWI_PHONE, wp.text("2"))
    assert "Dewi Lestari" in shown(herself) and "Rudi Hartono" not in shown(herself), shown(herself)


async def test_on_telegram_each_list_of_the_turn_starts_at_1(db, clock, tmp_path):
    from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, texts
    from tests.org_rows import small_office
    from tests.test_org_import import run_import

    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    chat = ChatHarness(db, clock, tmp_path / "media")
    await chat.link([("dewi", KASI)], home=(-1.6, 103.7))
    await plh.designate(db.uow, KABID, KASI, MONDAY, MONDAY, today=MONDAY, now=clock.now(), actor="cli")
    for command in ("/tim", "/rekap"):
        out = texts(await chat.text("dewi", command))
        assert "1. Rudi Hartono" in out and "1. Dewi Lestari" in out and "2. Dewi Lestari" not in out, out


async def test_an_admins_rekap_of_a_unit_numbers_each_supervisors_digest_on_from_the_one_before(db, clock, tmp_path):
    # Each supervisor's digest began at 1 again: on WhatsApp "1" answered the last digest's first person only.
    from bot.domain.org_terms import Channel
    from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, texts
    from tests.org_rows import HEAD, small_office
    from tests.test_org_import import run_import

    clock.current = MONDAY_0900_WIB
    rows = small_office()
    rows[0]["role"] = rows[3]["role"] = "admin"  # Budi reads it on WhatsApp, Dewi on Telegram
    await run_import(db, clock, rows)
    shown = {}
    for channel, nip, sender in ((Channel.WHATSAPP, HEAD, "budi"), (Channel.TELEGRAM, KASI, "606")):
        chat = ChatHarness(db, clock, tmp_path / channel.value, channel=channel)
        chat.events = itertools.count(100 * len(shown))  # the event keys of the other harness are seen already
        await chat.link([(sender, nip)], home=(-1.6, 103.6))
        shown[channel] = texts(await chat.text(sender, "/rekap 2026-11-23 Dinas"))
    # Andi's team (Dewi), Budi's (Andi, Siti), Dewi's (Rudi): by unit.
    assert all(f"{n}. {name}:" in shown[Channel.WHATSAPP] for n, name in (
        (1, "Dewi Lestari"), (2, "Andi Wijaya"), (3, "Siti Aminah"), (4, "Rudi Hartono"))), shown[Channel.WHATSAPP]
    assert all(f"{n}. {name}:" in shown[Channel.TELEGRAM] for n, name in (
        (1, "Dewi Lestari"), (1, "Andi Wijaya"), (2, "Siti Aminah"), (1, "Rudi Hartono"))), shown[Channel.TELEGRAM]


async def test_a_menu_stored_before_menus_named_their_turn_is_still_answered(rig):  # noqa: F811
    from sqlalchemy import text

    await dewi_standing_in_for_andi(rig)
    await rig.says(DEWI, DEWI_PHONE, wp.text("/tim"))
    async with rig.db.engine.begin() as connection:
        stored = (await connection.execute(text("SELECT menu FROM whatsapp_chat WHERE external_id = :e"),
                                           {"e": DEWI})).scalar_one()
        entries = json.loads(stored)["entries"]
        await connection.execute(text("UPDATE whatsapp_chat SET menu = :m WHERE external_id = :e"),
                                 {"m": json.dumps(entries), "e": DEWI})
    rudi = await rig.says(DEWI, DEWI_PHONE, wp.text("1"))
    assert "Rudi Hartono" in shown(rudi), shown(rudi)


async def test_a_large_digest_listed_after_others_numbers_its_pages_on_too(rig):  # noqa: F811
    # The page of people 31–60 of Dewi's digest, the unit's third, was numbered 31–60 while the digest listed
    # them as 34–63, and its ▶ said "Tombol 31–60"; the digest's lone 👁 4, 👁 5, … were numbered 1, 2, ….
    import re

    from tests.org_rows import HEAD, flat_office_nip, small_office
    from tests.test_org_import import run_import

    rows = small_office()
    rows[0]["role"] = "admin"
    rows += [{"nip": flat_office_nip(i), "name": f"Staf {i:02d}", "position": "Pengadministrasi", "unit": "Seksi Timur",
              "supervisor_nip": KASI, "unit_parent": "", "timezone": "", "phone": ""} for i in range(1, 100)]
    assert (await run_import(rig.db, rig.clock, rows)).ok
    budi = "ID.1000000000000009"
    await onboard(rig, budi, "6281234500009", HEAD)
    await rig.says(budi, "6281234500009", wp.location(-1.6, 103.6))
    digests = shown(await rig.says(budi, "6281234500009", wp.text("/rekap 2026-11-23 Dinas")))
    assert "4. Rudi Hartono:" in digests or "4. Staf 01:" in digests, digests
    assert "Tombol 34–63 ▶" in digests and "\n5. 👁 5\n" in digests and "\n1. 👁" not in digests, digests
    page = await rig.says(budi, "6281234500009", wp.button_reply(f"dg:20261123:{await person_id(rig, KASI)}:1:n:4"))
    assert "nomor 34–63 dari 103" in shown(page), shown(page)
    name = re.search(r"^34\. (.+)$", shown(page), re.M).group(1)
    assert f"34. {name}:" in digests, digests
    opened = await rig.says(budi, "6281234500009", wp.text("34"))
    assert name in shown(opened), shown(opened)


async def person_id(rig, nip: str) -> int:  # noqa: F811
    from sqlalchemy import text

    async with rig.db.engine.connect() as connection:
        return (await connection.execute(text("SELECT id FROM person WHERE nip = :n"), {"n": nip})).scalar_one()


async def test_the_pages_of_a_large_official_team_listed_after_the_plhs_own_number_on_too(rig):  # noqa: F811
    # Andi's 101 people, listed 2–102 after Dewi's Rudi, got a ▶ "Tombol 91–101" and a page numbered 91–101.
    import re

    from tests.org_rows import flat_office_nip, small_office
    from tests.test_org_import import run_import

    rows = small_office() + [
        {"nip": flat_office_nip(i), "name": f"Staf {i:02d}", "position": "Pengadministrasi", "unit": "Bidang Timur",
         "supervisor_nip": KABID, "unit_parent": "", "timezone": "", "phone": ""} for i in range(1, 101)]
    assert (await run_import(rig.db, rig.clock, rows)).ok
    await dewi_standing_in_for_andi(rig)
    listed = shown(await rig.says(DEWI, DEWI_PHONE, wp.text("/tim")))
    assert "Tombol 92–102 ▶" in listed and "\n91. " in listed, listed
    page = await rig.says(DEWI, DEWI_PHONE, wp.button_reply(f"timpg:1:n:{await person_id(rig, KABID)}:2"))
    assert "nomor 92–102 dari 102" in shown(page), shown(page)
    name = re.search(r"^92\. (.+)$", shown(page), re.M).group(1)
    assert f"92. {name} — " in listed, listed
    opened = await rig.says(DEWI, DEWI_PHONE, wp.text("92"))
    assert name in shown(opened), shown(opened)
