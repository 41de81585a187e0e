"""Real people's content at the limits the bot accepts, through aiogram and the real core: names with degrees,
commas and `& < > ' "` up to the org chart's 200 characters, unit names of 300, emoji, task titles of 500, many
tasks. Every call the bot makes must be one Telegram accepts (tests/bot_api_spec.py), and nothing a person
needs may become unreachable because a message would carry too much."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from bot.samples.synthetic import format_nip
from tests.bad_input_rig import TelegramCoreRig, telegram_problems, texts_of
from tests.chat_harness import MONDAY_0900_WIB
from tests.test_big_team import inline_buttons
from tests.test_org_import import run_import

# Conversation tests, not storage tests: SQLite keeps them quick.
pytestmark = pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)

EMOJI = "👩🏽‍💻"
UNIT = ("Seksi Pengembangan Aplikasi & <Layanan> Publik 'E-Gov' \"Terpadu\" " + "Bidang Lanjutan " * 20)[:300]
HEAD, STAFF = 7100, 7101


def nip(i: int) -> str:
    birth = dt.date(1970 + i, 1 + i, 1 + i)
    return format_nip(birth, birth.year + 25, 3, "male" if i % 2 else "female", 1 + i)


def long_name(i: int) -> str:
    name = f"Dr. Hj. Siti {EMOJI} Aminah & <Putri> O'Neil \"Ucok\" {i}, S.E., M.Si."
    return (name + " Binti Abdurrahman Wahyuningsih Kusumawardhani" * 5)[:200]


def rows() -> list[dict[str, str]]:
    head = {"nip": nip(0), "name": long_name(0), "position": "Kepala Seksi", "rank": "pengawas", "unit": UNIT,
            "unit_parent": "", "timezone": "Asia/Jakarta", "supervisor_nip": "", "role": "admin", "language": ""}
    staff = {**head, "nip": nip(1), "name": long_name(1), "position": "Pranata Komputer", "rank": "pelaksana",
             "timezone": "", "supervisor_nip": nip(0), "role": "staff"}
    return [head, staff]


def accepted(calls) -> list:
    problems = telegram_problems(calls)
    assert problems == [], problems
    return calls


def title(k: int) -> str:
    return (f"{k} Menyusun laporan <SPBE> & evaluasi 'indeks' \"2026\" {EMOJI} " * 20)[:500]


@pytest.fixture
async def rig(db, clock, tmp_path) -> TelegramCoreRig:
    clock.current = MONDAY_0900_WIB
    assert (await run_import(db, clock, rows())).ok
    rig = TelegramCoreRig(db, clock, tmp_path / "media")
    codes = await rig.harness.codes()
    accepted(await rig.says(HEAD, f"/start {codes[nip(0)]}"))
    accepted(await rig.says(STAFF, f"/start {codes[nip(1)]}"))
    return rig


async def add_tasks(rig: TelegramCoreRig, count: int) -> None:
    for k in range(1, count + 1):
        await rig.taps(STAFF, "t:add")
        await rig.says(STAFF, title(k))


async def test_tugas_with_30_long_tasks_is_sent_and_every_task_can_still_be_marked(rig):
    await add_tasks(rig, 30)  # tasks carried over for weeks add up
    listing = accepted(await rig.says(STAFF, "/tugas"))
    shown = "\n".join(texts_of(listing))
    assert "30. ⬜ 30 Menyusun laporan &lt;SPBE&gt; &amp; evaluasi" in shown
    buttons = dict((label, data) for label, data in inline_buttons(listing))
    assert len(buttons) <= 100
    assert {str(n) for n in range(1, 31)} <= set(buttons)  # a button a task: its number
    menu = accepted(await rig.taps(STAFF, buttons["30"]))
    assert "30 Menyusun laporan &lt;SPBE&gt;" in texts_of(menu)[0]
    done = next(data for label, data in inline_buttons(menu) if label.startswith("✅"))
    marked = accepted(await rig.taps(STAFF, done))
    assert "30. ✅ 30 Menyusun" in "\n".join(texts_of(marked))
    assert rig.crashes == []



async def test_lapor_with_55_tasks_is_sent_and_each_can_be_marked_done(rig):
    await add_tasks(rig, 55)
    step = accepted(await rig.says(STAFF, "/lapor"))
    buttons = inline_buttons(step)
    assert len(buttons) <= 100
    done = {label: data for label, data in buttons if label.startswith("✅")}
    assert set(done) == {f"✅ {n}" for n in range(1, 56)}
    accepted(await rig.taps(STAFF, done["✅ 55"]))
    assert any(label == "Lanjut ▶" or data == "r:next" for label, data in buttons)
    assert rig.crashes == []


async def test_undang_of_a_unit_with_quotes_and_angle_brackets_names_the_file_as_ekspor_does(rig):
    sent = accepted(await rig.says(HEAD, f"/undang {UNIT}"))
    document = next(c for c in sent if c.__api_method__ == "sendDocument")
    # Not "undangan-Seksi_Pengembangan_Aplikasi_&_<Layanan>_.csv": < > " / are characters Windows' and
    # Android's file systems refuse in a name.
    assert document.document.filename == "undangan-seksi-pengembangan-aplikasi-layanan-publik-e-gov-terpadu.csv"
    assert "2 undangan dibuat" in texts_of(sent)[0]


async def test_an_announcement_of_3000_characters_with_html_like_text_arrives_whole_in_one_message(rig):
    typed = ("Apel <b>wajib</b> & rapat 'evaluasi' \"SPBE\" <script>alert(1)</script> " + EMOJI + " ") * 60
    typed = typed[:3000].strip()
    accepted(await rig.says(HEAD, "/umumkan " + typed))
    sent = accepted(await rig.taps(HEAD, "ann:0"))
    to_staff = [c for c in sent if c.__api_method__ == "sendMessage" and c.chat_id == STAFF]
    # Escaped, it is about 5,000 characters of HTML: it came as three pieces, the header alone and the text
    # cut mid-word, though Telegram counts the 3,000 characters the reader sees.
    assert len(to_staff) == 1
    assert typed in html.unescape(to_staff[0].text)


async def test_a_superior_sees_the_caption_a_person_wrote_under_a_photo_on_its_thumbnail(rig, db):
    from tests.chat_harness import jpeg

    written = ("Notulen rapat <koordinasi> SPBE & 'evaluasi' \"indeks\" " + EMOJI + " ") * 30
    written = written[:1024]  # as long as Telegram lets a person write under a photo
    rig.session.files["ph1"] = jpeg()
    photo = [{"file_id": "ph1", "file_unique_id": "u1", "width": 640, "height": 480}]
    accepted(await rig.feed(rig.message(STAFF, photo=photo, caption=written)))
    async with db.uow() as uow:
        staff_id, _ = await uow.org.holder_of_nip(nip(1))
    detail = accepted(await rig.taps(HEAD, f"tim:{staff_id}"))
    [thumbnail] = [c for c in detail if c.__api_method__ == "sendPhoto"]
    shown = html.unescape(thumbnail.caption)
    # It was stored and shown to nobody: the superior saw "Bukti kerja, 10.00 WIB" alone.
    assert shown.startswith("Bukti kerja, ")
    assert "Notulen rapat <koordinasi> SPBE & 'evaluasi'" in shown and shown.endswith("…")


async def test_a_photo_from_someone_with_over_99_open_tasks_still_gets_the_which_task_question(rig, db, clock):
    from tests.chat_harness import jpeg

    async with db.uow() as uow:
        staff_id, _ = await uow.org.holder_of_nip(nip(1))
        for k in range(1, 106):  # carried over for months: written straight in, 105 chat turns would be slow
            await uow.day.add_task(staff_id, title(k), clock.current.date(), "self", None, clock.current, None)
        await uow.commit()
    rig.session.files["ph2"] = jpeg()
    photo = [{"file_id": "ph2", "file_unique_id": "u2", "width": 640, "height": 480}]
    # 106 buttons were refused by Telegram: the photo was stored and the person never asked which task.
    question = accepted(await rig.feed(rig.message(STAFF, photo=photo)))
    buttons = inline_buttons(question)
    assert len(buttons) == 100
    assert "Untuk tugas yang mana?" in texts_of(question)[0]
    assert "Ada 105 tugas terbuka; tombol hanya memuat 99 yang pertama" in texts_of(question)[0]
    picked = accepted(await rig.taps(STAFF, buttons[98][1]))
    assert "99 Menyusun laporan &lt;SPBE&gt;" in texts_of(picked)[0]
    listing = accepted(await rig.says(STAFF, "/tugas"))
    assert "Tombol hanya memuat 99 tugas pertama dari 105" in "\n".join(texts_of(listing))
    assert rig.crashes == []
