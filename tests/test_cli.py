"""The `apel` command as an admin uses it, against both databases."""

import csv
import io
import json

import openpyxl
import pytest
from typer.testing import CliRunner

from bot.cli.app import app
from bot.cli.org import sample_path
from tests.org_rows import HEAD, STAF, small_office, write_csv

runner = CliRunner()


def apel(*args):
    return runner.invoke(app, list(args))


@pytest.fixture
def office_csv(tmp_path):
    return write_csv(tmp_path / "org.csv", small_office())


def test_import_then_show_in_every_format(apel_env, office_csv):
    result = apel("org", "import", str(office_csv))
    assert result.exit_code == 0, result.stderr
    assert "5 new people" in result.stderr

    as_json = json.loads(apel("org", "show", "--format", "json").stdout)
    assert {p["nip"] for p in as_json} >= {STAF}
    staff = next(p for p in as_json if p["nip"] == STAF)
    assert staff == {
        "nip": STAF, "name": "Rudi Hartono", "position": "Pranata Komputer", "unit": "Seksi Timur",
        "supervisor_nip": "198504042010012004", "active": True, "role": "staff",
    }

    rows = list(csv.DictReader(io.StringIO(apel("org", "show", "--format", "csv", "--unit", "Seksi Timur").stdout)))
    assert [r["nip"] for r in rows] == ["198504042010012004", STAF]
    assert rows[1]["active"] == "true"

    table = apel("org", "show", "--unit", "Bidang Timur")
    assert table.exit_code == 0
    assert "Bidang Timur" in table.stdout and "Rudi Hartono" in table.stdout and "Sekretariat" not in table.stdout


def test_reimport_reports_no_change(apel_env, office_csv):
    apel("org", "import", str(office_csv))
    result = apel("org", "import", str(office_csv))
    assert result.exit_code == 0
    assert "0 new people, 0 updated, 5 unchanged, 0 deactivated" in result.stderr


def test_bad_rows_are_listed_with_row_numbers_and_exit_non_zero(apel_env, tmp_path):
    rows = small_office()
    rows[4]["nip"] = "199013452015031005"
    path = write_csv(tmp_path / "bad.csv", rows)
    result = apel("org", "import", str(path), "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert problems == [{"row": 6, "column": "nip", "code": "nip.bad_birth_date",
                         "problem": "The first 8 digits of the NIP are not a real birth date (found: 199013452015031005)."}]
    assert "Nothing was saved" in result.stderr
    assert apel("org", "show").exit_code == 1  # still empty


@pytest.mark.parametrize("fmt, empty", [("json", "[]\n"),
                                        ("csv", "nip,name,position,unit,supervisor_nip,active,role\n")])
