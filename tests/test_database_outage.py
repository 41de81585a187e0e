"""The database going away for a minute under a running `apel run` (issue #9 "Never lose a report").

A private PostgreSQL server (tests/private_postgres.py; the shared one is never touched), `apel run` in
its embedded role (long polling a local Bot API stand-in, the routine's clock, the outbox sender), two
people of the sample office. The server is stopped (`pg_ctl stop -m fast`) for OUTAGE_S while the
staff member submits their report with a tap, asks /status and sends a photo, and their supervisor
opens their invite link. Then the server starts again, and without restarting the bot:

- the bot never exited, and its log says once that the database was unavailable and once that it was back;
- each of those updates was processed exactly once, after the recovery (one answer each, one row each);
- the outbox sender and the routine's clock work again: a reply asked for after the recovery arrives,
  and the supervisor, linked only after the recovery, gets the morning briefing from the clock."""

from __future__ import annotations

import asyncio
import csv
import os
import time

import pytest
from sqlalchemy import text as sql

from tests.e2e_process import ApelProcess, process_env, run_apel
from tests.fake_bot_api import FakeBotApi
from tests.private_postgres import PrivatePostgres, find_bin
from tests.test_e2e_telegram import (
    BOSS_NIP,
    BOSS_UID,
    BOT_USERNAME,
    STAFF_NIP,
    STAFF_UID,
    SUMMARY,
    TOKEN,
    Play,
    button,
    jpeg,
    shown,
)

pytestmark = pytest.mark.slow

OUTAGE_S = 60.0  # the "a minute"
FAKE_NOW = "2026-11-23T09:00:00+07:00"  # a Monday in working hours: briefings are due, reports accepted
TICK_S = "2"  # the routine's clock ticks often, so "it resumed" shows within seconds
AFTER_S = 40.0  # for each answer after the recovery: the back-off is capped at 5 s, the rest is work
SENDS = ("sendMessage", "editMessageText")


def _count(play: Play, uid: int, contains: str, since: int) -> int:
    with play.api._lock:
        return sum(1 for c in play.api.calls[since:] if c.ok and c.method in SENDS and c.chat_id == uid
                   and contains in shown(c))


async def _query(url: str, statements: list[str]) -> list:
    from storage.unit_of_work import Database

    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            return [(await conn.execute(sql(s))).all() for s in statements]
    finally:
        await db.dispose()


