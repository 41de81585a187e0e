"""Names, units and typed values with square brackets ("[Plt] Kepala", "Dinas [Uji]") are text, not rich
markup: the CLI's tables and error lines print them as they are, never crash on them nor swallow them."""

from typer.testing import CliRunner

from bot.cli.app import app
from tests.org_rows import HEAD, STAF, small_office, write_csv

runner = CliRunner()


def apel(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def bracketed_office(tmp_path):
    rows = small_office()
    rows[0]["name"] = "[Plt] Budi [/x] Santoso"
    rows[4]["name"] = "[red]Rudi[/red] Hartono"
    result = apel("org", "import", str(write_csv(tmp_path / "org.csv", rows)))
    assert result.exit_code == 0, result.stderr


def test_a_table_prints_bracketed_names_as_they_are(apel_env, tmp_path):
    bracketed_office(tmp_path)
    result = apel("invite", "--out", str(tmp_path / "invites.csv"))
    assert result.exit_code == 0, result.stderr
    assert "[Plt] Budi [/x] Santoso" in result.stdout
    assert "[red]Rudi[/red] Hartono" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_an_error_echoes_a_bracketed_value_as_typed(apel_env, tmp_path):
    bracketed_office(tmp_path)
    result = apel("org", "show", "--unit", "Seksi [/b] Timur")
    assert result.exit_code == 1
    assert "Seksi [/b] Timur" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_the_console_chat_greets_a_bracketed_name(apel_env, tmp_path):
    bracketed_office(tmp_path)
    result = apel("chat", "--as", HEAD, input=f":as [/x]\n:as {STAF}\n:quit\n")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "[Plt] Budi [/x] Santoso" in result.stdout
    assert "[red]Rudi[/red] Hartono" in result.stdout
    assert "[/x]" in result.stdout.split("[Plt] Budi [/x] Santoso", 1)[1]


def test_the_digest_heads_a_bracketed_supervisor_by_name(apel_env, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T09:00:00+07:00")  # the office is there before the deadline
    bracketed_office(tmp_path)
    result = apel("digest")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "[Plt] Budi [/x] Santoso — Dinas" in result.stdout
