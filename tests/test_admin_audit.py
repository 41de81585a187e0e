"""Every admin action, from the CLI and from chat, and every decision a supervisor takes on someone else's
things, leaves an audit entry with who, when and what, and `apel audit --format json` lists it."""

from __future__ import annotations

import asyncio
import csv
import io
import json

from typer.testing import CliRunner

from bot.cli.app import app
from storage.day_tables import LeaveRequest
from storage.unit_of_work import Database
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, actions
from tests.org_rows import HEAD, KASI, STAF, small_office, write_csv

TONO = "199106062016031006"  # leaves the office, then is erased
RUDI, DEWI, BUDI, STRANGER = "501", "502", "505", "999"
runner = CliRunner()

# (how, the command or chat step, the audit action, what the entry's detail must say)
CLI_ACTIONS = [
    ("org import", ["org", "import", "{office}"], "org_import", {"rows": 6}),
    ("invite", ["invite", "--unit", "Seksi Timur", "--out", "{dir}/invites.csv"], "invites_issue",
     {"unit": "Seksi Timur", "count": 3}),
    ("schedule", ["schedule", "set", "deadline", "16:30"], "schedule_set", {"field": "deadline"}),
    ("holiday", ["calendar", "add", "2026-12-24", "office_closed", "Cuti bersama"], "calendar_add",
     {"day": "2026-12-24", "kind": "office_closed"}),
    ("roster", ["roster", "generate", "--from", "2026-11-30", "--to", "2026-12-04"], "roster_generate",
     {"from": "2026-11-30"}),
    ("roster override", ["roster", "set", STAF, "2026-11-30", "wfh"], "roster_override", {"nip": STAF}),
    ("export", ["export", "--month", "2026-11", "--format", "csv", "--out", "{dir}/nov.csv"], "export_month",
     {"month": "2026-11"}),
    ("person export", ["person", "export", STAF, "--output", "{dir}/rudi.zip"], "person_export", {}),
    ("purge", ["purge"], "retention_purge", {}),
    ("org import without Tono", ["org", "import", "{smaller}"], "org_import", {"rows": 5}),
    ("erase", ["person", "erase", TONO, "--yes"], "person_erase", {}),
]
CHAT_ACTIONS = [  # (what, who does it, the audit action, detail)
    ("import by document", BUDI, "org_import", {}),
    ("/undang", BUDI, "invites_issue", {"unit": "Seksi Timur"}),
    ("/jadwal", BUDI, "schedule_set", {"field": "apel"}),
    ("/libur", BUDI, "calendar_add", {"day": "2026-12-25"}),
    ("/roster", BUDI, "roster_generate", {}),
    ("broadcast", BUDI, "announce", {"count": 3, "without_chat": 2}),  # Rudi, Dewi, Budi linked
    ("/ekspor", BUDI, "export_month", {"month": "2026-11"}),
    ("/jalankan", BUDI, "routine_run", {"step": "rekap"}),
    ("assign", DEWI, "tasks_assign", {"count": 1}),
    ("review", DEWI, "report_approved", {}),
    ("leave decision", DEWI, "leave_approved", {"kind": "sakit"}),
    ("home decision", DEWI, "home_approved", {}),
    ("refused", RUDI, "refused", {"command": "undang"}),
]


