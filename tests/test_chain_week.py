"""The supervision chain of a four-level office (a head of office over a division in WIB and one in WITA, four
section heads, twelve staff), played through the real core with the injected clock."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.services import schedule_admin
from bot.services.routine import Routine
from tests.chat_harness import ChatHarness, actions, texts
from tests.org_rows import flat_office_nip
from tests.test_org_import import run_import

UTC = dt.UTC


def person(i, name, position, unit, boss, tz="", parent="", language=""):
    return {"nip": flat_office_nip(i), "name": name, "position": position, "unit": unit,
            "supervisor_nip": flat_office_nip(boss) if boss is not None else "", "unit_parent": parent,
            "timezone": tz, "language": language}


def week_office():
    rows = [
        person(1, "Drs. Hendra Gunawan, M.Si.", "Kepala Dinas", "Dinas Kominfo", None, "Asia/Jakarta"),
        person(2, "Rina Kartika, S.Kom.", "Kepala Bidang Aplikasi", "Bidang Aplikasi", 1, "Asia/Jakarta",
               "Dinas Kominfo"),
        person(3, "Yusuf Mahendra, S.T.", "Kepala Bidang Timur", "Bidang Timur", 1, "Asia/Makassar", "Dinas Kominfo"),
        person(4, "Dewi Lestari", "Kepala Seksi Layanan", "Seksi Layanan", 2, "", "Bidang Aplikasi"),
        person(5, "Agus Salim", "Kepala Seksi Data", "Seksi Data", 2, "", "Bidang Aplikasi"),
        person(6, "Maria Tanoto", "Kepala Seksi Timur Satu", "Seksi Timur Satu", 3, "", "Bidang Timur", "en"),
        person(7, "Wayan Sudirta", "Kepala Seksi Timur Dua", "Seksi Timur Dua", 3, "", "Bidang Timur"),
    ]
    staff = {4: "Seksi Layanan", 5: "Seksi Data", 6: "Seksi Timur Satu", 7: "Seksi Timur Dua"}
    names = iter(["Rudi Hartono", "Sari Dewi", "Bayu Pratama", "Lina Marlina", "Eko Saputra", "Fajar Nugroho",
                  "Putu Ayu", "Made Arta", "Ketut Sari", "Nyoman Dana", "Gede Wira", "Kadek Rai"])
    i = 8
    for boss, unit in staff.items():
        for _ in range(3):
            rows.append(person(i, next(names), "Pelaksana", unit, boss))
            i += 1
    return rows


async def linked_week(db, clock, tmp_path, rows):
    """The office of `rows` imported on Sunday 22 November, everyone linked (sender: their first name) and home
    shared: (chat, routine, rows, first name -> NIP)."""
    clock.current = dt.datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert (await run_import(db, clock, rows)).ok
    chat = ChatHarness(db, clock, tmp_path / "media")
    who = {r["name"].split()[0].strip(".").replace("Drs", "Hendra"): r["nip"] for r in rows}
    await chat.link(list(who.items()), home=(-1.6, 103.6))
    return chat, Routine(db.uow, clock=clock, default_language="id"), rows, who


@pytest.fixture
async def week(db, clock, tmp_path):
    return await linked_week(db, clock, tmp_path, week_office())


async def report(chat, sender, summary="Selesai."):
    await chat.text(sender, "/lapor")
    await chat.text(sender, summary)
    return await chat.tap(sender, "r:send")


async def tick_at(routine, clock, at: dt.datetime) -> list:
    clock.current = at
    out = await routine.tick()
    assert await routine.tick() == []  # nothing twice
    return out


async def on_leave(db, nip: str, day: dt.date, mode: str, reason: str) -> None:
    async with db.uow() as uow:
        ids = {p.nip: p.id for p in await uow.org.list_people(None, include_inactive=False)}
        await uow.day.set_mode(ids[nip], day, mode, "leave", reason)
        await uow.commit()


def to(out, sender: str) -> str:
    return texts([o for o in out if o.external_id == sender])


async def test_a_section_head_on_cuti_gets_no_digest_and_the_division_head_reviews_their_team(week, clock, db):
    """Dewi Lestari (Seksi Layanan, WIB) is on cuti: her team's digest at 16.30 went to her all the same, with
    the buttons nobody else had (Rina's roll-up has none), and at 17.30 Rina heard that Dewi 'had not followed
    up her team'. README: nothing goes to someone on leave; what is theirs goes to the next one up, saying why."""
    chat, routine, rows, who = week
    monday = dt.date(2026, 11, 23)
    await on_leave(db, who["Dewi"], monday, "cuti", "cuti tahunan")
    clock.current = dt.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10.00 WIB
    await report(chat, "Rudi")
    await report(chat, "Sari")
    out = await tick_at(routine, clock, dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC))  # 16.30 WIB
    assert to(out, "Dewi") == ""
    passed = to(out, "Rina")
    assert "Dewi Lestari sedang cuti, jadi rekap timnya dikirim kepada Anda" in passed
    assert "Rudi Hartono: ✅ WFO, lapor 10.00 WIB" in passed and "Bayu Pratama: ❌ WFO, belum lapor" in passed
    review = [a for o in out if o.external_id == "Rina" for a in actions([o]) if a.startswith(("ap:", "apall:"))]
    assert len(review) == 3  # Rudi's, Sari's and approve-all
    approve_all = next(a for a in review if a.startswith("apall:"))
    assert "2 laporan tepat waktu" in texts(await chat.tap("Rina", approve_all))
    later = await tick_at(routine, clock, dt.datetime(2026, 11, 23, 10, 30, tzinfo=UTC))  # Dewi's window is over
    assert "Dewi Lestari belum menindaklanjuti" not in to(later, "Rina")
    assert "Agus Salim" in to(later, "Rina")  # who never reviews is still named, once


