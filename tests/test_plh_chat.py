"""/plh: an admin lists, designates and clears acting officials (Plh) in chat, as `apel person plh` does, naming
people by NIP or name (namesakes picked with buttons); bad input gets a polite answer in the admin's language and
changes nothing; every change is audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from bot.domain.org_terms import Channel
from bot.services import plh
from storage.tables import AuditEntry, PlhDesignation
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, texts
from tests.org_rows import KABID, KASI, SEK, small_office
from tests.test_org_import import run_import

ARI_NIP, NAMESAKE_NIP = "199308082018031008", "199106062016031006"
ADMIN, RUDI = "508", "501"
MONDAY = MONDAY_0900_WIB.date()


async def office(db, clock, tmp_path, channel=Channel.TELEGRAM) -> tuple[ChatHarness, dict[str, int]]:
    """The small office, an admin (Ari) and a namesake of Andi Wijaya (the division head) in the secretariat."""
    clock.current = MONDAY_0900_WIB
    staff = dict(small_office()[4], phone="", unit="Sekretariat", supervisor_nip=SEK)
    rows = roled() + [{**staff, "nip": ARI_NIP, "name": "Ari Admin", "role": "admin"},
                             {**staff, "nip": NAMESAKE_NIP, "name": "Andi Wijaya"}]
    await run_import(db, clock, rows)
    chat = ChatHarness(db, clock, tmp_path / "media", channel=channel)
    await chat.link([(ADMIN, ARI_NIP), (RUDI, small_office()[4]["nip"])])
    async with db.uow() as uow:
        ids = {nip: (await uow.org.holder_of_nip(nip))[0] for nip in (KASI, KABID, NAMESAKE_NIP, SEK, ARI_NIP)}
    return chat, ids


def roled() -> list[dict[str, str]]:
    return [{**r, "role": "staff"} for r in small_office()]


async def designations(db) -> list[tuple[int, int, dt.date, dt.date]]:
    async with db.uow() as uow:
        rows = await uow.session.execute(select(PlhDesignation).order_by(PlhDesignation.id))
        return [(d.official_id, d.plh_id, d.first_day, d.last_day) for d in rows.scalars()]


async def audit(db, action: str) -> list[tuple[str, dict]]:
    async with db.uow() as uow:
        rows = await uow.session.execute(select(AuditEntry).where(AuditEntry.action == action))
        return [(e.actor, json.loads(e.detail)) for e in rows.scalars()]


@pytest.mark.parametrize("channel", [Channel.TELEGRAM, Channel.WHATSAPP])
async def test_an_admin_designates_a_plh_by_name_picking_between_namesakes(db, clock, tmp_path, channel):
    chat, ids = await office(db, clock, tmp_path, channel)
    asked = await chat.text(ADMIN, "/plh Dewi Lestari oleh andi wijaya 23 Nov sampai 24-11-2026")
    said = texts(asked, ADMIN)
    assert "Beberapa pegawai cocok dengan andi wijaya. Pilih Plh-nya:" in said, said
    assert "Andi Wijaya — Bidang Timur" in said and "Andi Wijaya — Sekretariat" in said
    labels = sorted(b.label for o in asked for row in o.reply.buttons for b in row)
    assert labels == [f"1. Andi Wijaya ·{KABID[-4:]}", f"2. Andi Wijaya ·{NAMESAKE_NIP[-4:]}"], labels
    assert await designations(db) == []  # nothing until the pick
    done = await chat.tap(ADMIN, f"plh:{ids[KABID]}")
    assert ("Andi Wijaya menjadi Plh Dewi Lestari dari Senin, 23 November 2026 sampai Selasa, 24 November 2026"
            in texts(done, ADMIN)), texts(done)
    assert await designations(db) == [(ids[KASI], ids[KABID], MONDAY, MONDAY + dt.timedelta(days=1))]
    assert await audit(db, "plh_designate") == [(f"person:{ids[ARI_NIP]}", {
        "official_id": ids[KASI], "plh_id": ids[KABID], "from": "2026-11-23", "to": "2026-11-24"})]
    assert texts(await chat.tap(ADMIN, f"plh:{ids[NAMESAKE_NIP]}"), ADMIN).startswith("Tombol")  # the pick is over
    listed = texts(await chat.text(ADMIN, "/plh"), ADMIN)
    assert ("• Andi Wijaya sebagai Plh Dewi Lestari: Senin, 23 November 2026 – Selasa, 24 November 2026"
            in listed), listed
    assert "/plh" in texts(await chat.text(ADMIN, "/bantuan"), ADMIN)


async def test_an_admin_designates_by_nip_and_clears_from_chat(db, clock, tmp_path):
    chat, ids = await office(db, clock, tmp_path)
    done = await chat.text(ADMIN, f"/plh {KASI} oleh {SEK} besok")
    assert "Siti Aminah menjadi Plh Dewi Lestari dari Selasa, 24 November 2026 sampai Selasa" in texts(done), texts(done)
    overlap = texts(await chat.text(ADMIN, "/plh Dewi oleh Ari Admin besok s.d. 25-11-2026"), ADMIN)
    assert "Dewi Lestari sudah punya Plh pada periode itu: Siti Aminah" in overlap, overlap
    assert f"Hapus dulu dengan /plh hapus {KASI} TANGGAL" in overlap
    cleared = texts(await chat.text(ADMIN, "/plh hapus dewi"), ADMIN)
    assert "Plh Dewi Lestari dihapus mulai Senin, 23 November 2026 (1 penunjukan)" in cleared, cleared
    assert await designations(db) == []
    assert [a for a, _ in await audit(db, "plh_designate") + await audit(db, "plh_clear")] == [
        f"person:{ids[ARI_NIP]}"] * 2
    assert "Belum ada Plh yang ditunjuk mulai Senin, 23 November 2026" in texts(await chat.text(ADMIN, "/plh"))


BAD = [
    ("/plh Dewi", "Perintah /plh itu tidak terbaca"),
    ("/plh oleh Siti besok", "Perintah /plh itu tidak terbaca"),
    ("/plh hapus", "Perintah /plh itu tidak terbaca"),
    ("/plh Dewi oleh Siti", "Tanggal Plh tidak terbaca"),
    ("/plh Dewi oleh Siti 31 Feb", "Tanggal Plh tidak terbaca"),
    ("/plh Dewi oleh Siti kemarau sampai besok", "Tanggal Plh tidak terbaca"),
    ("/plh Dewi oleh <b>Nobody</b> besok", "Tidak ada pegawai aktif dengan nama &lt;b&gt;Nobody&lt;/b&gt;"),
    ("/plh Dewi oleh 199001012020011999 besok", "Tidak ada pegawai dengan NIP 199001012020011999"),
    ("/plh Dewi oleh i besok", "Lebih dari 10 pegawai cocok dengan i"),
    ("/plh Dewi oleh Dewi besok", "tidak bisa menjadi Plh dirinya sendiri"),
    ("/plh Rudi oleh Siti besok", "tidak membawahi siapa pun"),
    ("/plh Dewi oleh Siti lusa sampai besok", "Periode terbalik"),
    ("/plh Dewi oleh Siti kemarin", "Periode itu sudah lewat"),
    ("/plh Dewi oleh Siti besok sampai 2028-01-01", "lebih dari setahun"),
    ("/plh hapus Nobody", "Tidak ada pegawai aktif dengan nama Nobody"),
]


async def test_bad_input_is_answered_politely_and_changes_nothing(db, clock, tmp_path):
    chat, ids = await office(db, clock, tmp_path)
    staff = dict(small_office()[4], phone="", unit="Sekretariat", supervisor_nip=SEK)
    iwans = [{**staff, "nip": f"1991060620160310{n:02d}", "name": f"Iwan {n}"} for n in range(10, 20)]
    await run_import(db, clock, roled() + iwans + [  # more people with an "i" in their name than a pick shows
        {**staff, "nip": ARI_NIP, "name": "Ari Admin", "role": "admin"}, {**staff, "nip": NAMESAKE_NIP, "name": "Andi Wijaya"}])
    for typed, expected in BAD:
        said = texts(await chat.text(ADMIN, typed), ADMIN)
        assert expected in said, (typed, said)
    assert await designations(db) == [] and await audit(db, "plh_designate") == []
    await chat.tap(ADMIN, "lang:en")
    said = texts(await chat.text(ADMIN, "/plh Dewi oleh Siti"), ADMIN)
    assert "The Plh's dates could not be read" in said and "Designate: /plh OFFICIAL by ACTING" in said, said
    assert "Dewi Lestari has no Plh from Monday, 23 November 2026" in texts(await chat.text(ADMIN, "/plh hapus Dewi"))


async def test_only_an_admin_may_and_a_pick_needs_the_waiting_command(db, clock, tmp_path):
    chat, ids = await office(db, clock, tmp_path)
    refused = texts(await chat.text(RUDI, f"/plh {KASI} oleh {SEK} besok"), RUDI)
    assert refused == "Maaf, perintah ini hanya untuk admin kepegawaian.", refused
    assert texts(await chat.tap(ADMIN, f"plh:{ids[KABID]}"), ADMIN).startswith("Tombol")  # nothing waits
    await chat.text(ADMIN, "/plh Dewi oleh Andi besok")
    assert texts(await chat.tap(ADMIN, f"plh:{ids[SEK]}"), ADMIN).startswith("Tombol")  # not one offered
    assert texts(await chat.tap(ADMIN, "plh:x"), ADMIN).startswith("Tombol")
    assert await designations(db) == []
    assert [d for a, d in await audit(db, "refused")] == [{"command": "plh"}]
    assert await plh.listing(db.uow, MONDAY) == []


async def test_a_name_is_found_in_any_case_beyond_ascii(db, clock, tmp_path):
    """"ömer" found nobody named "Ömer" on SQLite, whose LOWER folds ASCII only; the name search folds Unicode
    case on both engines now, a name of ASCII letters as before."""
    chat, ids = await office(db, clock, tmp_path)
    staff = dict(small_office()[4], phone="", unit="Sekretariat", supervisor_nip=SEK)
    await run_import(db, clock, roled() + [
        {**staff, "nip": ARI_NIP, "name": "Ari Admin", "role": "admin"}, {**staff, "nip": NAMESAKE_NIP, "name": "Andi Wijaya"},
        {**staff, "nip": "199106062016031011", "name": "Ömer Çelik"}])
    async with db.uow() as uow:
        omer = (await uow.org.holder_of_nip("199106062016031011"))[0]
    done = texts(await chat.text(ADMIN, "/plh dewi oleh ömer ÇELIK besok"), ADMIN)
    assert "Ömer Çelik menjadi Plh Dewi Lestari" in done, done
    assert await designations(db) == [(ids[KASI], omer, MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=1))]
    async with db.uow() as uow:
        assert [a.name for a in await uow.people.named("ÖMER", 5)] == ["Ömer Çelik"]
        assert [a.name for a in await uow.people.named("50%_/", 5)] == []  # LIKE's signs are letters here
        assert [a.name for a in await uow.people.named("WIJAYA", 1)] == ["Andi Wijaya"]  # the limit
