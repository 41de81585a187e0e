"""Reading a CSV or XLSX sheet as a header and numbered rows of text cells.

Used by `apel org import` and, later, by the admin who sends the org chart to the bot. The kind of
file is told by its content, not its name (an XLSX renamed .csv still reads). Row numbers are the
ones the admin sees in Excel: the header is row 1."""

from __future__ import annotations

import asyncio

import codecs
import csv
import datetime as dt
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from bot.domain.org_columns import looks_like_header
from bot.services.errors import ServiceError

SNIFF_BYTES = 64 * 1024
COUNT_CHUNK = 1 << 20
# A province is about 100,000 people; settings.ORG_IMPORT_MAX_ROWS is the operator's knob.
DEFAULT_MAX_ROWS = 200_000
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ""}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# SyntaxError covers the XML parsers' ParseError, zlib.error a cut deflate stream; not OSError, which a
# database connection raises too while the rows are being imported.
_BROKEN_XLSX = (zipfile.BadZipFile, EOFError, SyntaxError, zlib.error)


@dataclass
class Sheet:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    total_rows: int | None  # for a progress bar; may be an estimate


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Integral floats below Excel's 15-digit precision are ordinary numbers; larger ones keep their
        # exponent so that an 18-digit NIP typed as a number is recognised as damaged.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _kind(path: Path, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise ServiceError("sheet.old_xls")
    if head.startswith(b"%PDF") or b"\x00" in head:
        raise ServiceError("sheet.unsupported")
    if path.suffix.lower() not in _TEXT_SUFFIXES:
        raise ServiceError("sheet.unsupported")
    return "csv"


def _encoding(head: bytes) -> str:
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page.
        return "cp1252"


def _header_first(numbered: Iterator[tuple[int, list[str]]], total: int | None, max_rows: int) -> Sheet:
    for number, cells in numbered:
        if not any(c.strip() for c in cells):
            continue
        if not looks_like_header(cells):
            raise ServiceError("sheet.no_header")
        return Sheet([c.strip() for c in cells], _at_most(numbered, max_rows), total)
    raise ServiceError("sheet.empty")


def _at_most(numbered: Iterator[tuple[int, list[str]]], max_rows: int) -> Iterator[tuple[int, list[str]]]:
    """The rows, refusing the sheet at the first row beyond the limit: the import keeps every row in
    memory until it has seen the last (all or nothing), so an endless sheet must stop here."""
    for count, row in enumerate(numbered, start=1):
        if count > max_rows:
            raise ServiceError("sheet.too_many_rows", limit=max_rows)
        yield row


def _count_lines(path: Path, cap: int) -> int:
    """Lines in the file, streamed (a huge CSV is never held whole), counting no further than `cap`."""
    lines = 0
    with open(path, "rb") as raw:
        while lines <= cap and (chunk := raw.read(COUNT_CHUNK)):
            lines += chunk.count(b"\n")
    return min(lines, cap)


@contextmanager
def open_sheet(path: Path, max_rows: int = DEFAULT_MAX_ROWS):
    """Yield a Sheet; refuse with a ServiceError (sheet.*) a file that is not a readable CSV/XLSX, or
    (while its rows are read) one with more than `max_rows` rows after the header."""
    path = Path(path)
    if path.is_dir():
        raise ServiceError("sheet.is_folder", path=str(path))
    if not path.is_file():
        raise ServiceError("sheet.not_found", path=str(path))
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    if not head.strip():
        raise ServiceError("sheet.empty")
    if _kind(path, head) == "xlsx":
        with _xlsx(path, max_rows) as sheet:
            yield sheet
    else:
        with _csv(path, head, max_rows) as sheet:
            yield sheet


def _delimiter(sample: str) -> str:
    """The delimiter of the first line with any letter or digit: blank lines (or `;;;` rows) may come before
    the header. Only the delimiter is sniffed; the quoting stays Excel's (a `"` in a quoted cell is `""`),
    which the sniffer, given a header without quotes, would otherwise guess away."""
    first = next((line for line in sample.splitlines() if any(c.isalnum() for c in line)), "")
    try:
        return csv.Sniffer().sniff(first + "\n", delimiters=",;\t|").delimiter
    except csv.Error:
        return csv.excel.delimiter


@contextmanager
def _csv(path: Path, head: bytes, max_rows: int):
    encoding = _encoding(head)
    delimiter = _delimiter(head.decode(encoding, errors="replace"))
    total = max(_count_lines(path, max_rows + 1) - 1, 0)
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        reader = csv.reader(f, csv.excel, delimiter=delimiter)
        try:
            yield _header_first(((n, row) for n, row in enumerate(reader, start=1)), total, max_rows)
        except csv.Error as exc:
            raise ServiceError("sheet.unreadable", reason=str(exc)) from None


@contextmanager
def _xlsx(path: Path, max_rows: int):
    # A file object, not the path: openpyxl judges a path by its extension, and we judge by content.
    stream = open(path, "rb")
    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        stream.close()
        raise ServiceError("sheet.bad_xlsx") from None
    try:
        sheet = book.worksheets[0]
        total = min(max((sheet.max_row or 1) - 1, 0), max_rows)
        numbered = ((n, [_cell(v) for v in row]) for n, row in enumerate(sheet.iter_rows(values_only=True), start=1))
        yield _header_first(numbered, total, max_rows)
    except _BROKEN_XLSX:
        # The ZIP opened but a part inside is damaged or cut off: found only while the rows are read.
        raise ServiceError("sheet.bad_xlsx") from None
    finally:
        book.close()
        stream.close()



class UploadedSheetReader:
    """A sheet sent to the bot as a document: read through the same code as a file on disk."""

    def __init__(self, max_rows: int = DEFAULT_MAX_ROWS):
        self.max_rows = max_rows

    async def read(self, content: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
        return await asyncio.to_thread(self._read, content, filename)

    def _read(self, content: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
        import tempfile

        suffix = Path(filename or "upload").suffix.lower()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{suffix}"
            path.write_bytes(content)
            with open_sheet(path, self.max_rows) as sheet:
                return sheet.header, list(sheet.rows)
