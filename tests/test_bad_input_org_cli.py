"""The bad-input corpus, org charts through `apel org import`: a million rows and formula cells are
refused whole with one clear message, nothing is written, and the reading stops at the row limit."""

from __future__ import annotations

import json
import time
import tracemalloc

import openpyxl
import pytest
from typer.testing import CliRunner

from bot.cli.app import app
from bot.services.errors import ServiceError
from bot.spreadsheet import open_sheet
from tests.bad_input_files import with_names
from tests.org_rows import small_office, write_csv

runner = CliRunner()
FORMULAS = ('=HYPERLINK("http://x","klik")', "=1+1", "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3")


def million_row_csv(path, rows: int = 1_000_000):
    """Written from a generator, so the test itself never holds the file (≈ 90 MB)."""
    header = "nip,name,position,unit,supervisor_nip\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        f.writelines(f"1970010120000310{n % 100:02d},Pegawai {n},Staf,Unit {n // 1000},\n" for n in range(rows))
    return path



def test_a_million_row_csv_is_refused_after_reading_at_most_the_limit(apel_env, tmp_path, monkeypatch):
    path = million_row_csv(tmp_path / "provinsi.csv")
    monkeypatch.setenv("ORG_IMPORT_MAX_ROWS", "50000")  # the default's behaviour, at a test's speed
    started = time.perf_counter()
    result = runner.invoke(app, ["org", "import", str(path)])
    assert result.exit_code == 1
    assert "more than 50000 rows" in result.output and "Nothing was saved" in result.output
    assert "Traceback" not in result.output
    assert time.perf_counter() - started < 20  # it stopped at the limit instead of reading on
    assert "Pegawai" not in runner.invoke(app, ["org", "show", "--format", "csv"]).output


def test_reading_a_million_rows_stops_at_the_limit_without_holding_the_file(tmp_path):
    path = million_row_csv(tmp_path / "provinsi.csv")
    tracemalloc.start()
    try:
        with open_sheet(path, max_rows=20_000) as sheet:
            assert sheet.total_rows == 20_000  # the line count stops at the limit too
            read = 0
            with pytest.raises(ServiceError) as caught:
                for _ in sheet.rows:
                    read += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.code == "sheet.too_many_rows" and read == 20_000
    assert peak < 20 * 2**20  # the whole file is ≈ 90 MB


def test_formula_names_in_a_csv_are_refused_whole_in_indonesian(apel_env, tmp_path, monkeypatch):
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    path = write_csv(tmp_path / "rumus.csv", with_names(*FORMULAS[:4]) + [
        small_office()[4] | {"nip": "199106062016031006", "name": FORMULAS[4]}])
    result = runner.invoke(app, ["org", "import", str(path)])
    assert result.exit_code == 1
    assert result.output.count("rumus") >= 5 and "Tidak ada yang disimpan" in result.output
    assert "Pegawai" not in runner.invoke(app, ["org", "show", "--format", "csv"]).output
    assert "Budi" not in runner.invoke(app, ["org", "show", "--format", "csv"]).output


def test_formula_cells_in_an_xlsx_are_refused_whole(apel_env, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    rows = with_names("=1+1", '=HYPERLINK("http://x","klik")')
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    sheet.append(list((rows[4] | {"nip": "199106062016031006", "name": "@SUM(A1:A2)"}).values()))
    path = tmp_path / "rumus.xlsx"
    book.save(path)
    result = runner.invoke(app, ["org", "import", str(path)])
    assert result.exit_code == 1
    assert "Nothing was saved" in result.output and "formula" in result.output  # the typed "@SUM" cell
    assert "required cell is empty" in result.output  # real formulas: no value without Excel's calculation
    assert "Budi" not in runner.invoke(app, ["org", "show", "--format", "csv"]).output


def test_nips_typed_as_numbers_in_excel_are_explained_in_both_columns(apel_env, tmp_path):
    # HR's sheet with the NIP columns left as "General": Excel keeps 15 digits, 1.97E+17 in both columns.
    rows = small_office()
    book = openpyxl.Workbook()
    columns = ["nip", "name", "position", "unit", "supervisor_nip"]
    book.active.append(columns)
    for i, row in enumerate(rows):
        cells = [row[c] for c in columns]
        if i == 1:
            cells[0] = float(cells[0])
        if i == 4:
            cells[4] = float(cells[4])
        book.active.append(cells)
    book.save(tmp_path / "pegawai.xlsx")
    result = runner.invoke(app, ["org", "import", str(tmp_path / "pegawai.xlsx"), "-f", "json"])
    assert result.exit_code == 1
    problems = {(p["row"], p["column"]): (p["code"], p["problem"]) for p in json.loads(result.stdout)}
    assert problems[3, "nip"][0] == "nip.stored_as_number"
    code, problem = problems[6, "supervisor_nip"]
    assert code == "row.supervisor_stored_as_number"
    assert "stored as a number" in problem and "Format the supervisor NIP column as Text" in problem
