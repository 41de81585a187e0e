"""Kill -9, again and again: the real `apel run` (role all, long polling; SQLite, then PostgreSQL) drains a
briefing wave to 150 people while 20 of them send their reports with /lapor through the local Bot API
stand-in, and the test kills the process with SIGKILL at seeded random moments (6 times), restarting it each
time (FAKE_NOW carries on where the killed run was). About 1.5 minutes per engine, most of it 7 Python start-ups
(each imports aiogram: 7-9 s on a 2-core machine; 20 kills per engine took 3 minutes each and CI past 15).

After a last run that is left to finish: every briefing reached its person at least once; every report the
bot confirmed ("Laporan terkirim" reached the stand-in) is stored as submitted; every outbox row ended sent,
failed with a reason, or expired; and a message arrived twice only when the killed run's send journal had
it tried without a recorded answer (DESIGN.md "The outbox": only such a send may arrive twice), at most once
more each. How many sends the stand-in had in flight at each kill (FakeBotApi.in_flight: received and not
answered, or answered within GRACE_S before it) is printed beside: on a loaded machine a process may read an
answer seconds late, which the journal shows and a clock cannot."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.org_rows import write_flat_office
from tests.e2e_database import link_everyone, query
from tests.e2e_process import ApelProcess, process_env, run_apel
from tests.fake_bot_api import NEW_MESSAGE_METHODS, Call, FakeBotApi

TOKEN = "7301234567:AAE2eTestTokenForTheStandIn_0123456789"
PEOPLE, REPORTERS, KILLS = 150, 20, 6
FIRST_UID = 6_400_000_000
HEAD_NIP = "197001012000011001"
START = dt.datetime(2026, 11, 23, 7, 35, tzinfo=dt.timezone(dt.timedelta(hours=7)))  # Monday, after apel
SEED = 20261123
# The answer's way back and the bot's recording of it (the journal's `s` line), for the printed in-flight
# counts only: under load a process read answers 1 s (CI, four test workers on two cores) and 10 s (load 4.5)
# late, each rightly resent since the bot had not recorded them, so the check itself reads the journal.
GRACE_S = 3.0
JOURNAL = "outbox-sender.journal"
BRIEFING = "Apel pagi — "
KILL_AFTER_S = (0.0, 2.0)  # after the process's first Bot API call (it sends from its first second)
STARTUP_S = 60.0  # one Python process importing aiogram on a busy 2-core machine
FINAL_S = 90.0

pytestmark = pytest.mark.slow


def _shown(call: Call) -> str:
    result = call.result
    return (result.get("text") or result.get("caption") or "") if isinstance(result, dict) else ""


class Reporter:
    """One person's /lapor: a command, the summary, the Kirim button; each step once the bot answered the last."""

    STEPS = (("/lapor", "Langkah 2 dari 3"), ("summary", "Pratinjau laporan"), ("send", "Laporan terkirim"))

    def __init__(self, api: FakeBotApi, uid: int, nip: str, starts_at: float):
        self.api, self.uid, self.nip, self.starts_at = api, uid, nip, starts_at
        self.step = -1  # the step whose answer is awaited
        self.mark = 0
        self.answer: Call | None = None

    @property
    def confirmed(self) -> bool:
        return self.step == len(self.STEPS)

    def play(self, now: float) -> None:
        if self.confirmed or now < self.starts_at:
            return
        if self.step >= 0:
            wanted = self.STEPS[self.step][1]
            with self.api._lock:
                answers = [c for c in self.api.calls[self.mark:] if c.ok and c.chat_id == self.uid
                           and c.method in ("sendMessage", "editMessageText") and wanted in _shown(c)]
            if not answers:
                return
            self.answer = answers[-1]
        self.step += 1
        if self.confirmed:
            return
        with self.api._lock:
            self.mark = len(self.api.calls)
        action = self.STEPS[self.step][0]
        if action == "/lapor":
            self.api.user_sends_text(self.uid, "/lapor")
        elif action == "summary":
            self.api.user_sends_text(self.uid, f"Laporan uji {self.nip}: berkas direkap.")
        else:
            data = next(d for row in FakeBotApi.keyboard_of(self.answer) for _, d in row if d == "r:send")
            self.api.user_taps(self.uid, self.answer, data)


