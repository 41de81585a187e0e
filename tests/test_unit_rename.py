"""A unit renamed by a new SOTK: the import says which units it leaves without people while it brings new
ones, and `apel org rename-unit OLD NEW` before it keeps the unit (its office, schedule, days off, people)."""

from __future__ import annotations

import json

from tests.org_rows import small_office, write_csv
from tests.test_cli import apel

NEW_NAME = "Seksi Pelayanan Timur"


def renamed_rows() -> list[dict[str, str]]:
    return [{**r, "unit": NEW_NAME} if r["unit"] == "Seksi Timur" else r for r in small_office()]


def test_a_renamed_unit_is_named_by_the_import_and_renamed_in_place(apel_env, tmp_path):
    assert apel("org", "import", str(write_csv(tmp_path / "org.csv", small_office()))).exit_code == 0
    assert apel("org", "office", "Seksi Timur", "--lat", "-1.59", "--lon", "103.61", "--radius", "150").exit_code == 0
    next_file = str(write_csv(tmp_path / "next.csv", renamed_rows()))

    tried = apel("org", "import", next_file, "--dry-run")
    assert "Units left without people (1) while new units came" in tried.stderr
    assert "apel org rename-unit OLD NEW" in tried.stderr and "\n  Seksi Timur\n" in tried.stderr

    done = apel("org", "rename-unit", "seksi timur", f"  {NEW_NAME} ")  # as typed: case and spaces
    assert done.exit_code == 0, done.stderr
    assert f"Unit Seksi Timur is now named {NEW_NAME}" in done.stderr
    imported = apel("org", "import", next_file)
    assert imported.exit_code == 0, imported.stderr
    assert "0 new units" in imported.stderr and "Units left without people" not in imported.stderr
    office = json.loads(apel("org", "office", NEW_NAME, "--format", "json").stdout)
    assert office == [{"unit": NEW_NAME, "lat": -1.59, "lon": 103.61, "radius_m": 150}]  # the geofence went with it
    audit = [a["action"] for a in json.loads(apel("audit", "--format", "json").stdout)]
    assert "unit_rename" in audit


def test_a_rename_onto_another_units_name_or_of_an_unknown_unit_is_refused(apel_env, tmp_path):
    assert apel("org", "import", str(write_csv(tmp_path / "org.csv", small_office()))).exit_code == 0
    taken = apel("org", "rename-unit", "Seksi Timur", "sekretariat")
    assert taken.exit_code == 1 and "That name belongs to unit Sekretariat already" in taken.stderr
    unknown = apel("org", "rename-unit", "Seksi Barat", NEW_NAME)
    assert unknown.exit_code == 1 and "Unknown unit: Seksi Barat" in unknown.stderr
    empty = apel("org", "rename-unit", "Seksi Timur", "   ")
    assert empty.exit_code == 1 and "A unit name must be given" in empty.stderr
    units = {p["unit"] for p in json.loads(apel("org", "show", "--format", "json").stdout)}
    assert "Seksi Timur" in units and NEW_NAME not in units
