"""`apel person plh` and `apel person plh-list`: an admin designates, lists and clears acting officials; what
cannot be right is refused politely and changes nothing; each change is audited."""

import json

from typer.testing import CliRunner

from bot.cli.app import app
from tests.org_rows import HEAD, KABID, KASI, SEK, STAF, small_office, write_csv

runner = CliRunner()


def apel(*args):
    return runner.invoke(app, list(args))


def listed() -> list[dict]:
    return json.loads(apel("person", "plh-list", "-f", "json").stdout)


def test_an_admin_designates_lists_and_clears_a_plh(apel_env, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T02:00:00+00:00")  # Monday 09.00 WIB
    apel("org", "import", str(write_csv(tmp_path / "org.csv", small_office())))
    done = apel("person", "plh", HEAD, "--by", SEK, "--from", "2026-11-23", "--to", "27 Nov 2026")
    assert done.exit_code == 0, done.stderr
    assert "is Plh for Budi Santoso from Monday, 23 November 2026 to Friday, 27 November 2026" in done.stderr
    for args, problem in (
            ((HEAD, "--by", HEAD, "--from", "2026-11-30", "--to", "2026-11-30"), "cannot be their own Plh"),
            ((HEAD, "--by", KABID, "--from", "2026-11-27", "--to", "2026-11-30"), "already has a Plh"),
            ((KASI, "--by", KABID, "--from", "2026-11-30", "--to", "2026-11-27"), "backwards"),
            ((KASI, "--by", KABID, "--from", "2026-11-02", "--to", "2026-11-06"), "is over"),
            ((STAF, "--by", KABID, "--from", "2026-11-24", "--to", "2026-11-24"), "supervises nobody"),
            ((KASI, "--by", "199901012020011001", "--from", "2026-11-24", "--to", "2026-11-24"), "no person"),
            ((KASI, "--by", KABID, "--from", "2026-11-24"), "needs --by NIP, --from DATE and --to DATE"),
            ((KASI, "--clear", "--by", KABID), "Choose one")):
        refused = apel("person", "plh", *args)
        assert refused.exit_code == 1 and problem in refused.stderr, (args, refused.stderr)
    # Not a date at all: a usage error (tests/test_cli_usage_errors.py).
    assert apel("person", "plh", KASI, "--by", KABID, "--from", "2026-13-40", "--to", "2026-11-24").exit_code == 2
    assert [(r["official_nip"], r["plh_nip"], r["from"], r["to"]) for r in listed()] == [
        (HEAD, SEK, "2026-11-23", "2026-11-27")]
    assert "Budi Santoso" in apel("person", "plh-list").stdout
    cleared = apel("person", "plh", HEAD, "--clear", "--from", "2026-11-25")
    assert cleared.exit_code == 0 and "cleared from Wednesday, 25 November 2026" in cleared.stderr, cleared.stderr
    assert [r["to"] for r in listed()] == ["2026-11-24"]
    again = apel("person", "plh", HEAD, "--clear", "--from", "2026-11-25")
    assert again.exit_code == 0 and "has no Plh from" in again.stderr
    assert apel("person", "plh", HEAD, "--clear").exit_code == 0  # from today: the designation is gone
    assert listed() == []
    audit = json.loads(apel("audit", "--format", "json").stdout)
    assert [e["action"] for e in audit if e["action"].startswith("plh_")] == ["plh_clear", "plh_clear", "plh_designate"]


def test_an_inactive_person_cannot_be_a_plh(apel_env, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T02:00:00+00:00")
    apel("org", "import", str(write_csv(tmp_path / "org.csv", small_office())))
    rows = [r for r in small_office() if r["nip"] != SEK]
    for r in rows:
        if r["supervisor_nip"] == SEK:
            r["supervisor_nip"] = HEAD
    apel("org", "import", str(write_csv(tmp_path / "left.csv", rows)))
    refused = apel("person", "plh", HEAD, "--by", SEK, "--from", "2026-11-24", "--to", "2026-11-25")
    assert refused.exit_code == 1 and "no longer active" in refused.stderr, refused.stderr
    assert listed() == []
