"""`apel person export` and `apel person erase`: everything about a person in a ZIP; erasure of a deactivated
person's personal data that keeps the counts of their days."""

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from bot.cli.app import app
from bot.exports.person_archive import write_archive
from bot.services.errors import ServiceError
from bot.services.person_data import erase_person, export_person
from bot.services.roster_admin import override_day
from storage.day_tables import ConversationState, Evidence, LeaveRequest, LocationFix, Report, WorkDay
from storage.media_files import LocalMediaFiles
from storage.outbox_tables import OutboxMessage
from storage.tables import AuditEntry, ChannelAccount, OrgMembership, Person, PlhDesignation
from storage.whatsapp_tables import WhatsAppChat, WhatsAppHeld, WhatsAppSent
from tests.chat_harness import actions
from tests.org_rows import KASI, SEK, STAF
from tests.test_conversation_roles import DEWI, RUDI, chat, ids, table  # noqa: F401  (the fixture)


async def rudi_works_a_day(chat):
    """A photo, a location, a report, and an approved sick leave for tomorrow."""
    await chat.photo(RUDI)
    await chat.location(RUDI, -1.61, 103.62)
    await chat.text(RUDI, "/lapor")
    await chat.tap(RUDI, "r:next")
    await chat.text(RUDI, "Menyusun data SPBE bersama tim")
    await chat.tap(RUDI, "r:send")
    await chat.tap(RUDI, "lv:sakit")
    await chat.text(RUDI, "24/11")
    sent = await chat.text(RUDI, "Kontrol ke dokter gigi")
    await chat.tap(DEWI, next(a for a in actions(sent) if a.endswith(":y")))


async def messages_to(db, person_id: int, whatsapp_id: str, clock) -> None:
    """What the outbox and the WhatsApp adapter keep of messages to a person reached on WhatsApp."""
    async with db.uow() as uow:
        uow.session.add_all([
            ChannelAccount(person_id=person_id, channel="whatsapp", external_id=whatsapp_id, linked_at=clock.now()),
            WhatsAppChat(external_id=whatsapp_id, wa_id=whatsapp_id, last_inbound_at=clock.now()),
            OutboxMessage(key=f"briefing:{person_id}", person_id=person_id, channel="whatsapp",
                          external_id=whatsapp_id, kind="briefing", status="sent",
                          payload='{"text":"Selamat pagi"}', created_at=clock.now()),
            WhatsAppHeld(external_id=whatsapp_id, person_id=person_id, payload="{}", held_at=clock.now()),
            WhatsAppSent(wamid=f"wamid.{person_id}", external_id=whatsapp_id, person_id=person_id,
                         sent_at=clock.now()),
        ])
        await uow.commit()


async def test_the_export_holds_everything_about_the_person(chat, db, clock, tmp_path):
    await rudi_works_a_day(chat)
    await messages_to(db, (await ids(db))[STAF], "62811", clock)
    export = await export_person(db.uow, STAF, now=clock.now(), actor="test")
    target = tmp_path / "rudi.zip"
    assert await write_archive(export, target) == 1
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        data = json.loads(archive.read("person.json"))
    assert names[0] == "person.json" and any(n.startswith("evidence/originals/") for n in names)
    assert data["person"]["nip"] == STAF and data["person"]["name"] == "Rudi Hartono"
    assert data["person"]["unit"] == "Seksi Timur" and data["person"]["phone"]
    assert data["channel_accounts"][0]["external_id"] == RUDI
    assert data["location_fixes"] and data["evidence"][0]["sha256"]
    assert data["leave_requests"][0]["reason"] == "Kontrol ke dokter gigi"
    assert data["work_days"] and data["invites"] and "code_hash" not in data["invites"][0]
    assert [(m["unit"], m["active"], m["valid_until"]) for m in data["org_memberships"]] == [("Seksi Timur", True, None)]
    assert [m["payload"] for m in data["messages"] if m["kind"] == "briefing"] == ['{"text":"Selamat pagi"}']
    assert data["whatsapp_held"] and data["whatsapp_sent"][0]["wamid"].startswith("wamid.")
    # The WhatsApp chat's phone number and window (the inventory's "whatsapp_chat"), found by the identity.
    assert [(c["wa_id"], c["last_inbound_at"]) for c in data["whatsapp_chats"]] == [("62811", clock.now().isoformat())]
    # What was done about them is theirs too: Dewi's decision on the sick leave names Rudi by id only.
    assert [(a["action"], a["actor"]) for a in data["audit_log"]] == [("leave_approved", f"person:{(await ids(db))[KASI]}")]
    assert Path(target).stat().st_mode & 0o777 == 0o600
    with pytest.raises(ServiceError):
        await export_person(db.uow, "000000000000000000", now=clock.now(), actor="test")


async def test_an_active_person_is_not_erased(chat, db, clock):
    with pytest.raises(ServiceError) as refused:
        await erase_person(db.uow, LocalMediaFiles(), STAF, now=clock.now(), actor="test")
    assert refused.value.code == "person_data.still_active"
    assert any(p.nip == STAF for p in await table(db, Person))