def _play_for(reporters: list[Reporter], seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for reporter in reporters:
            reporter.play(time.monotonic())
        time.sleep(0.02)


def _first_call_since(api: FakeBotApi, mark: int, method: str | None = None) -> bool:
    with api._lock:
        return any(method in (None, c.method) for c in api.calls[mark:])


@pytest.mark.parametrize("db_target", ["sqlite", "postgresql"], indirect=True)
def test_kill_9_at_random_moments_loses_no_briefing_and_no_confirmed_report(db_target, tmp_path):
    url, schema = db_target
    where = (url, schema)
    rng = random.Random(SEED)
    env = process_env({
        "DATABASE_URL": url, "DATABASE_SCHEMA": schema or "", "TELEGRAM_BOT_USERNAME": "ApelMatiBot",
        "TELEGRAM_BULK_RATE": "6", "TELEGRAM_TOTAL_RATE": "10", "ROUTINE_TICK_SECONDS": "0", "DIGEST_PICTURES": "false",
        "MEDIA_DIR": str(tmp_path / "media"), "DEFAULT_LANGUAGE": "id", "LOG_LEVEL": "INFO",
        "WHATSAPP_TOKEN": "", "WEBHOOK_URL": "", "FAKE_NOW": START.isoformat(),
    })
    nips = write_flat_office(tmp_path / "pegawai.csv", HEAD_NIP, PEOPLE, "Dinas Uji Mati")
    run_apel("org", "import", str(tmp_path / "pegawai.csv"), env=env, cwd=tmp_path)
    chats = asyncio.run(link_everyone(url, schema, nips, FIRST_UID))
    step = run_apel("run-step", "briefing", env=env, cwd=tmp_path, timeout=120)
    assert f"{PEOPLE} pesan masuk antrean kirim" in step.stderr, step.stderr

    api = FakeBotApi(token=TOKEN, username="ApelMatiBot").start_in_thread()
    for nip, chat in chats.items():
        api.add_started_user(chat, f"Pegawai {nip[-3:]}")
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.url)
    began = time.monotonic()
    reporters = [Reporter(api, chats[nip], nip, began + rng.uniform(0, 90)) for nip in rng.sample(nips[1:], REPORTERS)]
    kills: list[tuple[float, int]] = []  # (seconds into the loop, sends in flight)
    in_flight_calls: set[int] = set()
    kill_moments: list[float] = []  # time.monotonic() of each kill
    unrecorded: set[int] = set()  # outbox ids a killed run's journal had tried without a recorded answer
    runs: list[ApelProcess] = []

    def start() -> ApelProcess:
        now = START + dt.timedelta(seconds=time.monotonic() - began)  # the clock carries on across restarts
        run = ApelProcess("run", env={**env, "FAKE_NOW": now.isoformat()}, cwd=tmp_path,
                          log_path=tmp_path / f"apel-run-{len(runs)}.log")
        runs.append(run.start())
        return run

    try:
        for _ in range(KILLS):
            mark = len(api.calls)
            run = start()
            deadline = time.monotonic() + STARTUP_S
            while not _first_call_since(api, mark):
                assert run.alive(), run.output()
                assert time.monotonic() < deadline, f"no Bot API call within {STARTUP_S} s:\n{run.output()}"
                _play_for(reporters, 0.05)
            _play_for(reporters, rng.uniform(*KILL_AFTER_S))
            killed_at = time.monotonic()
            run.process.send_signal(signal.SIGKILL)
            run.process.wait(10)
            run.stop()
            caught = api.in_flight(killed_at, GRACE_S)
            kill_moments.append(killed_at)
            kills.append((killed_at - began, len(caught)))
            in_flight_calls.update(c.index for c in caught)
            unrecorded |= _tried_without_answer(tmp_path)  # before the next run settles and empties it
        looped = time.monotonic() - began

        mark = len(api.calls)
        final = start()  # left to finish: the wave, the reports, the outbox
        deadline = time.monotonic() + FINAL_S
        # Polling (aiogram's SIGTERM handler) before the end: a SIGTERM during start-up just ends the process.
        while not (_first_call_since(api, mark, "getUpdates") and all(r.confirmed for r in reporters) and _settled(where)):
            assert final.alive(), final.output()
            assert time.monotonic() < deadline, f"not settled within {FINAL_S} s: {_statuses(where)}"
            _play_for(reporters, 0.25)
        code = final.stop()
        finished = time.monotonic() - began
    finally:
        for run in runs:
            run.stop()
        api.stop()
        print(f"--- last apel run ---\n{runs[-1].output() if runs else ''}")

    calls = list(api.calls)
    deliveries: dict[tuple, list[Call]] = {}
    for call in calls:
        if call.method in NEW_MESSAGE_METHODS and call.ok:
            deliveries.setdefault((call.chat_id, call.text), []).append(call)
    delivered = Counter({key: len(found) for key, found in deliveries.items()})
    briefed = {chat for (chat, text) in delivered if BRIEFING in (text or "")}
    duplicates = sum(n - 1 for n in delivered.values())
    twice = [f"{chat}: {text[:30]!r} ×{n}" for (chat, text), n in delivered.items() if n > 1]
    in_flight = sum(n for _, n in kills)
    reports = dict(query(*where, "SELECT p.nip, r.status FROM report r JOIN person p ON p.id = r.person_id"))
    [(unfinished,)] = query(*where, "SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')")
    failed = query(*where, "SELECT key, reason FROM outbox WHERE status != 'sent'")
    print(f"{KILLS} kills in {looped:.1f} s (at {', '.join(f'{t:.1f}' for t, _ in kills)} s), all settled after "
          f"{finished:.1f} s; {len(calls)} Bot API calls; {in_flight} sends in flight at the kills "
          f"({[n for _, n in kills]}); {duplicates} duplicate(s) {twice}; "
          f"{sum(r.confirmed for r in reporters)} reports "
          f"confirmed; outbox rows not sent: {failed}")
    assert code == 0, runs[-1].output()

    assert briefed == set(chats.values()), f"{len(set(chats.values()) - briefed)} people never got the briefing"
    confirmed = [r.nip for r in reporters if r.confirmed]
    assert len(confirmed) == REPORTERS
    assert {nip: reports.get(nip) for nip in confirmed} == {nip: "submitted" for nip in confirmed}
    assert unfinished == 0
    assert all(reason for _, reason in failed), failed
    # Each message that went again was tried without a recorded answer when its run was killed: the journal
    # knew of every other send, and such a send goes once more at most.
    rows = query(*where, "SELECT id, external_id, payload FROM outbox")
    ids_of: dict[tuple, set[int]] = {}
    for row_id, external_id, payload in rows:
        ids_of.setdefault((int(external_id), json.loads(payload)["text"]), set()).add(row_id)
    again = {key: found for key, found in deliveries.items() if len(found) > 1}
    unknown = [f"#{c.index} answered {_before_next_kill(c, kill_moments)}, in flight by the clock: "
               f"{c.index in in_flight_calls}" for key, found in again.items()
               if not ids_of.get(key, set()) & unrecorded for c in found[:-1]]
    assert unknown == [], (unknown, sorted(unrecorded))
    assert all(len(found) <= 2 for found in again.values()), twice


def _tried_without_answer(where: Path) -> set[int]:
    """What the killed run's send journals (`a <id>` tried, `s <id> <parts>` sent, `d <id>` decided) had
    tried without knowing the outcome: the only sends that may go again."""
    tried, known = set(), set()
    for journal in where.glob(f"{JOURNAL}*"):
        for line in journal.read_text(encoding="ascii", errors="replace").splitlines():
            kind, _, rest = line.partition(" ")
            number = rest.split(" ", 1)[0]
            if not number.isdigit():
                continue  # the worker's name, or a last line cut short by the kill
            (tried if kind == "a" else known if kind in ("s", "d") else set()).add(int(number))
    return tried - known


def _before_next_kill(call: Call, kill_moments: list[float]) -> str:
    later = [k for k in kill_moments if k >= call.time]
    if not later or call.answered is None:
        return "after the last kill" if call.answered is not None else "never"
    return f"{later[0] - call.answered:.2f} s before a kill"


def _statuses(where: tuple[str, str | None]) -> list[tuple]:
    return query(*where, "SELECT status, count(*) FROM outbox GROUP BY status")


def _settled(where: tuple[str, str | None]) -> bool:
    return not {status for status, _ in _statuses(where)} & {"queued", "sending"}
