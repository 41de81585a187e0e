"""A supervisor's day at a Pemda's scale, through aiogram and the real core: a section head with 52 direct
staff in an office of about 300 (tests/big_office.py). Every call the bot makes must be one Telegram
accepts (tests/bot_api_spec.py: text length after entities, HTML, callback data, at most 100 inline buttons),
and every person of the team must be reachable through the buttons."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.services import ladder
from bot.services.routine import Routine
from tests.bad_input_rig import TelegramCoreRig, telegram_problems, texts_of
from tests.big_office import BIG_SECTION, big_office_rows, nip_of, staff_of, wide_office_rows
from tests.chat_harness import MONDAY_0900_WIB
from tests.test_org_import import run_import

# Conversation tests at scale, not storage tests: SQLite keeps them quick (the storage they use is
# covered on both engines elsewhere).
pytestmark = pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)

REPORTED = 40  # of the 52: the others have not reported


def inline_buttons(calls) -> list[tuple[str, str]]:
    return [(b.text, b.callback_data) for c in calls
            if getattr(c, "reply_markup", None) is not None and hasattr(c.reply_markup, "inline_keyboard")
            for row in c.reply_markup.inline_keyboard for b in row]


def accepted(calls) -> list:
    problems = telegram_problems(calls)
    assert problems == [], problems
    return calls


class Office:
    def __init__(self, rig: TelegramCoreRig, rows, uid: dict[str, int]):
        self.rig, self.rows, self.uid = rig, rows, uid
        self.kasi = uid[nip_of(rows, f"Kepala {BIG_SECTION}")]
        self.staff = [uid[n] for n in staff_of(rows, nip_of(rows, f"Kepala {BIG_SECTION}"))]


@pytest.fixture
async def office(db, clock, tmp_path) -> Office:
    clock.current = MONDAY_0900_WIB - dt.timedelta(hours=3)  # 06.00 WIB: the office joined before the day
    rows = big_office_rows()
    assert (await run_import(db, clock, rows)).ok
    kasi = nip_of(rows, f"Kepala {BIG_SECTION}")
    kabid = nip_of(rows, "Kepala Bidang Aplikasi Informatika")
    rig = TelegramCoreRig(db, clock, tmp_path / "media")
    codes = await rig.harness.codes()
    linked = [nip_of(rows, "Kepala Dinas"), kabid, *staff_of(rows, kabid), *staff_of(rows, kasi)]
    uid = {nip: 7000 + i for i, nip in enumerate(linked)}
    for nip in linked:
        await rig.says(uid[nip], f"/start {codes[nip]}")
    clock.current = MONDAY_0900_WIB
    office = Office(rig, rows, uid)
    for person in office.staff[:REPORTED]:
        for step in (rig.says, "/lapor"), (rig.taps, "r:next"), (rig.says, "Modul layanan & <bug> login."), \
                    (rig.taps, "r:send"):
            await step[0](person, step[1])
    assert rig.crashes == []
    return office


async def test_a_52_person_digest_is_sent_and_every_persons_buttons_can_be_reached(office):
    rig = office.rig
    digest = accepted(await rig.says(office.kasi, "/rekap"))
    shown = "\n".join(texts_of(digest))
    assert "52. " in shown and "Total 52 orang: 40 tepat waktu" in shown
    first = inline_buttons(digest)
    assert any(label == "✅ Setujui semua yang tepat waktu" and data.startswith("apall:20261123:")
               for label, data in first)
    following = next(data for label, data in first if label.startswith("Tombol 31–52"))
    page = accepted(await rig.taps(office.kasi, following))
    assert "nomor 31–52 dari 52" in texts_of(page)[0]
    views = {label for label, _ in first + inline_buttons(page) if label.startswith("👁")}
    assert views == {f"👁 {n}" for n in range(1, 53)}
    approvals = [data for label, data in first + inline_buttons(page) if label.startswith("✅ ")
                 and data.startswith("ap:")]
    assert len(approvals) == REPORTED
    # The page's ◀ replaces the page (an edit), it does not add a message
    back = next(data for label, data in inline_buttons(page) if label.startswith("◀"))
    assert back.endswith(":e")
    assert "nomor 1–30 dari 52" in texts_of(accepted(await rig.taps(office.kasi, back)))[0]
    # a person on the second page is approved from it
    last = next(data for label, data in inline_buttons(page) if label == "✅ 52")
    assert "disetujui" in texts_of(accepted(await rig.taps(office.kasi, last)))[0]


async def test_tugaskan_reaches_every_one_of_52_direct_staff_and_the_whole_subtree(office):
    rig = office.rig
    picker = accepted(await rig.says(office.kasi, "/tugaskan"))
    seen: dict[str, str] = {}
    while True:
        buttons = inline_buttons(picker)
        seen |= {label[2:]: data for label, data in buttons if data.startswith("asg:p:")}
        following = [data for label, data in buttons if label.endswith("▶")]
        if not following:
            break
        picker = accepted(await rig.taps(office.kasi, following[0]))
        sent = [c.__api_method__ for c in picker if c.__api_method__ != "answerCallbackQuery"]
        assert sent == ["editMessageText"]  # the page turns in place
    assert len(seen) == 52
    last = sorted(seen)[-1]
    picked = accepted(await rig.taps(office.kasi, seen[last]))
    assert "terpilih: 1" in texts_of(picked)[0]
    assert f"☑️ {last}"[:33] in [label[:33] for label, _ in inline_buttons(picked)]  # the page stays where it was
    accepted(await rig.taps(office.kasi, "asg:go"))
    accepted(await rig.says(office.kasi, "Uji coba aplikasi layanan"))
    done = accepted(await rig.taps(office.kasi, "asg:d:20261123"))
    assert "Tugas diberikan kepada 1 orang" in "\n".join(texts_of(done))
    # 👥 the whole subtree of the division head: 5 section heads and their 88 staff, all reachable
    kabid = office.uid[nip_of(office.rows, "Kepala Bidang Aplikasi Informatika")]
    await rig.says(kabid, "/tugaskan")
    picker = accepted(await rig.taps(kabid, "asg:all"))
    people = set()
    while True:
        buttons = inline_buttons(picker)
        assert len(buttons) <= 100
        people |= {data for _, data in buttons if data.startswith("asg:p:")}
        following = [data for label, data in buttons if label.endswith("▶")]
        if not following:
            break
        picker = accepted(await rig.taps(kabid, following[0]))
    below = [r for r in office.rows if r["unit"] != "Bidang Aplikasi Informatika"
             and r["unit_parent"] == "Bidang Aplikasi Informatika"]
    assert len(people) == len(below) == 93


async def test_the_escalation_is_one_message_per_superior_with_one_name_a_line(office, db, clock):
    """Names carry commas ("Agus Sri Nasution, S.Kom., M.Kom."): a comma-separated list cannot be read."""
    clock.current = dt.datetime(2026, 11, 23, 9, 31, tzinfo=dt.UTC)  # 16.31 WIB: deadline 16.00 + 30 min
    out = await Routine(db.uow, clock=clock, default_language="id").escalations(clock.current)
    to_kasi = [o.reply.text for o in out if o.external_id == str(office.kasi)]
    assert len(to_kasi) == 1
    lines = to_kasi[0].split("\n")
    assert lines[0] == "⚠️ 12 orang belum melapor sampai batas waktu:"
    assert all(line.startswith("• ") for line in lines[1:]) and len(lines) == 13
    # The head of office's five division heads sit in five units: one message, not five
    head = office.uid[nip_of(office.rows, "Kepala Dinas")]
    to_head = [o.reply.text for o in out if o.external_id == str(head)]
    assert len(to_head) == 1 and to_head[0].startswith("⚠️ 5 orang belum melapor sampai batas waktu:\n• ")
    assert await Routine(db.uow, clock=clock, default_language="id").escalations(clock.current) == []


async def test_a_division_head_hears_of_section_heads_who_did_not_follow_up_in_one_message(office, db, clock):
    clock.current = dt.datetime(2026, 11, 23, 13, 0, tzinfo=dt.UTC)  # 20.00 WIB: every review window is over
    routine = Routine(db.uow, clock=clock, default_language="id")
    out = await routine._after_deadline(ladder.unreviewed, clock.current, None, False)
    kabid = office.uid[nip_of(office.rows, "Kepala Bidang Aplikasi Informatika")]
    to_kabid = [o.reply.text for o in out if o.external_id == str(kabid)]
    assert len(to_kabid) == 1, to_kabid  # five section heads, one message
    lines = to_kabid[0].split("\n")
    assert lines[0] == "⚠️ 5 atasan di bawah Anda belum menindaklanjuti timnya hari ini:"
    assert len(lines) == 6 and all(line.startswith("• ") and "orang belum melapor" in line for line in lines[1:])
    assert await routine._after_deadline(ladder.unreviewed, clock.current, None, False) == []


async def test_tim_of_a_head_with_120_people_reaches_everyone_through_pages_of_buttons(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    rows = wide_office_rows(120)
    assert (await run_import(db, clock, rows)).ok
    rig = TelegramCoreRig(db, clock, tmp_path / "media")
    head = rows[0]["nip"]
    await rig.says(8000, f"/start {(await rig.harness.codes())[head]}")
    listing = accepted(await rig.says(8000, "/tim"))
    assert "120. " in "\n".join(texts_of(listing))  # the list itself names everyone
    seen = {label for label, data in inline_buttons(listing) if data.startswith("tim:")}
    following = next(data for label, data in inline_buttons(listing) if label == "Tombol 91–120 ▶")
    page = accepted(await rig.taps(8000, following))
    assert texts_of(page)[0] == "👥 Tombol tim nomor 91–120 dari 120:"
    seen |= {label for label, data in inline_buttons(page) if data.startswith("tim:")}
    assert {label.split(".")[0] for label in seen} == {str(n) for n in range(1, 121)}
    back = next(data for label, data in inline_buttons(page) if label == "◀ Tombol 1–90")
    turned = accepted(await rig.taps(8000, back))
    assert [c.__api_method__ for c in turned if c.__api_method__ != "answerCallbackQuery"] == ["editMessageText"]
    assert "nomor 1–90 dari 120" in texts_of(turned)[0]


async def test_a_digest_page_of_a_team_that_shrank_to_nobody_says_the_team_is_empty(db, clock, tmp_path):
    """The digest's ◀ tapped after the whole team left the org chart answered "nomor 1–0 dari 0"."""
    clock.current = MONDAY_0900_WIB
    rows = wide_office_rows(120)
    rows[0]["role"] = "admin"  # still allowed the digest's buttons without a team of their own
    assert (await run_import(db, clock, rows)).ok
    rig = TelegramCoreRig(db, clock, tmp_path / "media")
    await rig.says(8000, f"/start {(await rig.harness.codes())[rows[0]['nip']]}")
    digest = await rig.says(8000, "/rekap")
    page = await rig.taps(8000, next(data for label, data in inline_buttons(digest) if label == "Tombol 31–60 ▶"))
    back = next(data for label, data in inline_buttons(page) if label.startswith("◀"))
    assert (await run_import(db, clock, rows[:1], deactivate_many=True)).ok  # the school's staff all moved
    (empty,) = texts_of(accepted(await rig.taps(8000, back)))
    assert "1–0" not in empty and "dari 0" not in empty
    assert empty == ("Tim ini sudah kosong: semua anggotanya pindah atau dinonaktifkan, jadi rekap Senin, "
                     "23 November 2026 tidak punya tombol lagi.")
    await rig.taps(8000, "lang:en")
    (english,) = texts_of(accepted(await rig.taps(8000, back)))
    assert english.startswith("This team is empty now: everyone in it moved away or was deactivated")
