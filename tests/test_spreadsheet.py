"""Reading sheets: kinds told by content, encodings and delimiters of real exports, Excel numbers."""

import openpyxl
import pytest

from bot.services.errors import ServiceError
from bot.spreadsheet import open_sheet


def read(path):
    with open_sheet(path) as sheet:
        return sheet.header, list(sheet.rows)


def test_semicolon_csv_in_windows_code_page(tmp_path):
    path = tmp_path / "org.csv"
    path.write_bytes("NIP;Nama;Jabatan;Unit Kerja;NIP Atasan\n1;Siti Muhajirîn;Staf;Umum;\n".encode("cp1252"))
    header, rows = read(path)
    assert header == ["NIP", "Nama", "Jabatan", "Unit Kerja", "NIP Atasan"]
    assert rows == [(2, ["1", "Siti Muhajirîn", "Staf", "Umum", ""])]


def test_utf8_with_bom_and_blank_first_lines(tmp_path):
    path = tmp_path / "org.csv"
    path.write_bytes("\ufeff\n\nnip,name,position,unit,supervisor_nip\n2,Ani,Staf,Umum,\n".encode("utf-8"))
    header, rows = read(path)
    assert header[0] == "nip"
    assert rows == [(4, ["2", "Ani", "Staf", "Umum", ""])]


def test_an_xlsx_renamed_csv_is_still_read_as_xlsx(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["nip", "name", "position", "unit", "supervisor_nip"])
    book.active.append(["198503122010011003", "Ani", "Staf", "Umum", None])
    book.save(tmp_path / "org.xlsx")
    (tmp_path / "org.xlsx").rename(tmp_path / "org.csv")
    _, rows = read(tmp_path / "org.csv")
    assert rows == [(2, ["198503122010011003", "Ani", "Staf", "Umum", ""])]


def test_an_18_digit_nip_stored_by_excel_as_a_number_keeps_its_exponent(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["nip", "name", "position", "unit", "supervisor_nip"])
    book.active.append([198503122010011003.0, "Ani", "Staf", "Umum", None])
    book.save(tmp_path / "org.xlsx")
    _, rows = read(tmp_path / "org.xlsx")
    assert "e+17" in rows[0][1][0]


def test_a_broken_xlsx_is_called_no_valid_xlsx_not_a_crash(tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"garbage" * 50)
    with pytest.raises(ServiceError) as caught:
        read(path)
    assert caught.value.code == "sheet.bad_xlsx"


def test_a_text_file_with_another_extension_is_refused(tmp_path):
    path = tmp_path / "org.docx"
    path.write_text("nip,name\n")
    with pytest.raises(ServiceError) as caught:
        read(path)
    assert caught.value.code == "sheet.unsupported"


def test_semicolons_after_blank_lines_and_a_bom_are_still_the_delimiter(tmp_path):
    # Excel's "CSV UTF-8" of a sheet whose first row was left empty: BOM, an empty line, then `;`.
    path = tmp_path / "org.csv"
    path.write_bytes("\ufeff\r\n;;;;\r\nNIP;Nama;Jabatan;Unit Kerja;NIP Atasan\r\n2;Ani;Staf;Umum;\r\n".encode("utf-8"))
    header, rows = read(path)
    assert header == ["NIP", "Nama", "Jabatan", "Unit Kerja", "NIP Atasan"]
    assert rows == [(4, ["2", "Ani", "Staf", "Umum", ""])]


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_quote_inside_a_quoted_cell_is_read_as_one_quote(tmp_path, delimiter):
    # Excel writes `Nur'aini "Ani" Siregar` as "Nur'aini ""Ani"" Siregar"; the header has no quotes.
    path = tmp_path / "org.csv"
    d = delimiter
    path.write_text(f'nip{d}name{d}position{d}unit{d}supervisor_nip\n2{d}"Nur\'aini ""Ani"" Siregar"{d}Staf{d}"Umum{d} ""A"""{d}\n')
    _, rows = read(path)
    assert rows == [(2, ["2", "Nur'aini \"Ani\" Siregar", "Staf", f'Umum{d} "A"', ""])]