async def test_erasing_a_deactivated_person_leaves_no_personal_data_but_the_counts(chat, db, clock):
    rudi = (await ids(db))[STAF]
    async with db.uow() as uow:  # an admin's override of the day the sick leave then replaces (audited by NIP)
        await override_day(uow, nip=STAF, day=dt.date(2026, 11, 24), mode="wfh", reason="Pemulihan operasi lutut",
                           actor="cli", now=clock.now())
        await uow.commit()
    assert any(STAF in a.detail for a in await table(db, AuditEntry))
    await rudi_works_a_day(chat)
    assert "Pemulihan operasi lutut" in (await table(db, LeaveRequest))[0].replaced_modes
    await messages_to(db, rudi, "62811", clock)
    await messages_to(db, (await ids(db))[SEK], "62822", clock)  # someone else's: they stay
    evidence = await table(db, Evidence)
    files = [Path(p) for e in evidence for p in (e.path, e.derivative_path, e.thumb_path)]
    assert all(f.exists() for f in files)
    before = (sorted((w.day, w.mode) for w in await table(db, WorkDay) if w.person_id == rudi),
              [(r.status, r.late, r.evidence_count) for r in await table(db, Report)])
    async with db.uow() as uow:
        await uow.session.execute(update(Person).where(Person.id == rudi).values(active=False))
        await uow.commit()

    assert await erase_person(db.uow, LocalMediaFiles(), STAF, now=clock.now(), actor="test") == 3  # original, derivative, thumbnail
    person = next(p for p in await table(db, Person) if p.id == rudi)
    assert (person.name, person.nip) == (f"Dihapus {rudi}", f"X{rudi:017d}") and len(person.nip) == 18
    assert person.position == ""  # a post held by one person would name them
    assert (person.phone, person.home_lat, person.home_lon, person.home_pending_lat, person.home_pending_lon) == \
        (None, None, None, None, None)
    assert person.erased_at == clock.now()
    assert not any(f.exists() for f in files)
    assert [e for e in await table(db, LocationFix) if e.person_id == rudi] == []
    assert [s for s in await table(db, ConversationState) if s.person_id == rudi] == []
    assert all(a.unlinked_at and a.external_id == "" for a in await table(db, ChannelAccount) if a.person_id == rudi)
    assert [c.wa_id for c in await table(db, WhatsAppChat)] == ["62822"]
    for kind in (OutboxMessage, WhatsAppHeld, WhatsAppSent):
        people = {row.person_id for row in await table(db, kind)}
        assert rudi not in people and (await ids(db))[SEK] in people, kind
    assert [m.external_id for m in await table(db, OutboxMessage) if m.external_id.startswith("628")] == ["62822"]
    evidence = [e for e in await table(db, Evidence) if e.person_id == rudi]
    assert len(evidence) == 1 and (evidence[0].filename, evidence[0].caption, evidence[0].thumb_path) == (None, None, None)
    assert [(r.summary, r.task_lines) for r in await table(db, Report)] == [(None, "[]")]
    assert [r.reason for r in await table(db, LeaveRequest)] == [""]
    # The day's earlier plan stays (its mode), its reason does not.
    assert [json.loads(r.replaced_modes) for r in await table(db, LeaveRequest)] == [
        {"2026-11-24": ["wfh", "override", None]}]
    after = (sorted((w.day, w.mode) for w in await table(db, WorkDay) if w.person_id == rudi),
             [(r.status, r.late, r.evidence_count) for r in await table(db, Report)])
    assert after == before  # the counts the unit's recaps are made of
    # and in which unit each day was counted: the unit (an id) and when, nothing naming him
    assert [m.valid_from for m in await table(db, OrgMembership) if m.person_id == rudi] == [person.created_at]
    dump = json.dumps([a.detail for a in await table(db, AuditEntry) if a.action == "person_erase"])
    assert STAF not in dump and "Rudi" not in dump
    assert not any(STAF in a.detail for a in await table(db, AuditEntry))  # the override's entry: placeholder NIP
    assert f"X{rudi:017d}" in next(a.detail for a in await table(db, AuditEntry) if a.action == "roster_override")
    assert not any(STAF in json.dumps(p.__dict__, default=str) for p in await table(db, Person))


