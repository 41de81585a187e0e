"""The month export as files: an XLSX workbook (a summary sheet, then one sheet per person in the layout
of the official daily report, LHPPK) and CSV (the activity rows of everyone, or the summary).

Task titles and summaries are typed by people, and a spreadsheet would run one that starts with = + - @
(or a tab / carriage return) as a formula (CSV/formula injection). In CSV such a cell gets an apostrophe in
front; in XLSX it is a text cell with Excel's quote prefix (the apostrophe Excel hides), so it reads as typed
("- rapat koordinasi") and is never run. NIPs are written as text: 18 digits do not survive as an Excel number.
Characters XML cannot hold (U+FFFE/U+FFFF, pasted along with a summary) are left out of XLSX cells: written, they
made a workbook Excel had to "repair" and openpyxl could not open."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from bot.ports import Progress
from bot.services.month_export import ActivityRow, MonthExport, PersonLog, SummaryRow, total_of
from bot.texts import text

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 cannot hold (input is stripped of C0 controls before it is stored; this is the writer's guard).
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# (catalog key of the header, width in characters)
LOG_COLUMNS = (
    ("export.col_day", 24),
    ("export.col_no", 5),
    ("export.col_time", 7),
    ("export.col_activity", 48),
    ("export.col_output", 40),
    ("export.col_status", 22),
    ("export.col_approved_by", 24),
    ("export.col_approved_at", 26),
    ("export.col_evidence", 26),
)
SUMMARY_COLUMNS = (
    ("export.sum_unit", "unit", 28),
    ("export.sum_nip", "nip", 21),
    ("export.sum_name", "name", 30),
    ("export.sum_position", "position", 26),
    ("export.sum_workdays", "workdays", 10),
    ("export.sum_elapsed", "elapsed", 10),
    ("export.sum_wfh", "wfh", 8),
    ("export.sum_wfo", "wfo", 11),
    ("export.sum_leave", "leave", 12),
    ("export.sum_on_time", "on_time", 11),
    ("export.sum_late", "late", 11),
    ("export.sum_missing", "missing", 11),
    ("export.sum_approved", "approved", 11),
    ("export.sum_returned", "returned", 12),
)
CSV_ACTIVITY = ("nip", "name", "unit", "date", "no", "time", "activity", "output", "status", "approved_by",
                "approved_at", "evidence")
CSV_SUMMARY = ("nip", "name", "position", "unit") + tuple(key for _, key, _ in SUMMARY_COLUMNS[4:])

# The day's date in the language's words, by Excel's (and LibreOffice's) locale codes: 0421 Indonesian.
DAY_FORMAT = {"id": "[$-421]dddd, d mmmm yyyy", "en": "[$-409]dddd, d mmmm yyyy"}

LOG_HEADER_ROW = 8  # title block above it: title, name, NIP, position, unit, month, blank
SUMMARY_HEADER_ROW = 6  # title, month, unit, made at, blank

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_DAY_ALIGN = Alignment(wrap_text=True, vertical="top", horizontal="left")
_HEAD_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")


def safe(value):
    """Text a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def _put(ws, row: int, column: int, value, *, as_text: bool = False):
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        value = NOT_IN_XML.sub("", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text
        if value.startswith(DANGEROUS_START):
            # Excel's own mark for "typed as text" (the hidden apostrophe): the cell shows what was typed
            # ("- rapat koordinasi"), and stays text when someone edits it.
            cell.quotePrefix = True
    if as_text:
        cell.number_format = "@"
    return cell


def sheet_title(name: str) -> str:
    """Excel's rules: at most 31 characters, none of : \\ / ? * [ ]."""
    cleaned = "".join("_" if ch in ':\\/?*[]' else ch for ch in name).strip("'")
    return (cleaned or "_")[:31]


def write_xlsx(export: MonthExport, target, progress: Progress | None = None) -> None:
    """`target`: a path or a binary file object."""
    lang = export.lang
    wb = Workbook()
    summary = wb.active
    summary.title = sheet_title(text(lang, "export.summary_sheet"))
    _summary_sheet(summary, export)
    total = len(export.people)
    used = {summary.title}
    for done, person in enumerate(export.people, start=1):
        title = sheet_title(person.nip)
        while title in used:  # NIPs are unique; this only guards odd data
            title = sheet_title(f"{title[:27]}_{done}")
        used.add(title)
        _log_sheet(wb.create_sheet(title), person, export)
        if progress and (done % 50 == 0 or done == total):
            progress(done, total)
    wb.save(target)


def _title_block(ws, title: str, pairs: Sequence[tuple[str, str, bool]], width: int) -> None:
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    cell = _put(ws, 1, 1, title)
    cell.font, cell.alignment = _TITLE, Alignment(horizontal="center")
    for offset, (label, value, as_text) in enumerate(pairs, start=2):
        _put(ws, offset, 1, label).font = _BOLD
        ws.merge_cells(start_row=offset, start_column=2, end_row=offset, end_column=width)
        _put(ws, offset, 2, value, as_text=as_text)


def _header(ws, row: int, labels: Sequence[str]) -> None:
    for column, label in enumerate(labels, start=1):
        cell = _put(ws, row, column, label)
        cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _HEADER_FILL, _BORDER, _HEAD_ALIGN


def _log_sheet(ws, person: PersonLog, export: MonthExport) -> None:
    lang = export.lang
    _title_block(
        ws,
        text(lang, "export.title"),
        [
            (text(lang, "export.label_name"), person.name, False),
            (text(lang, "export.label_nip"), person.nip, True),
            (text(lang, "export.label_position"), person.position, False),
            (text(lang, "export.label_unit"), person.unit, False),
            (text(lang, "export.label_month"), export.month_text, False),
        ],
        len(LOG_COLUMNS),
    )
    _header(ws, LOG_HEADER_ROW, [text(lang, key) for key, _ in LOG_COLUMNS])
    row = LOG_HEADER_ROW + 1
    day_start = row
    previous = None
    for item in person.rows:
        if item.day != previous:
            _merge_day(ws, day_start, row - 1)
            day_start, previous = row, item.day
            # A date cell, shown as the form writes it ("Senin, 2 November 2026"): sorts and filters as a date.
            _put(ws, row, 1, item.day).number_format = DAY_FORMAT.get(lang, DAY_FORMAT["id"])
        for column, value in enumerate(_log_values(item)[1:], start=2):
            _put(ws, row, column, value)
        for column in range(1, len(LOG_COLUMNS) + 1):
            cell = ws.cell(row=row, column=column)
            cell.border, cell.alignment = _BORDER, _DAY_ALIGN if column == 1 else _WRAP
        row += 1
    _merge_day(ws, day_start, row - 1)
    if not person.rows:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(LOG_COLUMNS))
        _put(ws, row, 1, text(lang, "export.empty_log")).alignment = _WRAP
    for column, (_, width) in enumerate(LOG_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = ws.cell(row=LOG_HEADER_ROW + 1, column=1)
    _print_setup(ws, LOG_HEADER_ROW)


def _merge_day(ws, first: int, last: int) -> None:
    """Hari/Tanggal once per day, as on the paper form."""
    if last > first:
        ws.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)


