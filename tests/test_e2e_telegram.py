"""End to end: `apel run` as its own process, long polling a local stand-in of the Bot API.

Two people of the sample office play one working Monday: a staff member and their direct supervisor
onboard with their invite codes, the supervisor assigns a task, the morning briefing goes out
(`apel run-step briefing`, a second process), the staff member sends a photo and a live location,
completes the task and reports, and the supervisor sees the report in /tim. The stand-in refuses what
Telegram refuses and throttles as Telegram does; every request the bot made is then checked against
the Bot API reference (../shared/reference/telegram-bot-api-10.1.json).

The clock is FAKE_NOW (Monday 23 November 2026, 09:00 WIB, running on at real speed), so the day is
a working day in working hours whenever the test runs."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sqlite3
import time

import pytest
from PIL import Image, ImageDraw

from tests.bot_api_spec import CALLBACK_DATA_MAX_BYTES, CAPTION_MAX, TEXT_MAX, as_json, require_spec
from tests.e2e_process import ApelProcess, process_env, run_apel
from tests.fake_bot_api import Call, FakeBotApi

TOKEN = "7301234567:AAE2eTestTokenForTheStandIn_0123456789"
BOT_USERNAME = "ApelDinasBot"
FAKE_NOW = "2026-11-23T09:00:00+07:00"  # a Monday, after apel (07:30) and before the deadline (16:00)
TODAY = "20261123"

# From bot/samples/sample_office.csv: a staff member of Subbagian Keuangan and their direct superior.
STAFF_NIP, STAFF_NAME = "197804172007091005", "Rahmat Firmansyah, S.E."
BOSS_NIP, BOSS_NAME = "198711192012021008", "Firdaus Pratama, S.Ak., M.Ak."
STAFF_UID, BOSS_UID = 5_100_200_301, 5_100_200_302

# With characters that must be escaped in Telegram's HTML: the bot must escape what people type.
TASK_TITLE = "Rekap SPJ Q4 & <draf> anggaran"
SUMMARY = "SPJ Q4 direkap (12 berkas) & draf anggaran dikirim ke Sekretariat."

STEP = 25.0  # seconds to wait for one answer of the bot (flood waits of 1-3 s included)


def jpeg(width: int = 1280, height: int = 960) -> bytes:
    """A real photo-like JPEG: Telegram recompresses photos to JPEG, and the bot thumbnails it."""
    image = Image.new("RGB", (width, height), (40, 110, 170))
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 80):
        draw.rectangle((i, height // 3, i + 40, 2 * height // 3), fill=(230, 160 + i % 90, 30))
    draw.ellipse((width // 3, height // 4, 2 * width // 3, 3 * height // 4), outline=(255, 255, 255), width=9)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def shown(call: Call) -> str:
    """What the reader sees of a sent or edited message: its text or caption after HTML parsing."""
    result = call.result
    if isinstance(result, dict):
        return result.get("text") or result.get("caption") or ""
    return ""


def buttons(call: Call) -> list[tuple[str, object]]:
    return [b for row in FakeBotApi.keyboard_of(call) for b in row]


def button(call: Call, *, label: str | None = None, prefix: str | None = None) -> str:
    """The callback_data of the (first) button whose label contains `label` or whose data starts so."""
    for text, data in buttons(call):
        if isinstance(data, str) and (label is None or label in text) and (prefix is None or data.startswith(prefix)):
            return data
    raise AssertionError(f"no button label~{label!r} data^{prefix!r} on #{call.index}: {buttons(call)}")


class Play:
    """The people's side: wait for the bot's answers, with the bot's log in every failure."""

    def __init__(self, api: FakeBotApi, bot: ApelProcess):
        self.api, self.bot = api, bot

    def mark(self) -> int:
        """Index of the next call: answers to what the test does next come at or after it."""
        with self.api._lock:
            return len(self.api.calls)

    def answer(self, uid: int, since: int, *, contains: str = "", methods=("sendMessage",),
               timeout: float = STEP) -> Call:
        def matches(c: Call) -> bool:
            return c.ok and c.method in methods and c.chat_id == uid and contains in shown(c)

        return self.wait(matches, since, f"{'/'.join(methods)} to {uid} containing {contains!r}", timeout)

    def refused(self, since: int) -> list[Call]:
        """Calls Telegram would not carry out, flood waits left out (the bot waits them out)."""
        with self.api._lock:
            return [c for c in self.api.calls[since:] if c.status and not c.ok and c.status != 429]

    def wait(self, predicate, since: int, what: str, timeout: float = STEP) -> Call:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.api.wait_for_sync(predicate, timeout=0.5, since=since)
            except AssertionError:
                if refused := self.refused(since):  # fail at once, with Telegram's own words
                    listing = "\n  ".join(f"{c!r}" for c in refused)
                    raise AssertionError(f"APPLICATION BUG: Telegram (the stand-in) refused the bot's call(s) "
                                         f"while waiting for {what}:\n  {listing}\n{self.bot.output()}") from None
                if not self.bot.alive():
                    raise AssertionError(f"`apel run` exited ({self.bot.process.returncode}) while waiting "
                                         f"for {what}\n{self.bot.output()}") from None
                if time.monotonic() > deadline:
                    with self.api._lock:
                        recent = [c for c in self.api.calls[since:] if c.method != "getUpdates"][-12:]
                    shown_calls = "\n  ".join(repr(c) for c in recent) or "(none)"
                    raise AssertionError(f"waited {timeout} s for {what}; the bot's calls since then "
                                         f"(getUpdates left out):\n  {shown_calls}") from None