async def test_an_english_division_head_reads_the_passed_digest_in_english(week, clock, db):
    chat, routine, rows, who = week
    await on_leave(db, who["Wayan"], dt.date(2026, 11, 23), "sakit", "demam")
    english = [dict(r, language="en") if r["nip"] == who["Yusuf"] else r for r in rows]
    assert (await run_import(db, clock, english)).ok
    out = await tick_at(routine, clock, dt.datetime(2026, 11, 23, 8, 30, tzinfo=UTC))  # 16.30 WITA
    assert to(out, "Wayan") == ""
    assert "Wayan Sudirta is off sick, so their team's digest comes to you" in to(out, "Yusuf"), to(out, "Yusuf")


async def test_a_division_head_on_cuti_is_not_told_who_did_not_review_the_head_of_office_is(week, clock, db):
    """Rina Kartika (Bidang Aplikasi) is on cuti; Agus Salim never reviews. At the end of Agus's review window
    the notice went to Rina all the same, on her leave day, and nobody who was at work heard of it."""
    chat, routine, rows, who = week
    monday = dt.date(2026, 11, 23)
    await on_leave(db, who["Rina"], monday, "cuti", "cuti tahunan")
    clock.current = dt.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    await report(chat, "Lina")
    out = await tick_at(routine, clock, dt.datetime(2026, 11, 23, 10, 30, tzinfo=UTC))  # 17.30 WIB
    assert to(out, "Rina") == ""
    told = to(out, "Hendra")
    assert "Agus Salim" in told and "Rina Kartika, S.Kom. sedang cuti" in told, told
    assert "Dewi Lestari" in told  # Dewi is at work and did not review either


async def test_a_passed_up_digest_nobody_reviews_is_reported_above_the_one_who_got_it(week, clock, db):
    """Dewi Lestari is on cuti, so her team's digest went to Rina Kartika; Rina never reviewed it. A digest left
    unreviewed is reported to the next level ('belum menindaklanjuti'); this one was reported to nobody: Dewi's
    own notice is skipped (she is away) and Rina's covers only her own people."""
    chat, routine, rows, who = week
    monday = dt.date(2026, 11, 23)
    await on_leave(db, who["Dewi"], monday, "cuti", "cuti tahunan")
    clock.current = dt.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10.00 WIB
    await report(chat, "Rudi")
    await tick_at(routine, clock, dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC))  # 16.30 WIB: Rina gets it
    await tick_at(routine, clock, dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC))  # Yusuf's window (WITA) is over
    later = await tick_at(routine, clock, dt.datetime(2026, 11, 23, 10, 30, tzinfo=UTC))  # its window is over
    told = to(later, "Hendra")
    assert ("⚠️ Rina Kartika, S.Kom. belum menindaklanjuti tim Dewi Lestari hari ini (Dewi Lestari sedang cuti, "
            "jadi rekapnya dikirim kepada Rina Kartika, S.Kom.): 1 laporan menunggu persetujuan, "
            "2 orang belum melapor.") in told, told
    assert told.count("Dewi Lestari") == 2  # one notice, once
    assert "Dewi Lestari" not in to(later, "Rina")  # Rina hears of Agus, not of herself
    evening = await tick_at(routine, clock, dt.datetime(2026, 11, 23, 11, 0, tzinfo=UTC))  # Rina's own window
    assert "tim Dewi Lestari" not in to(evening, "Hendra")


async def test_a_passed_up_digest_reviewed_by_the_one_who_got_it_is_reported_to_nobody(week, clock, db):
    chat, routine, rows, who = week
    await on_leave(db, who["Dewi"], dt.date(2026, 11, 23), "sakit", "demam")
    clock.current = dt.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    for sender in ("Rudi", "Sari", "Bayu"):
        await report(chat, sender)
    out = await tick_at(routine, clock, dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    approve_all = next(a for o in out if o.external_id == "Rina" for a in actions([o]) if a.startswith("apall:"))
    await chat.tap("Rina", approve_all)
    later = await tick_at(routine, clock, dt.datetime(2026, 11, 23, 10, 30, tzinfo=UTC))
    assert "Dewi Lestari" not in to(later, "Hendra")


async def test_an_english_head_of_office_reads_of_the_passed_up_digest_in_english(week, clock, db):
    """Wayan Sudirta (Bidang Timur, WITA) is off sick; Yusuf got his team's digest at 16.30 WITA and left it."""
    chat, routine, rows, who = week
    await on_leave(db, who["Wayan"], dt.date(2026, 11, 23), "sakit", "demam")
    english = [dict(r, language="en") if r["nip"] == who["Hendra"] else r for r in rows]
    assert (await run_import(db, clock, english)).ok
    await tick_at(routine, clock, dt.datetime(2026, 11, 23, 8, 30, tzinfo=UTC))  # 16.30 WITA
    later = await tick_at(routine, clock, dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC))  # 17.30 WITA
    assert ("Yusuf Mahendra, S.T. has not followed up on Wayan Sudirta's team today (Wayan Sudirta is off sick, "
            "so the digest went to Yusuf Mahendra, S.T.): 0 reports wait for approval, 3 people have not "
            "reported.") in to(later, "Hendra"), to(later, "Hendra")


