"""`apel org office`: admins set, show and clear a unit's office geofence; bad input exits non-zero."""

import json

import pytest
from typer.testing import CliRunner

from bot.cli.app import app
from bot.cli.output import set_language
from tests.org_rows import small_office, write_csv


def test_set_show_and_clear_an_office(apel_env, tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "o.csv", small_office()))]).exit_code == 0
    done = runner.invoke(app, ["org", "office", "Seksi Timur", "--lat", "-1.59", "--lon", "103.61", "--radius", "150",
                               "--format", "json"])
    assert done.exit_code == 0, done.stderr
    assert "Office location of Seksi Timur saved" in done.stderr
    assert json.loads(done.stdout) == [{"unit": "Seksi Timur", "lat": -1.59, "lon": 103.61, "radius_m": 150}]
    listed = json.loads(runner.invoke(app, ["org", "office", "--format", "json"]).stdout)
    assert {o["unit"]: o["radius_m"] for o in listed}["Seksi Timur"] == 150
    assert {o["unit"]: o["radius_m"] for o in listed}["Dinas"] is None
    cleared = runner.invoke(app, ["org", "office", "Seksi Timur", "--clear", "--format", "csv"])
    assert cleared.exit_code == 0 and cleared.stdout.strip().splitlines()[1] == "Seksi Timur,,,"


def test_bad_office_input_is_refused(apel_env, tmp_path):
    runner = CliRunner()
    runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "o.csv", small_office()))])
    half = runner.invoke(app, ["org", "office", "Seksi Timur", "--lat", "-1.59"])
    assert half.exit_code == 1 and "--lat, --lon and --radius together" in half.stderr
    wide = runner.invoke(app, ["org", "office", "Seksi Timur", "--lat", "-1.59", "--lon", "103.61", "--radius", "9000"])
    assert wide.exit_code == 1 and "between 10 and 5000" in wide.stderr
    nowhere = runner.invoke(app, ["org", "office", "Seksi Barat", "--lat", "-1.59", "--lon", "103.61", "--radius", "100"])
    assert nowhere.exit_code == 1 and "Seksi Barat" in nowhere.stderr


def test_contradictory_office_options_are_refused(apel_env, tmp_path):
    runner = CliRunner()
    runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "o.csv", small_office()))])
    assert runner.invoke(app, ["org", "office", "Seksi Timur", "--lat", "-1.59", "--lon", "103.61", "--radius",
                               "150"]).exit_code == 0
    both = runner.invoke(app, ["org", "office", "Seksi Timur", "--clear", "--lat", "1", "--lon", "1"])
    assert both.exit_code == 1 and "do not combine it with --lat" in both.stderr
    nameless = runner.invoke(app, ["org", "office", "--clear"])
    assert nameless.exit_code == 1 and "Name the unit" in nameless.stderr
    kept = json.loads(runner.invoke(app, ["org", "office", "Seksi Timur", "--format", "json"]).stdout)
    assert kept[0]["lat"] == -1.59  # nothing changed


def test_coordinates_with_a_decimal_comma_are_read_and_words_are_refused_in_the_admins_language(apel_env, tmp_path):
    runner = CliRunner()
    runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "o.csv", small_office()))])
    done = runner.invoke(app, ["org", "office", "Seksi Timur", "--lat", "-1,59", "--lon", "103,61", "--radius", "150",
                               "--format", "json"])
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)[0] == {"unit": "Seksi Timur", "lat": -1.59, "lon": 103.61, "radius_m": 150}
    words = runner.invoke(app, ["org", "office", "Seksi Timur", "--lat", "utara", "--lon", "103,61", "--radius", "150"])
    assert words.exit_code == 1 and "Not a number: utara" in words.stderr, words.stderr
    beyond = runner.invoke(app, ["org", "office", "Seksi Timur", "--lat", "-1,59", "--lon", "203", "--radius", "150"])
    assert beyond.exit_code == 1 and "203" in beyond.stderr and "Traceback" not in beyond.stderr
    kept = json.loads(runner.invoke(app, ["org", "office", "Seksi Timur", "--format", "json"]).stdout)
    assert kept[0]["lon"] == 103.61  # the refused commands changed nothing


@pytest.mark.parametrize("args, english", [
    (["Seksi Timur", "--clear", "--lat", "1"], "--clear removes the office location; do not combine it with --lat"),
    (["--lat", "1", "--lon", "2", "--radius", "100"], "Name the unit"),
    (["Seksi Timur", "--lat", "utara", "--lon", "1", "--radius", "100"], "Not a number: utara"),
])
def test_refusals_before_the_database_are_in_the_admins_language(apel_env, args, english):
    set_language("id")  # a fresh process: nothing has read DEFAULT_LANGUAGE (en here) yet
    refused = CliRunner().invoke(app, ["org", "office", *args])
    assert refused.exit_code == 1 and english in refused.stderr, refused.stderr
