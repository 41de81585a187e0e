"""The bad-input corpus, files sent in chat: broken images, bombs, lying names, empty and oversized
files, and org charts an admin uploads (formulas, damaged XLSX, too many rows). Same Case shape as
tests/bad_input_corpus.py; the fake Bot API serves `files` by file_id."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
from PIL import Image

from tests.bad_input_corpus import BUDI, SITI, Case
from tests.evidence_images import encode, png_claiming, screenshot
from tests.org_rows import small_office

GOOD_PNG = encode(screenshot(7, size=(270, 585)))
GOOD_JPEG = encode(screenshot(8, size=(270, 585)).convert("RGB"), "JPEG", quality=80)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

NOT_IMAGE = "bukan gambar"
BROKEN = "rusak atau tidak lengkap"
TOO_BIG = "lebih dari 20 MB"
RECEIVED = "diterima"
FORMULA = "rumus"
UNREADABLE = "tidak dapat dibaca"
IMPORTED = "diperbarui"


def org_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def org_xlsx(rows: list[dict[str, str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))  # a value starting with "=" becomes a real formula cell
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_names(*names: str) -> list[dict[str, str]]:
    rows = small_office()
    for row, name in zip(rows[1:], names, strict=False):
        row["name"] = name
    return rows


def damaged_sheet_xml(xlsx: bytes) -> bytes:
    """A ZIP that opens, whose worksheet XML is cut in the middle: found only while reading rows."""
    source, out = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    return out.getvalue()


def photo(file_id: str, size: int) -> tuple:
    return ("msg", {"photo": [{"file_id": file_id, "file_unique_id": "u" + file_id, "width": 270, "height": 585,
                               "file_size": size}]})


def document(file_id: str, name: str, mime: str | None, size: int | None) -> tuple:
    doc = {"file_id": file_id, "file_unique_id": "u" + file_id, "file_name": name}
    if mime:
        doc["mime_type"] = mime
    if size is not None:
        doc["file_size"] = size
    return ("msg", {"document": doc})


def _id(case_id: str) -> str:
    return "f-" + case_id


def file_case(case_id: str, content: bytes, expect: str, *, name: str | None = "bukti.jpg",
              mime: str | None = "image/jpeg", as_photo: bool = False, stored: bool = False,
              size: int | None = -1, who: int = 501, writes: set[str] | None = None) -> Case:
    declared = len(content) if size == -1 else size
    step = photo(_id(case_id), declared) if as_photo else document(_id(case_id), name, mime, declared)
    return Case(case_id, (step,), expect, who=who, files={_id(case_id): content},
                writes=frozenset(writes or ({"evidence"} if stored else set())))


XLSX = org_xlsx(small_office())
MILLION_ROWS_BYTES = 60 * 1024 * 1024  # what a 1,000,000-row org chart weighs as CSV: refused by its size

FILE_CASES = [
    file_case("corrupt-photo", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8, NOT_IMAGE, as_photo=True),
    file_case("truncated-jpeg-file", GOOD_JPEG[: len(GOOD_JPEG) // 2], BROKEN),
    file_case("truncated-png-file", GOOD_PNG[:3000], BROKEN, name="layar.png", mime="image/png"),
    file_case("decompression-bomb", png_claiming(60_000, 60_000), "megapiksel", name="bom.png", mime="image/png"),
    file_case("pdf-named-jpg", PDF, NOT_IMAGE),
    file_case("zero-byte-file", b"", "kosong", name="kosong.pdf", mime="application/pdf", size=0),
    file_case("zero-byte-file-size-unannounced", b"", "kosong", name="kosong.pdf", mime="application/pdf",
              size=None),
    file_case("file-over-the-limit", b"never downloaded", TOO_BIG, name="video.pdf", mime="application/pdf",
              size=25 * 1024 * 1024),
    file_case("file-over-the-limit-english", b"never downloaded", "larger than 20 MB", name="big.pdf",
              mime="application/pdf", size=25 * 1024 * 1024, who=SITI),
    file_case("executable", b"MZ\x90\x00", "tidak diterima", name="laporan.exe", mime="application/x-msdownload"),
    file_case("gif-named-png", encode(Image.new("RGB", (20, 20)), "GIF"), NOT_IMAGE, name="a.png", mime="image/png"),
    file_case("path-traversal-name", PDF, RECEIVED, name="../../etc/passwd.pdf", mime="application/pdf",
              stored=True),
    file_case("very-long-name", PDF, RECEIVED, name="laporan-" + "panjang" * 300 + ".pdf", mime="application/pdf",
              stored=True),
    file_case("mojibake-name", PDF, RECEIVED, name="lapor\udcff\udcfean\u0000\x1b.pdf", mime="application/pdf",
              stored=True),
    file_case("rtl-override-name", PDF, RECEIVED, name="rekap\u202efdp.exe", mime="application/pdf", stored=True),
    file_case("html-name-and-caption", GOOD_PNG, RECEIVED, name="<b>x</b>&amp;.png", mime="image/png",
              stored=True),
    # An admin's org chart: refused whole with the reason, nothing written.
    file_case("org-csv-with-formulas", org_csv(with_names('=HYPERLINK("http://x","klik")', "=1+1", "@SUM(A1:A9)",
                                                         "+cmd|' /C calc'!A0", "-2+3")),
              FORMULA, name="pegawai.csv", mime="text/csv", who=BUDI),
    file_case("org-xlsx-with-formulas", org_xlsx(with_names("=1+1", "=HYPERLINK(\"http://x\")")), "kosong",
              name="pegawai.xlsx", mime=None, who=BUDI),
    file_case("org-csv-without-header", b"Budi;Kepala\nSiti;Sekretaris\n", "judul kolom", name="pegawai.csv",
              mime="text/csv", who=BUDI),
    file_case("org-xlsx-truncated", XLSX[: len(XLSX) // 2], UNREADABLE, name="pegawai.xlsx", mime=None, who=BUDI),
    file_case("org-xlsx-damaged-sheet", damaged_sheet_xml(XLSX), UNREADABLE, name="pegawai.xlsx", mime=None,
              who=BUDI),
    file_case("org-csv-a-million-rows", b"never downloaded", TOO_BIG, name="pegawai.csv", mime="text/csv",
              size=MILLION_ROWS_BYTES, who=BUDI),
    # Accepted: control characters are dropped, hostile names are only text (escaped wherever shown).
    # A NUL byte says "binary", not CSV: refused without reading, as a sheet (a CSV is never evidence).
    file_case("org-csv-with-nul", org_csv(with_names("Siti\x00 Aminah")), "bukan CSV atau XLSX", name="pegawai.csv",
              mime="text/csv", who=BUDI),
    file_case("org-csv-controls-in-names", org_csv(with_names("Siti\x01 Aminah", "Andi\x1b Wijaya")), IMPORTED,
              name="pegawai.csv", mime="text/csv", who=BUDI, writes={"person"}),
    file_case("org-csv-hostile-names", org_csv(with_names("<b>Siti</b> & Co", "'; DROP TABLE person;--",
                                                         "{name} %s", "عبد الله")),
              IMPORTED, name="pegawai.csv", mime="text/csv", who=BUDI, writes={"person"}),
]
