"""An acting official (Plh) designated for an official's days away: what would be passed up from the official
goes to the Plh, who reviews and decides for the official's team on those days, and nobody else gains anything;
outside the designation's dates, and without one, the old passing up is unchanged."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.services import plh
from bot.services.errors import ServiceError
from bot.services.person_data import export_person
from bot.texts import text
from storage.day_tables import LeaveRequest, Report
from tests.chat_harness import actions, texts
from tests.test_chain_week import UTC, linked_week, on_leave, person, report, tick_at, to, week_office
from tests.test_conversation_roles import table
from tests.test_org_import import run_import

MONDAY, TUESDAY = dt.date(2026, 11, 23), dt.date(2026, 11, 24)
AT_1000 = dt.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10.00 WIB
SECTION_DIGEST = dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # 16.30 WIB
HEAD_DIGEST = dt.datetime(2026, 11, 23, 10, 30, tzinfo=UTC)  # 17.30 WIB


@pytest.fixture
async def week(db, clock, tmp_path):
    """The chain week's office with a Sekretaris (Siti) under the head of office."""
    rows = week_office() + [person(30, "Siti Aminah, S.E.", "Sekretaris Dinas", "Sekretariat", 1, "Asia/Jakarta",
                                   "Dinas Kominfo")]
    return await linked_week(db, clock, tmp_path, rows)


async def designate(db, clock, who, official, acting, first, last):
    await plh.designate(db.uow, who[official], who[acting], first, last, today=first, now=clock.now(), actor="cli")


async def statuses(db) -> dict[int, str]:
    return {r.person_id: r.status for r in await table(db, Report)}


def taps(out, sender, prefix) -> list[str]:
    return [a for o in out if o.external_id == sender for a in actions([o]) if a.startswith(prefix)]