async def test_the_passed_up_team_is_its_own_line_when_notices_fall_due_together(week, clock, db):
    chat, routine, rows, who = week
    await on_leave(db, who["Dewi"], dt.date(2026, 11, 23), "cuti", "cuti tahunan")
    await tick_at(routine, clock, dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    told = to(await tick_at(routine, clock, dt.datetime(2026, 11, 23, 10, 30, tzinfo=UTC)), "Hendra")  # and Yusuf's
    assert "⚠️ 2 atasan di bawah Anda belum menindaklanjuti timnya hari ini:" in told
    assert ("• Rina Kartika, S.Kom., tim Dewi Lestari (Dewi Lestari sedang cuti): 0 laporan menunggu persetujuan, "
            "3 orang belum melapor") in told, told
    assert "• Yusuf Mahendra, S.T.: 0 laporan menunggu persetujuan, 2 orang belum melapor" in told


async def test_a_division_head_off_on_saturday_gets_the_digest_of_a_section_that_works_saturdays(week, clock, db):
    """Seksi Timur Satu works Saturdays; Bidang Timur above it and the Dinas keep a five-day week. Maria got her
    digest on Saturday, Yusuf and Hendra did not: what her section did on Saturday climbed no further. The
    digest follows the team's days, at each supervisor's own digest time; nobody is told of a superior who
    did not review on their own day off."""
    chat, routine, rows, who = week
    async with db.uow() as uow:
        await schedule_admin.set_field(uow, unit="Seksi Timur Satu", field="workdays", value="sen-sab",
                                       valid_from=None, valid_to=None, actor="test", now=clock.now())
        await uow.commit()
    clock.current = dt.datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # Saturday 10.00 WITA
    await report(chat, "Putu")
    out = await tick_at(routine, clock, dt.datetime(2026, 11, 28, 8, 59, tzinfo=UTC))
    assert "Rekap tim" not in to(out, "Yusuf") and "Maria Tanoto" in to(out, "Yusuf")  # her escalation, as before
    out = await tick_at(routine, clock, dt.datetime(2026, 11, 28, 9, 0, tzinfo=UTC))  # 17.00 WITA
    yusuf = to(out, "Yusuf")
    assert "Rekap tim — Sabtu, 28 November 2026" in yusuf, yusuf
    assert "Maria Tanoto: ❌ WFO, belum lapor" in yusuf and "Wayan Sudirta: 🏖️ Libur" in yusuf
    out = await tick_at(routine, clock, dt.datetime(2026, 11, 28, 10, 30, tzinfo=UTC))  # 17.30 WIB
    hendra = to(out, "Hendra")
    assert "Rekap tim — Sabtu, 28 November 2026" in hendra and "Bidang Timur (Yusuf Mahendra, S.T.): 1/0/" in hendra
    later = await tick_at(routine, clock, dt.datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    assert "belum menindaklanjuti" not in to(later, "Hendra")


async def test_who_got_a_passed_up_digest_on_their_own_day_off_is_not_reported_for_it(week, clock, db):
    """Seksi Layanan works Saturdays and Dewi is on cuti that Saturday: her team's digest goes up to Rina, whose
    Bidang Aplikasi is off. As for her own team on a day off (DESIGN "A supervisor's day off"), nobody is told
    that Rina did not follow it up."""
    chat, routine, rows, who = week
    saturday = dt.date(2026, 11, 28)
    async with db.uow() as uow:
        await schedule_admin.set_field(uow, unit="Seksi Layanan", field="workdays", value="sen-sab",
                                       valid_from=None, valid_to=None, actor="test", now=clock.now())
        await uow.commit()
    await on_leave(db, who["Dewi"], saturday, "cuti", "cuti tahunan")
    clock.current = dt.datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    await report(chat, "Rudi")
    out = await tick_at(routine, clock, dt.datetime(2026, 11, 28, 9, 30, tzinfo=UTC))  # 16.30 WIB
    assert "Dewi Lestari sedang cuti, jadi rekap timnya dikirim kepada Anda" in to(out, "Rina")
    later = await tick_at(routine, clock, dt.datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    assert "belum menindaklanjuti" not in to(later, "Hendra"), to(later, "Hendra")
