"""What the `apel` command says when something is wrong: files it cannot write, broken settings, a closed
stdout, a damaged sheet. One polite line on stderr, a non-zero exit, nothing half done, no traceback."""

import csv
import datetime as dt
import errno
import json

import pytest
import typer
from typer.testing import CliRunner

from bot.cli.app import app
from bot.cli.context import run_async
from tests.org_rows import STAF, small_office, write_csv

runner = CliRunner()
MISSING = "/nonexistent/dir"


def apel(*args, input=None):
    return runner.invoke(app, list(args), input=input)


@pytest.fixture
def office(apel_env, tmp_path):
    result = apel("org", "import", str(write_csv(tmp_path / "org.csv", small_office())))
    assert result.exit_code == 0, result.stderr


def audit_actions() -> list[str]:
    return [e["action"] for e in json.loads(apel("audit", "-f", "json").stdout)]


def assert_polite(result, *expected: str) -> None:
    assert result.exit_code == 1, result.stdout + result.stderr
    for part in expected:
        assert part in result.stderr
    assert "Traceback" not in result.stdout + result.stderr and "Error:" in result.stderr


def test_invites_to_a_missing_folder_issue_nothing(office, tmp_path):
    first = tmp_path / "first.csv"
    assert apel("invite", "--out", str(first)).exit_code == 0
    codes = {r["nip"]: r["code"] for r in csv.DictReader(first.open(encoding="utf-8"))}
    before = audit_actions()

    result = apel("invite", "--out", f"{MISSING}/x.csv")
    assert_polite(result, f"Cannot write {MISSING}/x.csv: the folder does not exist.")
    assert "database" not in result.stderr.lower()
    assert audit_actions() == before  # no invites_issue: nothing was issued, nothing revoked
    assert apel("invite", "--out", str(tmp_path)).exit_code == 1  # a folder is no file either
    assert audit_actions() == before

    assert {r["nip"]: r["code"] for r in csv.DictReader(first.open(encoding="utf-8"))} == codes  # untouched


def test_the_invites_file_appears_whole_and_private(office, tmp_path):
    out = tmp_path / "invites.csv"
    out.write_text("old content\n")
    assert apel("invite", "--out", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("nip,name,unit,channel,code,link,expires_at")
    assert out.stat().st_mode & 0o077 == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left


def test_a_failed_export_is_not_audited(office, tmp_path):
    before = audit_actions()
    # Next month: the office, imported just now, is in it (a month before the import has nobody in it).
    month = (dt.date.today().replace(day=28) + dt.timedelta(days=4)).strftime("%Y-%m")
    result = apel("export", "--month", month, "--out", f"{MISSING}/x.xlsx")
    assert_polite(result, f"Cannot write {MISSING}/x.xlsx")
    result = apel("person", "export", STAF, "--output", f"{MISSING}/w.zip")
    assert_polite(result, f"Cannot write {MISSING}/w.zip")
    assert audit_actions() == before

    assert apel("export", "--month", month, "--out", str(tmp_path / "x.xlsx")).exit_code == 0
    assert apel("person", "export", STAF, "--output", str(tmp_path / "w.zip")).exit_code == 0
    assert audit_actions()[:2] == ["person_export", "export_month"]


def test_a_closed_stdout_ends_quietly_with_141(capsys):
    async def reader_went_away():
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    with pytest.raises(typer.Exit) as ended:
        run_async(reader_went_away)()
    assert ended.value.exit_code == 141
    assert capsys.readouterr().err == ""


def test_a_file_error_is_not_called_a_database_error(capsys):
    async def missing_file():
        open(f"{MISSING}/x.csv")

    with pytest.raises(typer.Exit):
        run_async(missing_file)()
    said = capsys.readouterr().err
    assert f"{MISSING}/x.csv" in said and "DATABASE_URL" not in said


@pytest.mark.parametrize(
    "setting, value, line",
    [
        ("DATABASE_URL", "foo://", "DATABASE_URL tidak sah: bukan URL basis data. Contoh: sqlite+aiosqlite:///./apel.db"),
        ("DATABASE_URL", "notaurl", "DATABASE_URL tidak sah: bukan URL basis data."),
        ("DATABASE_URL", "sqlite:///./apel.db", "DATABASE_URL tidak sah: driver pysqlite tidak asinkron."),
        ("DATABASE_URL", "sqlite+aiosqlite:////nonexistent/dir/x.db",
         "Berkas basis data /nonexistent/dir/x.db tidak dapat dibuat: folder /nonexistent/dir tidak ada."),
        ("DEFAULT_LANGUAGE", "fr", "DEFAULT_LANGUAGE harus id atau en."),
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "DEFAULT_TIMEZONE harus Asia/Jakarta, Asia/Pontianak"),
        ("TELEGRAM_BULK_RATE", "abc", "TELEGRAM_BULK_RATE harus angka lebih dari 0, paling besar 1000."),
        ("RETENTION_DAYS", "-5", "RETENTION_DAYS harus bilangan bulat dari 1 sampai 3650."),
        ("FAKE_NOW", "garbage", "FAKE_NOW harus tanggal dan jam dengan zona waktu, contoh 2026-11-23T09:00:00+07:00."),
        ("DIGEST_PICTURES", "maybe", "DIGEST_PICTURES harus true atau false."),
        # Both failed only when `apel run` started the webhook or the bot, with a traceback of 100+ lines.
        ("WEBHOOK_SECRET", "has+plus/slash", "WEBHOOK_SECRET harus 1 sampai 256 karakter A-Z, a-z, 0-9, _ atau -"),
        ("TELEGRAM_BOT_TOKEN", "garbage", "TELEGRAM_BOT_TOKEN harus token dari @BotFather, contoh 123456789:AAE…"),
        # Accepted silently (LOG_LEVEL did nothing, a URL elsewhere got no webhook), or a 127-line traceback.
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL harus DEBUG, INFO, WARNING, ERROR atau CRITICAL."),
        ("REDIS_URL", "localhost:6379", "REDIS_URL harus diawali redis://, rediss:// atau unix://"),
        ("WEBHOOK_URL", "not-a-url", "WEBHOOK_URL harus alamat seperti https://apel.contoh.go.id/telegram/webhook."),
        # Accepted, and `apel invite --channel whatsapp` wrote links such as https://wa.me/?text=CODE that open nothing.
        ("WHATSAPP_NUMBER", "0812-3456-7890", "WHATSAPP_NUMBER harus nomor lengkap dengan kode negara (E.164)"),
        ("WHATSAPP_NUMBER", "nomor-bisnis", "WHATSAPP_NUMBER harus nomor lengkap dengan kode negara (E.164)"),
    ],
)
@pytest.mark.parametrize("command", [["org", "show"], ["run"]])
def test_a_broken_setting_is_one_line_naming_it(monkeypatch, tmp_path, setting, value, line, command):
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/apel.db")
    monkeypatch.delenv("DEFAULT_LANGUAGE", raising=False)
    monkeypatch.setenv(setting, value)
    result = apel(*command)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Gagal: {line}"), result.stderr