def apel(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result


def office_rows(with_tono: bool) -> list[dict]:
    rows = [{**r, "role": "admin" if r["nip"] == HEAD else "staff"} for r in small_office()]
    if with_tono:
        rows.append({**rows[4], "nip": TONO, "name": "Tono Saputra", "phone": ""})
    return rows


async def _in_chat(url: str, schema: str | None, clock, media) -> dict[str, int]:
    db = Database(url, schema=schema)
    try:
        chat = ChatHarness(db, clock, media)
        codes = await chat.codes()
        for sender, nip in ((RUDI, STAF), (DEWI, KASI), (BUDI, HEAD)):
            await chat.text(sender, f"/start {codes[nip]}")
        home = [a for a in actions(await chat.location(RUDI, -1.6, 103.6)) if a.startswith("home:")]  # for Dewi
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(office_rows(False)[0]))
        writer.writeheader()
        writer.writerows(office_rows(False))
        await chat.document(BUDI, buffer.getvalue().encode(), "pegawai.csv", "text/csv")
        for command in ("/undang Seksi Timur", "/jadwal apel 07:15", "/libur 2026-12-25 libur Natal", "/roster",
                        "/umumkan Apel gabungan", "/ekspor 2026-11", "/jalankan rekap"):
            await chat.text(BUDI, command)
            if command.startswith("/umumkan"):
                await chat.tap(BUDI, "ann:0")
        await chat.text(RUDI, "/lapor")
        await chat.tap(RUDI, "r:next")
        await chat.text(RUDI, "Selesai")
        await chat.tap(RUDI, "r:send")
        await chat.text(DEWI, "/tugaskan")
        person = [a for a in actions(await chat.text(DEWI, "/tugaskan")) if a.startswith("asg:p:")][0]
        await chat.tap(DEWI, person)
        await chat.tap(DEWI, "asg:go")
        out = await chat.text(DEWI, "Rekap data")
        await chat.tap(DEWI, [a for a in actions(out) if a.startswith("asg:d:")][0])
        await chat.text(DEWI, "/rekap")
        report = [a for a in actions(await chat.text(DEWI, "/rekap")) if a.startswith("ap:")]
        await chat.tap(DEWI, report[0])
        await chat.tap(RUDI, "leave")
        await chat.tap(RUDI, "lv:sakit")
        await chat.tap(RUDI, "lv:days:1")
        asked = await chat.text(RUDI, "Demam")
        await chat.tap(DEWI, next(a for a in actions(asked) if a.startswith("lvd:") and a.endswith(":y")))
        await chat.tap(DEWI, home[0])
        await chat.text(RUDI, "/undang")
        await chat.text(STRANGER, "/start")
        async with db.uow() as uow:
            assert (await uow.session.execute(LeaveRequest.__table__.select())).first().status == "approved"
            return {s: await uow.people.account_person(chat.channel, s) for s in (RUDI, DEWI, BUDI)}
    finally:
        await db.dispose()


def test_admin_actions_from_the_cli_and_chat_are_in_apel_audit(apel_env, tmp_path, monkeypatch, clock):
    monkeypatch.setenv("FAKE_NOW", MONDAY_0900_WIB.isoformat())
    clock.current = MONDAY_0900_WIB
    files = {"office": write_csv(tmp_path / "office.csv", office_rows(True)),
             "smaller": write_csv(tmp_path / "smaller.csv", office_rows(False)), "dir": tmp_path}
    for _, args, _, _ in CLI_ACTIONS:
        apel(*[a.format(**files) for a in args])
    pids = asyncio.run(_in_chat(apel_env["DATABASE_URL"], apel_env["DATABASE_SCHEMA"] or None, clock,
                                tmp_path / "media"))

    entries = json.loads(apel("audit", "--format", "json", "--limit", "1000").stdout)
    expected = [("cli", what, action, detail) for what, _, action, detail in CLI_ACTIONS]
    expected += [(f"person:{pids[who]}", what, action, detail) for what, who, action, detail in CHAT_ACTIONS]
    missing = [what for actor, what, action, detail in expected
               if not any(e["actor"] == actor and e["action"] == action and e["at"].startswith("2026-11-23")
                          and all(e["detail"].get(k) == v for k, v in detail.items()) for e in entries)]
    assert missing == []
    assert any(e["action"] == "refused" and e["actor"].startswith("stranger:telegram:") for e in entries)
    erased = next(e for e in entries if e["action"] == "person_erase")
    assert TONO not in json.dumps(erased) and "Tono" not in json.dumps(erased)  # the entry names the id only