def _log_values(item: ActivityRow) -> list:
    return [item.day_text, item.no, item.time, item.activity, item.output, item.status, item.approved_by,
            item.approved_at, item.evidence]


def _summary_sheet(ws, export: MonthExport) -> None:
    lang = export.lang
    _title_block(
        ws,
        text(lang, "export.summary_title"),
        [
            (text(lang, "export.label_month"), export.month_text, False),
            (text(lang, "export.label_unit"), _scope_text(export), False),
            (text(lang, "export.label_generated"), export.generated_text, False),
        ],
        len(SUMMARY_COLUMNS),
    )
    _header(ws, SUMMARY_HEADER_ROW, [text(lang, key) for key, _, _ in SUMMARY_COLUMNS])
    row = SUMMARY_HEADER_ROW + 1
    for unit in export.units:
        for line in unit.rows:
            _summary_row(ws, row, line, bold=False)
            row += 1
        _summary_row(ws, row, unit.total(text(lang, "export.unit_total", unit=unit.unit)), bold=True)
        row += 1
    if len(export.units) > 1:
        _summary_row(ws, row, total_of(export.summary_rows, text(lang, "export.grand_total")), bold=True)
    for column, (_, _, width) in enumerate(SUMMARY_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = ws.cell(row=SUMMARY_HEADER_ROW + 1, column=4)  # header row, and unit/NIP/name
    _print_setup(ws, SUMMARY_HEADER_ROW)


def _scope_text(export: MonthExport) -> str:
    if export.scope:
        return export.scope
    if export.team_of:  # a supervisor's own people: not "all units", or HR reads it as the office's recap
        return text(export.lang, "export.team_of", name=export.team_of)
    return text(export.lang, "export.everyone")


def _summary_row(ws, row: int, line: SummaryRow, *, bold: bool) -> None:
    for column, (_, key, _) in enumerate(SUMMARY_COLUMNS, start=1):
        cell = _put(ws, row, column, getattr(line, key), as_text=key == "nip")
        cell.border, cell.alignment = _BORDER, _WRAP
        if bold:
            cell.font, cell.fill = _BOLD, _TOTAL_FILL


def _print_setup(ws, header_row: int) -> None:
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_csv(export: MonthExport, stream: IO[str], kind: str = "activity") -> int:
    """The activity rows of everyone (`kind="activity"`) or the summary (`kind="summary"`); returns the
    number of data rows. Dates are ISO (2026-11-02), times local to each person's unit."""
    writer = csv.writer(stream, lineterminator="\n")
    if kind == "summary":
        writer.writerow(CSV_SUMMARY)
        rows = export.summary_rows
        for line in rows:
            writer.writerow([safe(getattr(line, key)) for key in CSV_SUMMARY])
        return len(rows)
    if kind != "activity":
        raise ValueError(f"unknown CSV kind {kind!r}")
    writer.writerow(CSV_ACTIVITY)
    count = 0
    for person in export.people:
        for item in person.rows:
            writer.writerow([safe(v) for v in (
                person.nip, person.name, person.unit, item.day.isoformat(), item.no, item.time, item.activity,
                item.output, item.status, item.approved_by, item.approved_at, item.evidence,
            )])
            count += 1
    return count