def test_a_minute_without_the_database_loses_nothing_and_needs_no_restart(tmp_path):
    bin_dir = find_bin()
    if bin_dir is None:
        reason = "initdb is not installed (PostgreSQL server binaries), so no private server can be started"
        if os.environ.get("APEL_REQUIRE_POSTGRES") == "1":  # CI: a missing server is a failure, as elsewhere
            pytest.fail(reason + " and APEL_REQUIRE_POSTGRES=1")
        pytest.skip(reason)
    pg = PrivatePostgres(bin_dir)
    api = bot = None
    try:
        pg.init().start()
        env = process_env({
            "DATABASE_URL": pg.url, "DATABASE_SCHEMA": "", "MEDIA_DIR": str(tmp_path / "media"),
            "TELEGRAM_BOT_USERNAME": BOT_USERNAME, "DEFAULT_LANGUAGE": "id", "DEFAULT_TIMEZONE": "Asia/Jakarta",
            "FAKE_NOW": FAKE_NOW, "ROUTINE_TICK_SECONDS": TICK_S, "DIGEST_PICTURES": "false",
            "WEBHOOK_URL": "", "WHATSAPP_TOKEN": "", "REDIS_URL": "",
        })
        run_apel("db", "upgrade", env=env, cwd=tmp_path)
        run_apel("org", "sample", env=env, cwd=tmp_path)
        run_apel("invite", "--out", str(tmp_path / "invites.csv"), "--channel", "telegram", env=env, cwd=tmp_path)
        with open(tmp_path / "invites.csv", encoding="utf-8", newline="") as f:
            codes = {row["nip"]: row["code"] for row in csv.DictReader(f)}

        api = FakeBotApi(token=TOKEN, username=BOT_USERNAME).start_in_thread()
        env.update(TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_URL=api.url)
        bot = ApelProcess("run", env=env, cwd=tmp_path, log_path=tmp_path / "apel-run.log").start()
        play = Play(api, bot)
        play.wait(lambda c: c.method == "getUpdates" and c.ok, 0, "the first getUpdates of `apel run`", 90)
        api.add_user(STAFF_UID, "Rahmat", "Firmansyah")
        api.add_user(BOSS_UID, "Firdaus", "Pratama")

        # Before the outage: the staff member links and writes the report up to its preview.
        mark = linked = play.mark()
        api.user_sends_text(STAFF_UID, f"/start {codes[STAFF_NIP]}")
        play.answer(STAFF_UID, mark, contains="Selamat datang")
        mark = play.mark()
        api.user_shares_location(STAFF_UID, -1.622121, 103.577988)
        play.answer(STAFF_UID, mark, contains="Lokasi rumah tersimpan")
        mark = play.mark()
        api.user_sends_text(STAFF_UID, "/lapor")
        play.answer(STAFF_UID, mark, contains="Langkah 2 dari 3")
        mark = play.mark()
        api.user_sends_text(STAFF_UID, SUMMARY)
        preview = play.answer(STAFF_UID, mark, contains="Pratinjau laporan")

        # The clock briefs the staff member once linked; that message is let out first, so that anything
        # sent during the outage could only answer the outage's updates (which cannot be stored). A message
        # queued before the outage may well go out during it: the sender holds what it claimed.
        play.answer(STAFF_UID, linked, contains="Apel pagi", timeout=AFTER_S)

        # The outage: people go on using the bot; nothing can be stored, so nothing is answered.
        pg.stop("fast")
        down_at, mark = time.monotonic(), play.mark()
        during = [
            api.user_taps(STAFF_UID, preview, button(preview, prefix="r:send")),  # the report
            api.user_sends_text(STAFF_UID, "/status"),
            api.user_sends_photo(STAFF_UID, jpeg()),
            api.user_sends_text(BOSS_UID, f"/start {codes[BOSS_NIP]}"),
        ]
        keys = [f"tg:{u['update_id']}" for u in during]
        while time.monotonic() - down_at < OUTAGE_S:
            assert bot.alive(), f"`apel run` exited during the outage:\n{bot.output()}"
            time.sleep(0.5)
        noticed = bot.output()
        with api._lock:
            answered_while_down = [c for c in api.calls[mark:] if c.method in SENDS]
        pg.start()
        up_at = time.monotonic()

        # After it: every update of the outage is answered, once; what comes after works as ever.
        sent = play.answer(STAFF_UID, mark, contains="Laporan terkirim", methods=SENDS, timeout=AFTER_S)
        play.answer(STAFF_UID, mark, contains="📊 Status", timeout=AFTER_S)
        play.answer(STAFF_UID, mark, contains="diterima sebagai bukti kerja", timeout=AFTER_S)
        play.answer(BOSS_UID, mark, contains="Selamat datang", timeout=AFTER_S)
        recovered_in = time.monotonic() - up_at
        play.answer(BOSS_UID, mark, contains="Apel pagi", timeout=AFTER_S)  # the clock's briefing
        later = play.mark()
        api.user_sends_text(STAFF_UID, "/tugas")
        play.answer(STAFF_UID, later, contains="Tugas hari ini", timeout=AFTER_S)  # a reply through the outbox
        time.sleep(3)  # a duplicate answer would have come by now
        assert bot.alive(), "`apel run` must outlive the outage without a restart"
        seen, reports, evidence, accounts = asyncio.run(_query(pg.url, [
            "SELECT key FROM seen_update",
            "SELECT status, summary FROM report",
            "SELECT count(*) FROM evidence",
            "SELECT count(*) FROM channel_account WHERE unlinked_at IS NULL",
        ]))
    finally:
        code = bot.stop() if bot is not None else None
        if api is not None:
            api.stop()
        log = bot.output() if bot is not None else ""
        print(f"--- apel run (exit {code}) ---\n{log}")  # shown by pytest when the test fails
        print(f"--- the private PostgreSQL server ---\n{pg.server_log()[-3000:]}")
        pg.remove()

    print(f"outage {OUTAGE_S:.0f} s; every update of it answered {recovered_in:.1f} s after the server was back")
    assert code == 0, "`apel run` should stop cleanly on SIGTERM"
    assert answered_while_down == [], answered_while_down
    # Told once: when the database went away (during the outage) and when it was back.
    assert noticed.count("is unavailable") == 1, noticed
    assert log.count("is unavailable") == 1 and log.count("is back after") == 1, log
    assert len(log.splitlines()) < 60, "the outage should be a few lines in the log, not a line per retry"
    assert log.count("Traceback") == log.count("CancelledError"), log  # (a tick cut short by SIGTERM)
    # Exactly once: one answer per update of the outage, and one stored effect each.
    for uid, text in ((STAFF_UID, "Laporan terkirim"), (STAFF_UID, "📊 Status"),
                      (STAFF_UID, "diterima sebagai bukti kerja"), (BOSS_UID, "Selamat datang"),
                      (BOSS_UID, "Apel pagi")):
        assert _count(play, uid, text, mark) == 1, f"{text!r} to {uid}: {_count(play, uid, text, mark)} times"
    assert sent.method in SENDS
    assert set(keys) <= {key for (key,) in seen}
    assert reports == [("submitted", SUMMARY)], reports
    assert evidence == [(1,)] and accounts == [(2,)], (evidence, accounts)