def test_every_broken_setting_has_its_line_in_the_valid_language(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("RETENTION_DAYS", "0")
    monkeypatch.setenv("WEB_PORT", "x")
    result = apel("org", "show")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["Error: WEB_PORT must be a whole number from 1 to 65535.",
                                          "Error: RETENTION_DAYS must be a whole number from 1 to 3650."]


def test_a_damaged_xlsx_is_called_not_a_valid_xlsx(apel_env, tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"garbage" * 50)
    result = apel("org", "import", str(path))
    assert_polite(result, "not a valid XLSX")
    assert "BadZipFile" not in result.stderr


def test_chat_as_an_unknown_nip_fails_on_stderr(office):
    result = apel("chat", "--as", "123", input=":quit\n")
    assert_polite(result, "There is no active person with NIP 123.")
    assert result.stdout == ""


def test_erasing_an_active_person_is_refused_before_asking(office):
    result = apel("person", "erase", STAF, input="n\n")
    assert_polite(result, "still active")
    assert "[y/N]" not in result.stdout


def test_erasing_from_a_script_without_yes_erases_nothing_and_says_to_add_it(office, tmp_path):
    rows = [r for r in small_office() if r["nip"] != STAF]  # the staff member left the office
    assert apel("org", "import", str(write_csv(tmp_path / "org.csv", rows))).exit_code == 0
    result = apel("person", "erase", STAF, input="")  # cron: no terminal, no answer
    assert_polite(result, "nothing was erased", "--yes")
    assert "Aborted" not in result.stdout + result.stderr
    assert "person_erase" not in audit_actions()
    # The question is a message like the others: on stderr, so a script's stdout stays empty.
    assert result.stdout == "" and f"Erase the personal data of {STAF}? This cannot be undone. [y/N]:" in result.stderr

    answered = apel("person", "erase", STAF, input="y\n")
    assert answered.exit_code == 0, answered.stderr
    assert answered.stdout == "" and "person_erase" in audit_actions()


def test_a_folder_named_as_the_org_chart_is_told_as_a_folder(apel_env, tmp_path):
    result = apel("org", "import", str(tmp_path))
    assert_polite(result, f"{tmp_path} is a folder, not a file.")
    assert "not found" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("lang, told", [("en", "No digest for Wednesday, 1 January 2020"),
                                        ("id", "Tidak ada rekap pada Rabu, 1 Januari 2020")])
def test_a_digest_of_a_day_without_anyone_says_so_on_stderr(office, monkeypatch, lang, told):
    monkeypatch.setenv("DEFAULT_LANGUAGE", lang)
    result = apel("digest", "--date", "2020-01-01")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and told in result.stderr
    as_json = apel("digest", "--date", "2020-01-01", "-f", "json")
    assert as_json.stdout == "[]\n" and as_json.stderr == ""  # JSON's [] says it already


@pytest.mark.parametrize("fmt, empty", [("json", "[]\n"), ("csv", "date,unit,code,detail\n"), ("table", "")])
def test_a_roster_without_conflicts_is_an_empty_listing(office, fmt, empty):
    result = apel("roster", "generate", "--from", "2026-12-14", "--to", "2026-12-18", "--unit", "Seksi Timur",
                  "-f", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == empty and "0 conflicts" in result.stderr
    assert "Planning the roster" not in result.stderr  # the progress bar is for a terminal only


def test_a_clean_import_lists_no_problems_in_json_or_csv(office, tmp_path):
    path = write_csv(tmp_path / "org.csv", small_office())
    assert apel("org", "import", str(path), "-f", "json").stdout == "[]\n"
    assert apel("org", "import", str(path), "-f", "csv").stdout == "row,column,code,problem\n"
    assert apel("org", "import", str(path)).stdout == ""


def test_a_sender_without_any_channel_refuses_to_start(apel_env):
    # It used to say "running" and claim nothing, while the queue grew.
    result = CliRunner().invoke(app, ["run", "--role", "sender"],
                                env={"TELEGRAM_BOT_TOKEN": "", "WHATSAPP_TOKEN": "x", "WHATSAPP_PHONE_ID": "",
                                     "DEFAULT_LANGUAGE": "id"})
    assert result.exit_code == 1
    assert "Peran sender butuh TELEGRAM_BOT_TOKEN, atau WHATSAPP_TOKEN dengan WHATSAPP_PHONE_ID" in result.stderr


@pytest.mark.parametrize("db_target", ["postgresql"], indirect=True)
def test_a_missing_schema_is_named_and_upgrade_is_not_suggested_for_it(apel_env, monkeypatch):
    # Every refusal used to end with "did you run apel db upgrade?", also from apel db upgrade itself.
    monkeypatch.setenv("DATABASE_SCHEMA", "apel_nowhere_0")
    result = apel("db", "upgrade")
    assert result.exit_code == 1
    assert "The schema apel_nowhere_0 (DATABASE_SCHEMA) does not exist in the database" in result.stderr
    assert "CREATE SCHEMA apel_nowhere_0" in result.stderr


@pytest.mark.parametrize("db_target", ["postgresql"], indirect=True)
def test_a_database_that_does_not_exist_is_not_told_to_upgrade(apel_env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", apel_env["DATABASE_URL"].rsplit("/", 1)[0] + "/apel_no_such_db")
    result = apel("org", "show")
    assert result.exit_code == 1
    assert "apel_no_such_db" in result.stderr and "Check DATABASE_URL" in result.stderr
    assert "apel db upgrade" not in result.stderr


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)  # it never opens the database
@pytest.mark.parametrize("role, env, expected", [
    ("all", {"WEBHOOK_URL": "https://apel.example.go.id/tg", "WEBHOOK_SECRET": ""},
     "WEBHOOK_URL diisi tetapi WEBHOOK_SECRET kosong"),
    ("web", {"WEBHOOK_URL": "", "WEBHOOK_SECRET": ""}, "Peran web butuh WEBHOOK_URL dan WEBHOOK_SECRET"),
    # Told only once the channels started: after a trial database's console accounts had been unlinked.
    ("all", {"TELEGRAM_BOT_TOKEN": "", "WHATSAPP_TOKEN": "EAAtoken", "WHATSAPP_PHONE_ID": "",
             "WHATSAPP_APP_SECRET": "", "WHATSAPP_VERIFY_TOKEN": ""},
     "WHATSAPP_TOKEN sudah diisi, tetapi WHATSAPP_PHONE_ID, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN belum."),
])
def test_settings_that_cannot_serve_are_refused_before_the_database_is_opened(apel_env, role, env, expected):
    # Found only after the database, the migrations and the channels' imports: seconds of start-up, and with a
    # database that could not be opened, its error instead of the setting that was missing.
    result = CliRunner().invoke(app, ["run", "--role", role], env={
        "TELEGRAM_BOT_TOKEN": "7301234567:AAE2eTestTokenForTheStandIn_0123456789", "DEFAULT_LANGUAGE": "id",
        "DATABASE_URL": f"sqlite+aiosqlite:///{MISSING}/apel.db", "DATABASE_SCHEMA": "", **env})
    assert result.exit_code == 1, result.stdout + result.stderr
    assert expected in result.stderr and "basis data" not in result.stderr.lower(), result.stderr


def test_secret_files_are_not_written_to_a_file_named_dash(office, tmp_path, monkeypatch):
    """`--out -` is stdout for `apel export`; invites and a person's data went to a file named "-" instead."""
    monkeypatch.chdir(tmp_path)
    before = audit_actions()
    for args in (["invite", "--out", "-"], ["person", "export", STAF, "--output", "-"]):
        result = apel(*args)
        assert_polite(result, "This file holds secret codes or personal data, so it is not written to stdout (-)")
        assert result.stdout == ""
    assert not (tmp_path / "-").exists()
    assert audit_actions() == before  # nothing issued, nothing exported
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    assert "Berkas ini berisi kode rahasia atau data pribadi" in apel("invite", "--out", "-").stderr