async def test_erasing_a_section_head_blanks_the_rank_and_keeps_the_history_that_holds_no_name(chat, db, clock):
    """A seksi has one `pengawas`, its head: the rank beside the unit named Dewi as surely as her position did,
    and erasure kept it. What stays is ids and moments (README "Erasure"): where she stood in the org chart
    (the month export counts her days there) and whom she stood in for as Plh (whose decisions those days were)."""
    people = await ids(db)
    dewi = people[KASI]
    async with db.uow() as uow:
        await uow.session.execute(update(Person).where(Person.id == dewi).values(rank="pengawas", active=False))
        uow.session.add(PlhDesignation(official_id=people[SEK], plh_id=dewi, first_day=dt.date(2026, 11, 2),
                                       last_day=dt.date(2026, 11, 6), created_at=clock.now()))
        await uow.commit()
    memberships = [(m.unit_id, m.supervisor_id, m.valid_from) for m in await table(db, OrgMembership)
                   if m.person_id == dewi]

    await erase_person(db.uow, LocalMediaFiles(), KASI, now=clock.now(), actor="test")

    person = next(p for p in await table(db, Person) if p.id == dewi)
    assert (person.position, person.rank) == ("", None)
    assert [(m.unit_id, m.supervisor_id, m.valid_from) for m in await table(db, OrgMembership)
            if m.person_id == dewi] == memberships != []
    assert [(d.official_id, d.plh_id, d.first_day) for d in await table(db, PlhDesignation)] == [
        (people[SEK], dewi, dt.date(2026, 11, 2))]


def test_apel_person_erase_refuses_an_active_person_and_needs_confirmation(apel_env, tmp_path):
    from tests.org_rows import small_office, write_csv

    runner = CliRunner()
    assert runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "org.csv", small_office()))]).exit_code == 0
    refused = runner.invoke(app, ["person", "erase", STAF, "--yes"])
    assert refused.exit_code == 1 and "still active" in refused.stderr
    asked = runner.invoke(app, ["person", "erase", STAF], input="n\n")
    assert asked.exit_code == 1 and "still active" in asked.stderr and "[y/N]" not in asked.stdout  # no question
    unknown = runner.invoke(app, ["person", "export", "000000000000000000"])
    assert unknown.exit_code == 1 and "no person" in unknown.stderr
    exported = runner.invoke(app, ["person", "export", STAF, "--output", str(tmp_path / "out.zip")])
    assert exported.exit_code == 0, exported.stderr
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert json.loads(archive.read("person.json"))["person"]["nip"] == STAF
    without = [r for r in small_office() if r["nip"] != STAF]
    assert runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "org.csv", without))]).exit_code == 0
    cancelled = runner.invoke(app, ["person", "erase", STAF], input="n\n")
    assert cancelled.exit_code != 0 and "nothing was erased" in cancelled.stderr and "[y/N]" in cancelled.stderr


async def test_erasure_takes_the_name_and_nip_out_of_others_messages_that_are_kept(chat, db, clock):
    # A supervisor's digest and notices naming the erased person stayed in the outbox (sent, kept 14 days) and
    # in WhatsApp's held content, name and NIP in full.
    rudi, dewi = (await ids(db))[STAF], (await ids(db))[KASI]
    await rudi_works_a_day(chat)  # his sick leave's notice to Dewi names him
    digest = {"text": f"📋 Rekap tim\n1. Rudi Hartono ({STAF}) — terlambat\n2. Rudi Hartonowati — tepat waktu",
              "buttons": [[["✅ Rudi Hartono", "rv:1:a", False]]], "attachment": None}
    async with db.uow() as uow:
        uow.session.add_all([
            OutboxMessage(key="digest:dewi", person_id=dewi, channel="telegram", external_id=DEWI, kind="digest",
                          status="sent", payload=json.dumps(digest, ensure_ascii=False), created_at=clock.now()),
            WhatsAppHeld(external_id="62833", person_id=dewi, held_at=clock.now(),
                         payload=json.dumps({"text": "Cuti <b>Rudi Hartono</b> menunggu", "buttons": []})),
        ])
        await uow.session.execute(update(Person).where(Person.id == rudi).values(active=False))
        await uow.commit()
    naming = [m for m in await table(db, OutboxMessage) if m.person_id != rudi and "Rudi Hartono" in m.payload]
    assert len(naming) >= 2, [m.payload for m in await table(db, OutboxMessage)]

    await erase_person(db.uow, LocalMediaFiles(), STAF, now=clock.now(), actor="test")
    kept = [m for m in await table(db, OutboxMessage)] + [h for h in await table(db, WhatsAppHeld)]
    assert {m.key for m in await table(db, OutboxMessage)} >= {n.key for n in naming}  # rows (and keys) stay
    assert not any("Rudi Hartono" in k.payload.replace("Rudi Hartonowati", "") or STAF in k.payload for k in kept)
    redacted = json.loads(next(m.payload for m in await table(db, OutboxMessage) if m.key == "digest:dewi"))
    assert redacted["text"] == (f"📋 Rekap tim\n1. Dihapus {rudi} (X{rudi:017d}) — terlambat\n"
                                "2. Rudi Hartonowati — tepat waktu")  # a longer name is someone else's
    assert redacted["buttons"] == [[[f"✅ Dihapus {rudi}", "rv:1:a", False]]]
    held = json.loads(next(h.payload for h in await table(db, WhatsAppHeld) if h.external_id == "62833"))
    assert held["text"] == f"Cuti <b>Dihapus {rudi}</b> menunggu"