@pytest.mark.slow
@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_a_working_day_through_the_bot_api(db_target, tmp_path):
    database_url, _ = db_target
    media_dir = tmp_path / "media"
    env = process_env({
        "DATABASE_URL": database_url,
        "MEDIA_DIR": str(media_dir),
        "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
        "DEFAULT_LANGUAGE": "id",
        "DEFAULT_TIMEZONE": "Asia/Jakarta",
        "FAKE_NOW": FAKE_NOW,
        # The briefing comes from `apel run-step briefing` when the test says so, not from a tick.
        "ROUTINE_TICK_SECONDS": "0",
        "LOG_LEVEL": "INFO",
        "WEBHOOK_URL": "",  # long polling
        "WHATSAPP_TOKEN": "",
    })

    # The admin prepares the office with the real CLI.
    run_apel("org", "sample", env=env, cwd=tmp_path)
    run_apel("invite", "--out", str(tmp_path / "invites.csv"), "--channel", "telegram", env=env, cwd=tmp_path)
    with open(tmp_path / "invites.csv", encoding="utf-8", newline="") as f:
        invites = {row["nip"]: row for row in csv.DictReader(f)}
    assert invites[STAFF_NIP]["link"] == f"https://t.me/{BOT_USERNAME}?start={invites[STAFF_NIP]['code']}"
    staff_code, boss_code = invites[STAFF_NIP]["code"], invites[BOSS_NIP]["code"]

    api = FakeBotApi(token=TOKEN, username=BOT_USERNAME, throttle=True).start_in_thread()
    env.update(TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_URL=api.url)
    bot = ApelProcess("run", env=env, cwd=tmp_path, log_path=tmp_path / "apel-run.log")
    play = Play(api, bot)
    started = time.monotonic()
    try:
        bot.start()
        play.wait(lambda c: c.method == "getUpdates" and c.ok, 0, "the first getUpdates of `apel run`", 40)
        api.add_user(STAFF_UID, "Rahmat", "Firmansyah", username="rahmat_f")
        api.add_user(BOSS_UID, "Firdaus", "Pratama", username="firdaus_p")

        # (1) The staff member opens their invite link: welcome, and a button to share the home location.
        mark = play.mark()
        api.user_sends_text(STAFF_UID, f"/start {staff_code}")
        welcome = play.answer(STAFF_UID, mark, contains="Selamat datang")
        assert STAFF_NAME in shown(welcome) and "Subbagian Keuangan" in shown(welcome)
        ask_home = play.answer(STAFF_UID, mark, contains="lokasi rumah")
        assert ("📍 Bagikan lokasi rumah", "request_location") in buttons(ask_home)
        markup = as_json(ask_home.params["reply_markup"])  # a reply keyboard, gone once used
        assert "keyboard" in markup and markup.get("one_time_keyboard") is True, markup
        mark = play.mark()
        api.user_shares_location(STAFF_UID, -1.622121, 103.577988)
        play.answer(STAFF_UID, mark, contains="Lokasi rumah tersimpan")

        # (2) The supervisor onboards the same way.
        mark = play.mark()
        api.user_sends_text(BOSS_UID, f"/start {boss_code}")
        assert BOSS_NAME in shown(play.answer(BOSS_UID, mark, contains="Selamat datang"))
        play.answer(BOSS_UID, mark, contains="lokasi rumah")
        mark = play.mark()
        api.user_shares_location(BOSS_UID, -1.601081, 103.592902)
        play.answer(BOSS_UID, mark, contains="Lokasi rumah tersimpan")

        # (3) The supervisor assigns a task due today; in working hours the staff member is told at once.
        mark = play.mark()
        api.user_sends_text(BOSS_UID, "/tugaskan")
        picker = play.answer(BOSS_UID, mark, contains="Pilih pegawai")
        pick = button(picker, label=STAFF_NAME, prefix="asg:p:")
        staff_id = int(pick.rsplit(":", 1)[1])
        mark = play.mark()
        api.user_taps(BOSS_UID, picker, pick)
        picked = play.answer(BOSS_UID, mark, contains="terpilih: 1", methods=("editMessageText", "sendMessage"))
        assert f"☑️ {STAFF_NAME}" in [label for label, _ in buttons(picked)]
        mark = play.mark()
        api.user_taps(BOSS_UID, picked, "asg:go")
        play.answer(BOSS_UID, mark, contains="Tulis tugas untuk 1 orang")
        mark = play.mark()
        api.user_sends_text(BOSS_UID, TASK_TITLE)
        ask_due = play.answer(BOSS_UID, mark, contains="Kapan tenggatnya")
        assert TASK_TITLE in shown(ask_due)  # shown as typed: the bot escaped & and < in its HTML
        due_today = button(ask_due, label="Hari ini")
        assert due_today == f"asg:d:{TODAY}"
        mark = play.mark()
        api.user_taps(BOSS_UID, ask_due, due_today)
        done = play.answer(BOSS_UID, mark, contains="Tugas diberikan kepada 1 orang",
                           methods=("editMessageText", "sendMessage"))
        assert "1 diberi tahu sekarang" in shown(done)
        notice = play.answer(STAFF_UID, mark, contains="Tugas baru dari")
        assert TASK_TITLE in shown(notice) and BOSS_NAME in shown(notice)

        # (4) The morning briefing, sent by `apel run-step briefing` (another process, same database).
        mark = play.mark()
        step = run_apel("run-step", "briefing", env=env, cwd=tmp_path, timeout=60)
        briefing = play.answer(STAFF_UID, mark, contains="Apel pagi")
        assert "Apel pagi — Senin, 23 November 2026" in shown(briefing)  # FAKE_NOW's day, in Indonesian
        assert TASK_TITLE in shown(briefing), f"the briefing does not list the assigned task:\n{shown(briefing)}"
        assert "dari atasan" in shown(briefing)
        play.answer(BOSS_UID, mark, contains="Apel pagi")
        assert "2 pesan masuk antrean kirim" in step.stderr, step.stderr  # queued; the running bot sent them
        mark = play.mark()
        api.user_taps(STAFF_UID, briefing, button(briefing, prefix=f"ack:{TODAY}"))
        play.answer(STAFF_UID, mark, contains="kehadiran apel tercatat", methods=("editMessageText", "sendMessage"))

        # (5) Evidence: a photo (downloaded through getFile) and a live location that moves twice.
        photo = jpeg()
        mark = play.mark()
        api.user_sends_photo(STAFF_UID, photo)
        received = play.answer(STAFF_UID, mark, contains="Foto diterima")
        assert TASK_TITLE in shown(received)  # the only open task gets the photo
        with api._lock:
            get_files = [c for c in api.calls[mark:received.index] if c.method == "getFile"]
        assert get_files and all(c.ok for c in get_files), get_files
        originals = [p for p in (media_dir / "originals").rglob("*") if p.is_file()]
        assert [p.read_bytes() for p in originals] == [photo]  # the largest size, byte for byte
        assert originals[0].name.startswith(hashlib.sha256(photo).hexdigest())
        assert [p for p in (media_dir / "thumbs").rglob("*.jpg")]

        mark = play.mark()
        live = api.user_shares_location(STAFF_UID, -1.6221, 103.5780, live_period=28800)
        live_ack = play.answer(STAFF_UID, mark, contains="Lokasi langsung diterima")
        api.user_moves_live_location(STAFF_UID, live, -1.6223, 103.5782)
        api.user_moves_live_location(STAFF_UID, live, -1.6225, 103.5785)
        mark = play.mark()
        api.user_sends_text(STAFF_UID, "/status")  # handled after the two moves: updates go in order
        status = play.answer(STAFF_UID, mark, contains="Status")
        with sqlite3.connect(database_url.split("///", 1)[1]) as db:
            fixes = db.execute("SELECT day, live, live_key FROM location_fix WHERE person_id = ? ORDER BY id",
                               (staff_id,)).fetchall()
        assert len(fixes) == 3, f"one live location and two moves should be 3 fixes: {fixes}"
        assert all(is_live for _, is_live, _ in fixes) and len({key for *_, key in fixes}) == 1, fixes
        # (the day of the fixes and the /status count depend on the clock: checked at the end)
        assert "Apel pagi: sudah dikonfirmasi" in shown(status)
        assert "Bukti kerja: 1" in shown(status)

        # (6) /tugas: the task is marked done with its ✅ button.
        mark = play.mark()
        api.user_sends_text(STAFF_UID, "/tugas")
        tasks = play.answer(STAFF_UID, mark, contains="Tugas hari ini")
        done_button = button(tasks, label="✅ 1", prefix="t:")
        task_id = int(done_button.split(":")[1])
        assert done_button == f"t:{task_id}:done"
        mark = play.mark()
        api.user_taps(STAFF_UID, tasks, done_button)
        marked = play.answer(STAFF_UID, mark, contains=f"✅ {TASK_TITLE}", methods=("editMessageText", "sendMessage"))
        assert marked.method == "editMessageText", "the tapped list should be edited in place"
        assert not [d for _, d in buttons(marked) if isinstance(d, str) and d.startswith(f"t:{task_id}:")]

        # (7) /lapor: tasks step → Lanjut → summary → preview → Kirim.
        mark = play.mark()
        api.user_sends_text(STAFF_UID, "/lapor")
        report_tasks = play.answer(STAFF_UID, mark, contains="Langkah 1 dari 3")
        mark = play.mark()
        api.user_taps(STAFF_UID, report_tasks, button(report_tasks, prefix="r:next"))
        play.answer(STAFF_UID, mark, contains="Langkah 2 dari 3", methods=("editMessageText", "sendMessage"))
        mark = play.mark()
        api.user_sends_text(STAFF_UID, SUMMARY)
        preview = play.answer(STAFF_UID, mark, contains="Pratinjau laporan")
        assert SUMMARY in shown(preview) and "Tugas selesai: 1 dari 1" in shown(preview)
        assert "Bukti kerja: 1" in shown(preview) and "terlambat" not in shown(preview)
        mark = play.mark()
        api.user_taps(STAFF_UID, preview, button(preview, prefix="r:send"))
        sent = play.answer(STAFF_UID, mark, contains="Laporan terkirim", methods=("editMessageText", "sendMessage"))
        assert "terlambat" not in shown(sent)

        # (8) The supervisor's /tim: the staff member has reported; their page shows summary and photo.
        mark = play.mark()
        api.user_sends_text(BOSS_UID, "/tim")
        team = play.answer(BOSS_UID, mark, contains="Tim hari ini")
        line = next(row for row in shown(team).splitlines() if STAFF_NAME in row)
        assert "sudah lapor" in line, shown(team)
        member = button(team, label=STAFF_NAME, prefix="tim:")
        assert member == f"tim:{staff_id}"
        mark = play.mark()
        api.user_taps(BOSS_UID, team, member)
        page = play.answer(BOSS_UID, mark, contains=STAFF_NAME)
        assert SUMMARY in shown(page) and "Status: sudah lapor" in shown(page) and f"✅ {TASK_TITLE}" in shown(page)
        thumb = play.answer(BOSS_UID, mark, contains="Bukti kerja", methods=("sendPhoto",))
        assert thumb.files, "the thumbnail is uploaded from MEDIA_DIR/thumbs"
        (upload,) = thumb.files.values()
        assert upload.content != photo and Image.open(io.BytesIO(upload.content)).size[0] <= 512
        elapsed = time.monotonic() - started
    finally:
        code = bot.stop()
        api.stop()
        print(f"--- apel run (exit {code}) ---\n{bot.output()}")  # shown by pytest when the test fails

    calls = list(api.calls)
    print(f"scenario took {elapsed:.1f} s, {len(calls)} Bot API calls, {api.throttled} throttled (429)")
    assert code == 0, "`apel run` should stop cleanly on SIGTERM"
    assert "Traceback" not in bot.output(), bot.output()

    # What Telegram would have refused: nothing, except flood waits (which the bot waited out).
    refused = [c for c in calls if not c.ok and c.status != 429]
    assert refused == [], refused
    assert not [c for c in calls if "can't parse entities" in " ".join(c.problems) + (c.description or "")]
    throttled = [c for c in calls if c.status == 429]
    for flood in throttled:  # each 429 was followed by the same call succeeding later
        assert any(c.ok and c.method == flood.method and c.params == flood.params for c in calls[flood.index + 1:]), \
            f"a throttled call was never retried: {flood!r}"
    for c in calls:
        if c.method in ("sendMessage", "editMessageText") or (c.method == "sendPhoto" and "caption" in c.params):
            assert c.params.get("parse_mode") == "HTML", c
        if c.method in ("sendMessage", "editMessageText"):
            assert 0 < len(c.result["text"] if c.ok else c.params["text"]) <= TEXT_MAX, c
        if c.ok and "caption" in c.params:
            assert len(c.result.get("caption", "")) <= CAPTION_MAX, c
        for _, data in buttons(c):
            if data is not None and not str(data).startswith("http"):
                assert 1 <= len(str(data).encode()) <= CALLBACK_DATA_MAX_BYTES, c
    used = {c.method for c in calls}
    assert {"deleteWebhook", "setMyCommands", "getUpdates", "sendMessage", "editMessageText",
            "answerCallbackQuery", "getFile", "sendPhoto"} <= used, used
    taps = [c for c in calls if c.method == "answerCallbackQuery"]
    assert len(taps) == 8 and all(c.ok for c in taps), taps  # every tap answered in time

    # Every request against the Bot API reference: method exists, required parameters present, no
    # unknown parameters (the stand-in checked each call as it came; without the spec file it checked
    # only what needs no spec: text and caption length, HTML, buttons).
    assert api.spec_problems() == []

    # One clock: under FAKE_NOW every date and time the bot uses is FAKE_NOW's (running on), never the
    # real date of the machine or of Telegram's messages. Checked last so that the rest is seen first.
    clock_bug = ("APPLICATION BUG: the live location is dated by Telegram's message date (real time) "
                 "instead of Apel's clock (FAKE_NOW, which dates everything else: the day, the task, "
                 "the report) — bot/services/presence.py on_location uses turn.inbound.at")
    assert re.search(r"sampai 17\.0[0-2] WIB", shown(live_ack)), \
        f"{clock_bug}: 8 h of live location from ~09.00 WIB must end ~17.00 WIB; the bot said {shown(live_ack)!r}"
    assert {day for day, *_ in fixes} == {"2026-11-23"}, f"{clock_bug}: fixes stored as (day, live, key) {fixes}"
    assert "Lokasi terkirim: 3 kali" in shown(status), f"{clock_bug}: /status said {shown(status)!r}"

    require_spec()  # without the reference file, say so: the spec half of the checks was not made