def test_org_show_for_a_script_before_any_import_is_an_empty_listing(apel_env, fmt, empty):
    result = apel("org", "show", "-f", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == empty


def test_partial_keeps_good_rows_and_still_exits_non_zero(apel_env, tmp_path):
    rows = small_office()
    rows[4]["phone"] = "123"
    result = apel("org", "import", str(write_csv(tmp_path / "bad.csv", rows)), "--partial")
    assert result.exit_code == 1
    assert "4 new people" in result.stderr
    assert len(json.loads(apel("org", "show", "-f", "json").stdout)) == 4


def test_xlsx_with_indonesian_headers_imports(apel_env, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["NIP", "Nama", "Jabatan", "Unit Kerja", "NIP Atasan"])
    for r in small_office():
        sheet.append([r["nip"], r["name"], r["position"], r["unit"], r["supervisor_nip"] or None])
    book.save(tmp_path / "org.xlsx")
    result = apel("org", "import", str(tmp_path / "org.xlsx"))
    assert result.exit_code == 0, result.stderr
    assert "5 new people" in result.stderr


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("org.pdf", b"%PDF-1.4 not a sheet", "not CSV or XLSX"),
        ("org.csv", b"", "The file is empty"),
        ("org.csv", b"1,2,3\n4,5,6\n", "The first row is not a header"),
        ("org.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old .xls format"),
        ("org.csv", b"nip,name,position\n", "Required columns are missing: unit, supervisor_nip"),
        ("org.csv", b"nip,name,position,unit,supervisor_nip\n", "no rows of people"),
    ],
)
def test_a_file_that_is_no_org_chart_gets_one_clear_error(apel_env, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = apel("org", "import", str(path))
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_missing_file_is_an_error(apel_env, tmp_path):
    result = apel("org", "import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1 and "File not found" in result.stderr


def test_invites_are_written_to_a_private_csv(apel_env, office_csv, tmp_path):
    apel("org", "import", str(office_csv))
    out = tmp_path / "invites.csv"
    result = apel("invite", "--unit", "Seksi Timur", "--out", str(out), "--format", "json")
    assert result.exit_code == 0, result.stderr
    with open(out, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["nip"] for r in rows] == ["198504042010012004", STAF]
    assert rows[0]["link"] == f"https://t.me/ApelDinasBot?start={rows[0]['code']}"
    assert out.stat().st_mode & 0o077 == 0
    listed = json.loads(result.stdout)
    assert [r["nip"] for r in listed] == [r["nip"] for r in rows]
    # The file and the listing give the time alike: ISO 8601 in UTC, to the second.
    assert [r["expires_at"] for r in rows] == [r["expires_at"] for r in listed]
    assert rows[0]["expires_at"].endswith("+00:00") and "." not in rows[0]["expires_at"]
    assert all(r["code"] not in result.stdout + result.stderr for r in rows)


def test_invites_show_a_progress_bar_on_a_terminal_only(apel_env, office_csv, tmp_path, monkeypatch):
    # `apel invite` for a province worked for a while with nothing on the screen, unlike org import.
    from rich.console import Console

    from bot.cli import output

    apel("org", "import", str(office_csv))
    piped = apel("invite", "--out", str(tmp_path / "a.csv"), "-f", "json")
    assert piped.exit_code == 0 and "Issuing invites" not in piped.stderr
    monkeypatch.setattr(output, "err", Console(stderr=True, force_terminal=True, width=100))
    watched = apel("invite", "--out", str(tmp_path / "b.csv"), "-f", "json")
    assert watched.exit_code == 0 and "Issuing invites" in watched.stderr, watched.stderr
    assert len(json.loads(watched.stdout)) == 5  # the bar is on stderr: stdout stays the listing


def test_invite_for_an_unknown_unit_fails_politely(apel_env, office_csv, tmp_path):
    apel("org", "import", str(office_csv))
    result = apel("invite", "--unit", "Nowhere", "--out", str(tmp_path / "i.csv"))
    assert result.exit_code == 1 and "Unknown unit: Nowhere" in result.stderr


def test_invites_for_a_unit_with_nobody_active_name_that_unit(apel_env, tmp_path):
    rows = small_office()
    apel("org", "import", str(write_csv(tmp_path / "org.csv", rows)))
    left = [r for r in rows if r["unit"] != "Sekretariat"]  # Siti, the secretariat's only person, has left
    assert apel("org", "import", str(write_csv(tmp_path / "left.csv", left)), "--deactivate-many").exit_code == 0
    result = apel("invite", "--unit", "Sekretariat", "--out", str(tmp_path / "i.csv"))
    assert result.exit_code == 1, result.stderr
    assert "no active people in Sekretariat or the units below it" in result.stderr, result.stderr


def test_invite_offers_only_the_channels_that_redeem_invites(apel_env, office_csv, tmp_path):
    apel("org", "import", str(office_csv))
    out = tmp_path / "i.csv"
    result = apel("invite", "--channel", "console", "--out", str(out))
    assert result.exit_code == 2 and "--channel" in result.stderr and result.stdout == ""
    assert not out.exists()
    assert "telegram|whatsapp" in apel("invite", "--help").stdout


def test_sample_office_loads_once(apel_env):
    first = apel("org", "sample", "--if-empty")
    assert first.exit_code == 0, first.stderr
    second = apel("org", "sample", "--if-empty")
    assert second.exit_code == 0 and "already has" in second.stderr


def test_run_without_tokens_opens_the_console_chat_as_a_staff_member(apel_env):
    result = runner.invoke(app, ["run", "--sample-if-empty"], input="/status\n:quit\n")
    assert result.exit_code == 0, result.stderr
    assert "TELEGRAM_BOT_TOKEN is not set, so Apel opens the console chat" in result.stderr
    assert "40 active people" in result.stderr
    assert "📊 Status" in result.stdout and "Laporan harian belum dikirim" in result.stdout  # sample person chose id


def test_the_database_password_is_never_printed(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://apel:s3cret-pw@127.0.0.1:1/none")
    result = apel("org", "show")
    assert result.exit_code == 1
    assert "s3cret-pw" not in result.stdout + result.stderr
    assert "Basis data tidak dapat dihubungi" in result.stderr  # Indonesian unless DEFAULT_LANGUAGE says otherwise


def test_the_shipped_sample_file_exists():
    assert sample_path().is_file()


def test_the_invite_table_gives_each_expiry_in_its_persons_zone(apel_env, office_csv, tmp_path):
    apel("org", "import", str(office_csv))
    result = runner.invoke(app, ["invite", "--out", str(tmp_path / "i.csv"), "--format", "table"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.count("│") > 3}
    assert "WIB" in rows[HEAD] and "WITA" in rows[STAF]  # Seksi Timur sits under Bidang Timur (Makassar)


def test_reimport_names_the_people_left_without_a_superior(apel_env, office_csv, tmp_path):
    apel("org", "import", str(office_csv))
    rows = [r for r in small_office() if r["nip"] != "198504042010012004"]
    rows[-1]["supervisor_nip"] = ""
    result = apel("org", "import", str(write_csv(tmp_path / "next.csv", rows)))
    assert result.exit_code == 0, result.stderr
    assert "No longer have a superior (1)" in result.stderr
    assert f"{STAF}  Rudi Hartono" in result.stderr


def test_a_dry_run_tells_what_an_import_would_do_and_changes_nothing(apel_env, office_csv, tmp_path):
    apel("org", "import", str(office_csv))
    rows = small_office()[:4]  # Rudi left
    rows[1]["name"] = "Siti Aminah, S.E., M.Si."
    result = apel("org", "import", str(write_csv(tmp_path / "next.csv", rows)), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "Dry run, nothing was saved" in result.stderr
    assert "0 new people, 1 updated, 3 unchanged, 1 deactivated" in result.stderr
    assert f"{STAF}  Rudi Hartono" in result.stderr
    shown = {p["nip"]: p for p in json.loads(apel("org", "show", "--format", "json").stdout)}
    assert STAF in shown and shown["197502022001122002"]["name"] == "Siti Aminah"
    audit = json.loads(apel("audit", "--format", "json").stdout)
    assert [a["action"] for a in audit] == ["org_import"]  # the real import only


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)  # about processes, not storage: half a minute each
def test_run_with_whatsapp_too_stops_when_telegram_cannot_be_reached_at_start(apel_env, monkeypatch):
    """With WhatsApp served beside it, Telegram's failed start-up ended a task nobody awaited: the process
    served WhatsApp for ever while Telegram's people got nothing and nothing said so."""
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:SECRETpart", "TELEGRAM_API_URL": "http://127.0.0.1:9",
           "WHATSAPP_TOKEN": "EAAtest", "WHATSAPP_PHONE_ID": "106540352242922", "WHATSAPP_APP_SECRET": "s3cret",
           "WHATSAPP_VERIFY_TOKEN": "verify", "GRAPH_API_URL": "http://127.0.0.1:9", "WEB_HOST": "127.0.0.1",
           "WEB_PORT": str(port), "ROUTINE_TICK_SECONDS": "0"}
    try:
        result = subprocess.run([str(Path(sys.executable).parent / "apel"), "run", "--sample-if-empty"], env=env,
                                capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired as still:
        raise AssertionError(f"still serving WhatsApp after 90 s with Telegram dead: {still.stderr!r}") from None
    assert result.returncode == 1, result.stderr
    [line] = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert line.startswith("Error: Telegram (http://127.0.0.1:9) cannot be reached, also after 3 retries: ")
    assert "SECRETpart" not in result.stdout + result.stderr


def test_run_when_telegram_cannot_be_reached_at_start_says_so_in_one_line_without_the_token(apel_env, monkeypatch):
    import bot.channels.telegram.outbound as outbound

    monkeypatch.setattr(outbound, "NETWORK_BACKOFF_S", (0.0, 0.0, 0.0))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRETpart")
    monkeypatch.setenv("TELEGRAM_API_URL", "notaurl")  # aiohttp quotes the request URL, token included
    monkeypatch.setenv("ROUTINE_TICK_SECONDS", "0")
    result = runner.invoke(app, ["run", "--sample-if-empty"])
    assert result.exit_code == 1
    [line] = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert line.startswith("Error: Telegram (notaurl) cannot be reached, also after 3 retries: ")
    assert "SECRETpart" not in result.stdout + result.stderr


def test_db_upgrade_says_whether_it_changed_anything(apel_env, monkeypatch, tmp_path):
    current = apel("db", "upgrade")
    assert current.exit_code == 0 and "already at the latest version; nothing changed" in current.stderr
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    monkeypatch.setenv("DATABASE_SCHEMA", "")
    first = apel("db", "upgrade")
    assert first.exit_code == 0 and "was brought to the latest version" in first.stderr, first.stderr
    again = apel("db", "upgrade")
    assert again.exit_code == 0 and "nothing changed" in again.stderr
    assert apel("org", "show", "-f", "json").stdout.strip() == "[]"  # the new file is a usable database


def _reachable_by_channel(env) -> dict[str, int]:
    import asyncio

    from storage.unit_of_work import Database

    async def count():
        database = Database(env["DATABASE_URL"], schema=env["DATABASE_SCHEMA"] or None)
        try:
            async with database.uow() as uow:
                people = [p.id for p in await uow.org.list_people(None, include_inactive=False)]
                addresses = await uow.people.addresses(people)
        finally:
            await database.dispose()
        found: dict[str, int] = {}
        for a in addresses:
            found[a.channel.value] = found.get(a.channel.value, 0) + 1
        return found

    return asyncio.run(count())


def test_running_with_a_channel_ends_the_console_trial(apel_env, monkeypatch):
    """README's quick start: `make run` without a token (the console links everyone of the sample office),
    then with a token. Those console accounts still counted as reachable: the routine 'briefed' everyone not
    on Telegram yet to the console (nobody's phone) and marked them briefed, so whoever linked that morning
    never got the day's briefing; a leave request went to a supervisor's console and was lost; /umumkan
    counted them as told. A process serving Telegram or WhatsApp now unlinks the console accounts."""
    import bot.channels.telegram.outbound as outbound

    trial = runner.invoke(app, ["run", "--sample-if-empty"], input=":quit\n")
    assert trial.exit_code == 0, trial.stderr
    assert _reachable_by_channel(apel_env) == {"console": 40}

    monkeypatch.setattr(outbound, "NETWORK_BACKOFF_S", (0.0, 0.0, 0.0))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRETpart")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")  # nothing listens: the run stops at once
    monkeypatch.setenv("ROUTINE_TICK_SECONDS", "0")
    live = runner.invoke(app, ["run"])
    assert live.exit_code == 1, live.stderr
    assert "40 console chat accounts unlinked" in live.stderr
    assert _reachable_by_channel(apel_env) == {}  # they are briefed once they link on Telegram

    monkeypatch.setenv("FAKE_NOW", "2026-11-23T08:00:00+07:00")  # a Monday after apel
    step = runner.invoke(app, ["run-step", "briefing"])
    assert step.exit_code == 0, step.stderr
    assert "0 messages" in step.stderr, step.stderr

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")  # the console again: a trial database once more (nobody linked)
    again = runner.invoke(app, ["run"], input=":quit\n")
    assert again.exit_code == 0, again.stderr
    assert _reachable_by_channel(apel_env) == {"console": 40}
    # On the trial database a step's messages are the console's, which keep nothing: said, not "queued".
    console_step = runner.invoke(app, ["run-step", "rekap"])
    assert console_step.exit_code == 0, console_step.stderr
    assert "0 messages queued" in console_step.stderr, console_step.stderr
    assert "for console accounts not queued" in console_step.stderr, console_step.stderr


def test_a_problem_of_no_one_column_is_null_in_json_and_empty_in_csv(capsys):
    # JSON said "column": "" for such a row, a column named by the empty string.
    from bot.cli.org import print_report
    from bot.cli.output import Format
    from bot.domain.orgchart import RowError
    from bot.services.org_import import ImportReport

    report = ImportReport(rows_read=1, errors=[RowError(2, "row.empty_required")], written=False, partial=False)
    print_report(report, Format.JSON)
    assert [p["column"] for p in json.loads(capsys.readouterr().out)] == [None]
    print_report(report, Format.CSV)
    assert capsys.readouterr().out.splitlines()[1].startswith("2,,row.empty_required,")


def test_format_is_read_in_any_case_as_export_reads_it(apel_env, office_csv):
    # `apel export -f CSV` worked while `apel org show -f CSV` and `apel digest -f JSON` were usage errors.
    apel("org", "import", str(office_csv))
    shown = apel("org", "show", "-f", "CSV")
    assert shown.exit_code == 0 and shown.stdout.startswith("nip,name,position,unit,supervisor_nip,active,role\n")
    assert json.loads(apel("audit", "--format", "Json").stdout)
    digest = apel("digest", "--date", "2026-11-23", "-f", "JSON")
    assert digest.exit_code == 0 and isinstance(json.loads(digest.stdout), list), digest.stderr


def test_invites_for_nobody_are_an_error_like_the_others(apel_env, tmp_path):
    # It exited 1 with a bare status line, unlike every other error ("Error: …").
    result = apel("invite", "--out", str(tmp_path / "i.csv"), "-f", "json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error: There are no active people"), result.stderr
    assert not (tmp_path / "i.csv").exists()
    # Without --unit it said "in that unit", though no unit was named.
    assert "in the org chart" in result.stderr and "that unit" not in result.stderr, result.stderr