async def until_head_digest(routine, clock) -> list:
    """Monday's section digests (16.30 WIB), a tick at 17.00 WIB, then the head's digest (17.30
    WIB): what that last tick sends."""
    await tick_at(routine, clock, SECTION_DIGEST)
    await tick_at(routine, clock, dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    return await tick_at(routine, clock, HEAD_DIGEST)


async def test_a_section_heads_plh_gets_the_digest_and_approves_a_report_nobody_else_may(week, clock, db):
    chat, routine, rows, who = week
    await on_leave(db, who["Dewi"], MONDAY, "cuti", "cuti tahunan")
    await designate(db, clock, who, "Dewi", "Agus", MONDAY, TUESDAY)  # a peer section head
    clock.current = AT_1000
    await report(chat, "Rudi")
    await report(chat, "Sari")
    out = await tick_at(routine, clock, SECTION_DIGEST)
    assert to(out, "Dewi") == ""
    assert "Dewi Lestari" not in to(out, "Rina")  # not passed up: the Plh has it
    got = to(out, "Agus")
    assert "Anda menerima rekap tim Dewi Lestari sebagai Plh Dewi Lestari" in got, got
    assert "Rudi Hartono: ✅ WFO, lapor 10.00 WIB" in got
    approvals = taps(out, "Agus", "ap:")
    assert len(approvals) == 2  # Rudi's and Sari's (nobody of Agus's own team reported)
    rudi_first = approvals[0]
    refused = await chat.tap("Wayan", rudi_first)  # another section head: not his to review
    assert "Laporan disetujui" not in texts(refused)
    assert set((await statuses(db)).values()) == {"submitted"}
    approved = await chat.tap("Agus", rudi_first)
    assert "disetujui" in texts(approved, "Agus"), texts(approved)
    assert sorted((await statuses(db)).values()) == ["approved", "submitted"]
    dewi = await _id(db, who, "Dewi")
    dewis_team = next(a for a in taps(out, "Agus", "apall:") if a.endswith(f":{dewi}"))
    await chat.tap("Wayan", dewis_team)
    assert sorted((await statuses(db)).values()) == ["approved", "submitted"]
    assert "1 laporan tepat waktu" in texts(await chat.tap("Agus", dewis_team))
    assert set((await statuses(db)).values()) == {"approved"}


async def test_an_english_plh_reads_why_in_english(week, clock, db):
    chat, routine, rows, who = week
    await designate(db, clock, who, "Dewi", "Maria", MONDAY, MONDAY)  # Maria reads English; Dewi is at work (DL)
    out = await tick_at(routine, clock, SECTION_DIGEST)
    assert to(out, "Dewi") == ""
    assert "You get Dewi Lestari's team digest as Plh (acting official) for Dewi Lestari" in to(out, "Maria")


async def test_the_head_of_offices_plh_the_sekretaris_gets_the_division_heads_reports(week, clock, db):
    """Hendra (head of office) is on cuti and has nobody above him: without a Plh his direct reports' reports
    go unreviewed. With Siti (Sekretaris) as Plh, his digest reaches her and she approves Rina's report."""
    chat, routine, rows, who = week
    await on_leave(db, who["Hendra"], MONDAY, "cuti", "cuti tahunan")
    await designate(db, clock, who, "Hendra", "Siti", MONDAY, TUESDAY)
    clock.current = AT_1000
    await report(chat, "Rina")
    await report(chat, "Siti")
    out = await until_head_digest(routine, clock)
    assert to(out, "Hendra") == ""
    got = to(out, "Siti")
    assert "sebagai Plh Drs. Hendra Gunawan, M.Si." in got and "Rina Kartika, S.Kom." in got, got
    rina_id = await _id(db, who, "Rina")
    rina = next(r for r in await table(db, Report) if r.person_id == rina_id)
    approve = next(a for a in taps(out, "Siti", "ap:") if a.startswith(f"ap:{rina.id}:"))
    await chat.tap("Siti", approve)
    own = next(a for a in taps(out, "Siti", "ap:") if not a.startswith(f"ap:{rina.id}:"))
    await chat.tap("Siti", own)  # her own report, in Hendra's team: nobody reviews their own
    assert sorted((await statuses(db)).values()) == ["approved", "submitted"]


async def _id(db, who, sender) -> int:
    async with db.uow() as uow:
        return (await uow.org.holder_of_nip(who[sender]))[0]


async def test_without_a_plh_the_head_of_offices_digest_on_cuti_goes_nowhere_as_before(week, clock, db):
    chat, routine, rows, who = week
    await on_leave(db, who["Hendra"], MONDAY, "cuti", "cuti tahunan")
    clock.current = AT_1000
    await report(chat, "Rina")
    await tick_at(routine, clock, SECTION_DIGEST)
    out = await tick_at(routine, clock, HEAD_DIGEST)
    assert to(out, "Hendra") == "" and "Rina Kartika" not in to(out, "Siti")


async def test_a_designation_outside_its_dates_does_nothing(week, clock, db):
    chat, routine, rows, who = week
    await on_leave(db, who["Dewi"], MONDAY, "cuti", "cuti tahunan")
    await designate(db, clock, who, "Dewi", "Agus", TUESDAY, TUESDAY)
    clock.current = AT_1000
    await report(chat, "Rudi")
    out = await tick_at(routine, clock, SECTION_DIGEST)
    assert "Dewi Lestari sedang cuti, jadi rekap timnya dikirim kepada Anda" in to(out, "Rina")  # as before
    assert "Dewi Lestari" not in to(out, "Agus")
    rudi = next(a for a in taps(out, "Rina", "ap:"))
    await chat.tap("Agus", rudi)  # not Plh on Monday: refused
    assert set((await statuses(db)).values()) == {"submitted"}


async def test_a_leave_request_goes_to_the_plh_who_decides_it(week, clock, db):
    chat, routine, rows, who = week
    await designate(db, clock, who, "Dewi", "Agus", MONDAY, TUESDAY)
    clock.current = AT_1000
    await chat.tap("Rudi", "lv:cuti")
    await chat.text("Rudi", "25/11-26/11")
    sent = await chat.text("Rudi", "Acara keluarga")
    assert to(sent, "Dewi") == "" and "sebagai Plh Dewi Lestari" in to(sent, "Agus"), texts(sent)
    assert "Dewi Lestari, berhalangan dan diwakili Plh" in to(sent, "Rudi"), to(sent, "Rudi")
    decided = await chat.tap("Agus", next(a for a in taps(sent, "Agus", "lvd:") if a.endswith(":y")))
    assert "disetujui" in to(decided, "Rudi")
    assert [r.status for r in await table(db, LeaveRequest)] == ["approved"]


async def test_a_plh_who_does_not_review_is_reported_to_the_officials_superior(week, clock, db):
    chat, routine, rows, who = week
    await designate(db, clock, who, "Dewi", "Agus", MONDAY, MONDAY)
    clock.current = AT_1000
    await report(chat, "Rudi")
    told = to(await until_head_digest(routine, clock), "Rina")
    assert ("• Agus Salim, tim Dewi Lestari (Dewi Lestari berhalangan dan diwakili Plh): 1 laporan menunggu "
            "persetujuan, 2 orang belum melapor") in told, told  # beside Agus's own team's line


async def test_the_notice_for_an_official_with_a_plh_goes_to_the_plh(week, clock, db):
    """Rina (division head) has Siti as Plh; Agus never reviews his team: the notice goes to Siti as Plh."""
    chat, routine, rows, who = week
    await designate(db, clock, who, "Rina", "Siti", MONDAY, MONDAY)
    out = await until_head_digest(routine, clock)
    assert "Agus Salim" not in to(out, "Rina")
    assert "Pemberitahuan ini dikirim kepada Anda sebagai Plh Rina Kartika, S.Kom." in to(out, "Siti"), to(out, "Siti")


async def test_the_designation_refuses_nonsense_and_changes_nothing(week, clock, db):
    chat, routine, rows, who = week
    cases = [("Dewi", "Dewi", MONDAY, MONDAY, "plh.self"), ("Dewi", "Agus", TUESDAY, MONDAY, "plh.backwards"),
             ("Rudi", "Agus", MONDAY, MONDAY, "plh.no_team")]
    for official, acting, first, last, code in cases:
        with pytest.raises(ServiceError) as caught:
            await designate(db, clock, who, official, acting, first, last)
        assert caught.value.code == code
    await designate(db, clock, who, "Dewi", "Agus", MONDAY, TUESDAY)
    with pytest.raises(ServiceError) as caught:
        await designate(db, clock, who, "Dewi", "Wayan", TUESDAY, TUESDAY)
    assert caught.value.code == "plh.overlap"
    with pytest.raises(ServiceError) as caught:
        await plh.designate(db.uow, who["Dewi"], "199001012020011999", MONDAY, MONDAY, today=MONDAY,
                            now=clock.now(), actor="cli")
    assert caught.value.code == "person_data.unknown"
    assert [(r.plh_name, r.first_day, r.last_day) for r in await plh.listing(db.uow, MONDAY)] == [
        ("Agus Salim", MONDAY, TUESDAY)]


async def test_the_missing_list_of_an_officials_team_goes_to_the_plh(week, clock, db):
    chat, routine, rows, who = week
    await designate(db, clock, who, "Dewi", "Agus", MONDAY, MONDAY)
    clock.current = AT_1000
    await report(chat, "Rudi")
    out = await tick_at(routine, clock, SECTION_DIGEST)  # the deadline (16.00) and the escalation delay passed
    assert "Sari Dewi" not in to(out, "Dewi")
    got = to(out, "Agus")
    assert ("2 orang di tim Dewi Lestari belum melapor sampai batas waktu; daftarnya dikirim kepada Anda sebagai "
            "Plh Dewi Lestari:\n• Bayu Pratama\n• Sari Dewi") in got, got


async def test_a_plh_above_the_official_who_leaves_the_digest_is_reported_above_themself(week, clock, db):
    """Rina (Dewi's own division head) is Dewi's Plh and leaves the digest: Hendra hears, not Rina of herself."""
    chat, routine, rows, who = week
    await designate(db, clock, who, "Dewi", "Rina", MONDAY, MONDAY)
    clock.current = AT_1000
    await report(chat, "Rudi")
    out = await until_head_digest(routine, clock)
    assert "tim Dewi Lestari" not in to(out, "Rina")
    assert "Rina Kartika, S.Kom. belum menindaklanjuti tim Dewi Lestari" in to(out, "Hendra"), to(out, "Hendra")


async def test_a_plh_is_not_told_of_their_own_team_as_plh(week, clock, db):
    """Agus is Rina's Plh and leaves his own team: the notice about him goes to Rina, not to Agus as her Plh."""
    chat, routine, rows, who = week
    await designate(db, clock, who, "Rina", "Agus", MONDAY, MONDAY)
    out = await until_head_digest(routine, clock)
    assert "Agus Salim belum menindaklanjuti" not in to(out, "Agus")
    assert "Agus Salim" in to(out, "Rina"), to(out, "Rina")


async def test_a_persons_export_holds_their_designations_and_the_audit_of_them(week, clock, db):
    chat, routine, rows, who = week
    await designate(db, clock, who, "Dewi", "Agus", MONDAY, TUESDAY)
    for sender, role in (("Dewi", "official_id"), ("Agus", "plh_id")):
        data = await export_person(db.uow, who[sender], now=clock.now(), actor="test")
        person_id = await _id(db, who, sender)
        assert [(d[role], d["first_day"], d["last_day"]) for d in data.data["plh_designations"]] == [
            (person_id, MONDAY.isoformat(), TUESDAY.isoformat())], data.data["plh_designations"]
        assert [a["action"] for a in data.data["audit_log"]] == ["plh_designate"]


async def test_a_home_location_to_approve_goes_to_the_plh_who_approves_it(week, clock, db):
    chat, routine, rows, who = week
    await designate(db, clock, who, "Dewi", "Agus", MONDAY, MONDAY)
    clock.current = AT_1000
    await chat.text("Rudi", "/rumah")
    shared = await chat.location("Rudi", -1.7, 103.7)
    assert to(shared, "Dewi") == "" and "sebagai Plh Dewi Lestari" in to(shared, "Agus"), texts(shared)
    approve = next(a for a in taps(shared, "Agus", "home:") if a.endswith(":y"))
    await chat.tap("Wayan", approve)
    assert not (await chat_home(db, who, "Rudi")).approved
    done = await chat.tap("Agus", approve)
    assert "disetujui oleh Agus Salim" in to(done, "Rudi"), texts(done)
    assert (await chat_home(db, who, "Rudi")).approved


async def chat_home(db, who, sender):
    person_id = await _id(db, who, sender)
    async with db.uow() as uow:
        return await uow.presence.home(person_id)


async def test_rekap_on_demand_shows_the_officials_team_to_the_plh_on_the_designated_days_only(week, clock, db):
    """/rekap of a Plh shows the official's team as the scheduled digest does ("sebagai Plh …"), with its
    buttons working; a Plh without a team of their own gets it too; the day after, neither does."""
    chat, routine, rows, who = week
    await designate(db, clock, who, "Dewi", "Agus", MONDAY, MONDAY)  # a peer section head
    await designate(db, clock, who, "Wayan", "Lina", MONDAY, MONDAY)  # Agus's staff, nobody under her
    clock.current = AT_1000
    await report(chat, "Rudi")
    out = await chat.text("Agus", "/rekap")
    got = texts(out, "Agus")
    assert "Anda menerima rekap tim Dewi Lestari sebagai Plh Dewi Lestari" in got and "Rudi Hartono" in got, got
    assert "Lina Marlina" in got  # his own team as before
    dewi = await _id(db, who, "Dewi")
    approve_all = next(a for a in taps(out, "Agus", "apall:") if a.endswith(f":{dewi}"))
    await chat.tap("Agus", approve_all)
    assert set((await statuses(db)).values()) == {"approved"}
    lina = texts(await chat.text("Lina", "/rekap"), "Lina")
    assert "sebagai Plh Wayan Sudirta" in lina and "Nyoman Dana" in lina, lina
    clock.current = AT_1000 + dt.timedelta(days=1)
    assert "Dewi Lestari" not in texts(await chat.text("Agus", "/rekap"), "Agus")
    assert texts(await chat.text("Lina", "/rekap"), "Lina") == text("id", "team.no_team")
    assert "Rudi Hartono" in texts(await chat.text("Agus", "/rekap 23-11-2026"), "Agus")  # the designated day


async def test_rekap_of_a_past_designated_day_keeps_an_official_deactivated_since(week, clock, db):
    """Dewi leaves Apel the day after Agus stood in for her (Tuesday's import leaves her out, her people go to
    Rina): Agus's /rekap of Monday skipped her team, which reached him that day, as people lookups read active
    people only."""
    chat, routine, rows, who = week
    await designate(db, clock, who, "Dewi", "Agus", MONDAY, MONDAY)
    clock.current = AT_1000
    await report(chat, "Rudi")
    clock.current = AT_1000 + dt.timedelta(days=1)
    dewi = who["Dewi"]
    assert (await run_import(db, clock, [dict(r, supervisor_nip=who["Rina"]) if r["supervisor_nip"] == dewi else r
                                         for r in rows if r["nip"] != dewi])).ok
    out = await chat.text("Agus", "/rekap 23-11-2026")
    got = texts(out, "Agus")
    assert "sebagai Plh Dewi Lestari" in got and "Rudi Hartono" in got, got
    rudi = await _id(db, who, "Rudi")
    assert f"tim:{rudi}:20261123" in taps(out, "Agus", "tim:")
    assert "Rudi Hartono" not in texts(await chat.text("Agus", "/rekap"), "Agus")  # Tuesday: no designation


async def test_tim_shows_the_plh_the_officials_team_on_the_designated_day_only(week, clock, db):
    """/tim of a Plh listed their own direct reports only (a Plh with nobody under them was refused), though the
    Plh may open each of the official's people: it now shows the official's team too, said so, with a button a
    person and the requests waiting from it; the day after, neither."""
    chat, routine, rows, who = week
    await designate(db, clock, who, "Dewi", "Agus", MONDAY, MONDAY)  # a peer section head
    await designate(db, clock, who, "Wayan", "Lina", MONDAY, MONDAY)  # Agus's staff, nobody under her
    clock.current = AT_1000
    await report(chat, "Rudi", "Rekap anggaran selesai.")
    await chat.tap("Sari", "lv:cuti")
    await chat.text("Sari", "25/11-26/11")
    await chat.text("Sari", "Acara keluarga")
    out = await chat.text("Agus", "/tim")
    got = texts(out, "Agus")
    assert "Lina Marlina" in got  # his own team as before
    assert "Tim Dewi Lestari, yang Anda lihat hari ini sebagai Plh Dewi Lestari" in got, got
    assert "Rudi Hartono" in got and "Sari Dewi" in got and "Acara keluarga" in got, got
    rudi = await _id(db, who, "Rudi")
    assert f"tim:{rudi}" in taps(out, "Agus", "tim:")
    assert "Rekap anggaran selesai." in texts(await chat.tap("Agus", f"tim:{rudi}"), "Agus")
    lina = texts(await chat.text("Lina", "/tim"), "Lina")
    assert "sebagai Plh Wayan Sudirta" in lina and "Nyoman Dana" in lina, lina
    wayan, nyoman = await _id(db, who, "Wayan"), f"tim:{await _id(db, who, 'Nyoman')}"
    assert nyoman in taps(await chat.tap("Lina", f"timpg:0:n:{wayan}"), "Lina", "tim:")  # the team's page
    refused = await chat.tap("Agus", f"timpg:0:n:{wayan}")  # not his official
    assert texts(refused, "Agus") and nyoman not in taps(refused, "Agus", "tim:")
    clock.current = AT_1000 + dt.timedelta(days=1)
    assert "Dewi Lestari" not in texts(await chat.text("Agus", "/tim"), "Agus")
    assert texts(await chat.text("Lina", "/tim"), "Lina") == text("id", "team.no_team")
    assert nyoman not in taps(await chat.tap("Lina", f"timpg:0:n:{wayan}"), "Lina", "tim:")


async def test_a_plh_in_the_officials_team_is_not_offered_their_own_request_in_tim(week, clock, db):
    chat, routine, rows, who = week
    await designate(db, clock, who, "Hendra", "Siti", MONDAY, TUESDAY)  # the Sekretaris, in Hendra's team
    clock.current = AT_1000
    await chat.tap("Siti", "lv:cuti")
    await chat.text("Siti", "25/11-26/11")
    await chat.text("Siti", "Acara keluarga")
    out = await chat.text("Siti", "/tim")
    assert "sebagai Plh Drs. Hendra Gunawan, M.Si." in texts(out, "Siti") and "Rina Kartika" in texts(out, "Siti")
    assert "Acara keluarga" not in texts(out, "Siti") and not taps(out, "Siti", "lvd:")
