"""`apel audit`: admin actions are listed with who, when and what; filters; never an invite code."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from typer.testing import CliRunner

from bot.cli.app import app
from tests.org_rows import small_office, write_csv

runner = CliRunner()


def apel(*args: str):
    return runner.invoke(app, list(args))


def test_import_and_invites_are_audited_and_listed_in_every_format(apel_env, tmp_path, monkeypatch):
    office = write_csv(tmp_path / "office.csv", small_office())
    monkeypatch.setenv("FAKE_NOW", "2026-12-07T01:00:00+00:00")
    assert apel("org", "import", str(office)).exit_code == 0
    invites = tmp_path / "invites.csv"
    issued = apel("invite", "--unit", "Seksi Timur", "--out", str(invites))
    assert issued.exit_code == 0, issued.stderr
    codes = [r["code"] for r in csv.DictReader(open(invites, encoding="utf-8"))]

    listed = apel("audit", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    entries = json.loads(listed.stdout)
    assert [e["action"] for e in entries] == ["invites_issue", "org_import"]  # newest first
    assert all(e["actor"] == "cli" for e in entries)
    # The office's zone, not UTC, as ISO 8601 with its offset: a script parses it as it is.
    at = dt.datetime.fromisoformat(entries[0]["at"])
    assert at.utcoffset() == dt.timedelta(hours=7) and at.strftime("%Y-%m-%d %H:%M") == "2026-12-07 08:00"
    assert entries[0]["detail"]["count"] == len(codes) and entries[0]["detail"]["unit"] == "Seksi Timur"
    assert not any(code in listed.stdout for code in codes)

    only = json.loads(apel("audit", "--action", "org_import", "--format", "json").stdout)
    assert [e["action"] for e in only] == ["org_import"]
    rows = list(csv.DictReader(io.StringIO(apel("audit", "--format", "csv").stdout)))
    assert [r["action"] for r in rows] == ["invites_issue", "org_import"]
    assert json.loads(rows[0]["detail"])["unit"] == "Seksi Timur"
    assert dt.datetime.fromisoformat(rows[0]["at"]) == at
    table = apel("audit")
    assert "invites_issue" in table.stdout and "Action" in table.stdout
    assert "2026-12-07 08:00:" in table.stdout and "WIB" in table.stdout

    assert json.loads(apel("audit", "--since", "2026-12-08", "--format", "json").stdout) == []

    exported = apel("export", "--month", "2026-12", "--format", "csv", "--out", str(tmp_path / "dec.csv"))
    assert exported.exit_code == 0, exported.stderr
    newest = json.loads(apel("audit", "--limit", "1", "--format", "json").stdout)
    assert [(e["action"], e["detail"]["month"], e["detail"]["format"]) for e in newest] == [
        ("export_month", "2026-12", "csv")]
    assert len(json.loads(apel("audit", "--until", "2026-12-07", "--format", "json").stdout)) == 3
    assert json.loads(apel("audit", "--until", "2026-12-06", "--format", "json").stdout) == []


def test_a_bad_date_is_an_error_on_stderr(apel_env):
    result = apel("audit", "--since", "minggu lalu")  # "kemarin" is a date now; "last week" is not one
    assert result.exit_code == 2 and "minggu lalu" in result.stderr and result.stdout == ""  # a usage error
    assert apel("audit", "--since", "kemarin", "-f", "json").exit_code == 0


def test_swapped_dates_are_refused_rather_than_listing_nothing(apel_env, monkeypatch):
    swapped = apel("audit", "--since", "2026-12-10", "--until", "2026-12-01", "-f", "csv")
    assert swapped.exit_code == 1 and swapped.stdout == ""
    assert "Not a valid period: --until must be on or after --since." in swapped.stderr
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    assert "Periode tidak sah: --until harus sama dengan atau sesudah --since." in apel(
        "audit", "--since", "2026-12-10", "--until", "2026-12-01").stderr
    one_day = apel("audit", "--since", "2026-12-01", "--until", "2026-12-01", "-f", "json")
    assert one_day.exit_code == 0 and one_day.stdout == "[]\n"
