"""The month export (`apel export`, `/ekspor`): per person the daily activity log in the layout of the
official daily report (LHPPK), and per unit the numbers an office uses for the performance allowance
(TPP). This module builds plain data; `bot.exports` writes it as XLSX or CSV.

Definitions (per person and day, in the zone and calendar of the unit the person was in that day):
- workday: a date of the month that the unit's calendar says is worked (its schedule's weekdays, not a
  national holiday or cuti bersama, not a local day off or office closure) — `WorkCalendar`;
- elapsed workday: a workday whose report deadline has passed at `now`; later days (the rest of the
  current month) are neither missing nor counted as WFH/WFO/leave;
- mode of a day: the stored work day's mode; without one, a directive's mode, else WFO (as the routine);
- WFH / WFO (piket included) / leave (cuti, sakit, dl): elapsed workdays by mode ("libur" counts in none);
- on time / late: submitted reports of the month (submitted, approved or returned; drafts are not
  reports), by their `late` mark; approved / returned: the reports' current review state; a report of a day
  whose mode is cuti/sakit/dl (leave approved after it was sent) counts in none of these, the day is leave;
- missing: elapsed workdays on which a report was expected (mode not cuti/sakit/dl/libur) and none was
  submitted;
- whose month: the people in the org chart at some time of it, as `org_membership` recorded it (not as the
  org chart stands now). A day is theirs, in a unit, when they were active in that unit at its deadline
  (`unit_of_day`): days before a person was added (and the day itself when they were added after its
  deadline), and days while an import had them deactivated (a transfer out, a retirement; until an import
  brought them back) are neither workdays nor missing. Someone moved mid-month has a log and a summary row
  in each unit, with that unit's days. A person who left keeps the days they were in, in this month's export and in any
  earlier month's exported again later. Someone in the org chart at none of its deadlines (added after it) is not
  in it; a month with nobody in it is refused;
- a supervisor's export (`below`): each person's days on which the supervisor was above them, with the chain as
  `org_membership` recorded it that day (`team_days`), not today's.
Data is read in bulk: a fixed number of queries per chunk of `CHUNK` people, whatever the month holds."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date

from bot.day_records import EvidenceRecord, ReportRecord, WorkDayRecord
from bot.domain.leave_period import FIRST_YEAR, LAST_YEAR
from bot.domain.membership import Membership, unit_of_day
from bot.domain.org_sync import StoredUnit
from bot.domain.org_tree import depth_first, subtree
from bot.domain.team_history import team_days
from bot.domain.reports import ReportStatus
from bot.domain.tasks import TaskStatus
from bot.domain.unit_schedule import resolve
from bot.domain.work_calendar import CalendarEntry, DayKind, WorkCalendar
from bot.domain.workday import DEFAULT_MODE, EXCUSED, Mode
from bot.ports import PersonRow, Progress, UnitOfWork
from bot.services.errors import ServiceError
from bot.services.org_directory import find_unit
from bot.services.routine import chain_of
from bot.texts import format_date, format_datetime, text

CHUNK = 1000  # people per round of queries: keeps IN lists far below the drivers' parameter limits
FORMATS = ("xlsx", "csv")
LEAVE_MODES = frozenset({Mode.LEAVE, Mode.SICK, Mode.FIELD})
OFFICE_MODES = frozenset({Mode.WFO, Mode.PIKET})
SUBMITTED = frozenset({ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.RETURNED})
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True)
class ActivityRow:
    """One line of the daily log. Texts are ready to show (in the export's language)."""

    day: dt.date
    day_text: str  # "Senin, 2 November 2026"
    no: int  # 1..n within the day
    time: str  # submission time in the person's zone, "15.20"; "" without a report
    activity: str  # Uraian Kegiatan: the task title, or "Tidak ada laporan" / the excused mode
    output: str  # Hasil/Output: the task's status; on the first row also the report summary
    status: str  # the report's status, with "terlambat" when late
    approved_by: str
    approved_at: str
    evidence: str  # "3 bukti: #12, #13, #14"


@dataclass(frozen=True)
class PersonLog:
    person_id: int
    nip: str
    name: str
    position: str
    unit: str
    timezone: str
    rows: list[ActivityRow]


@dataclass(frozen=True)
class SummaryRow:
    nip: str
    name: str
    position: str
    unit: str
    workdays: int = 0
    elapsed: int = 0
    wfh: int = 0
    wfo: int = 0
    leave: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    approved: int = 0
    returned: int = 0


COUNTS = tuple(f.name for f in fields(SummaryRow) if f.type in ("int", int))


@dataclass(frozen=True)
class UnitSummary:
    unit: str
    rows: list[SummaryRow]

    def total(self, label: str = "") -> SummaryRow:
        return total_of(self.rows, label, self.unit)


def total_of(rows: Sequence[SummaryRow], label: str, unit: str = "") -> SummaryRow:
    return SummaryRow("", label, "", unit, **{k: sum(getattr(r, k) for r in rows) for k in COUNTS})


@dataclass(frozen=True)
class MonthExport:
    month: dt.date  # the first day
    month_text: str  # "November 2026"
    scope: str | None  # the unit asked for (its subtree), None for everyone
    lang: str
    generated_at: dt.datetime
    generated_text: str  # "Senin, 7 Desember 2026 08.00 WIB"
    people: list[PersonLog]
    units: list[UnitSummary]
    team_of: str | None = None  # a supervisor's export (`/ekspor`): whose people it holds, not everyone

    @property
    def summary_rows(self) -> list[SummaryRow]:
        return [row for unit in self.units for row in unit.rows]


def parse_month(value: str | dt.date) -> dt.date:
    """'2026-11' -> 2026-11-01; ServiceError export.bad_month otherwise."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = _MONTH.match(value or "")
    if match is None or not 1 <= int(match.group(2)) <= 12 or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise ServiceError("export.bad_month", value=value)
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def _scope_text(root: str | None, team_of: str | None, lang: str) -> str:
    """The export's scope as its summary sheet heads it; a refusal said "(unit: -)" for everyone."""
    lang = lang if lang in ("id", "en") else "id"
    if root:
        return root
    return text(lang, "export.team_of", name=team_of) if team_of else text(lang, "export.everyone")


def parse_format(value: str) -> str:
    fmt = (value or "").strip().lower().lstrip(".")
    if fmt not in FORMATS:
        raise ServiceError("export.bad_format", value=value, formats=", ".join(FORMATS))
    return fmt


def slug(name: str) -> str:
    """'Seksi Timur' -> 'seksi-timur' (ASCII, for file names); a long name keeps its first words whole."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if len(words) <= 60:
        return words
    cut = words[:61].rfind("-")
    return words[:cut] if cut > 0 else words[:60]


def export_filename(month: dt.date, unit: str | None, fmt: str, *, summary: bool = False) -> str:
    """apel-2026-11.xlsx, apel-2026-11-seksi-timur.csv, apel-2026-11-ringkasan.csv."""
    parts = [f"apel-{month:%Y-%m}"]
    if unit and slug(unit):
        parts.append(slug(unit))
    if summary:
        parts.append("ringkasan")
    return "-".join(parts) + f".{fmt}"


def _chunks(items: Sequence, size: int | None = None):
    size = size or CHUNK
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


@dataclass(frozen=True)
class _Day:
    kind: DayKind
    deadline: dt.datetime  # aware, the unit's deadline that day


class _UnitCalendar:
    """Each day of the month as the unit sees it: workday or not, forced mode, report deadline."""

    def __init__(self, unit: str, units: dict[str, StoredUnit], layers, entries: list[CalendarEntry],
                 month: dt.date, end: dt.date):
        chain = chain_of(unit, units)
        zone = ZoneInfo(units[unit].timezone)
        calendars: dict[frozenset[int], WorkCalendar] = {}
        self.days: dict[dt.date, _Day] = {}
        day = month
        while day <= end:
            schedule = resolve(chain, layers, day)
            if schedule.workdays not in calendars:
                calendars[schedule.workdays] = WorkCalendar(entries, workdays=schedule.workdays)
            calendar = calendars[schedule.workdays]
            deadline = dt.datetime.combine(day, schedule.day(day).deadline, tzinfo=zone)
            self.days[day] = _Day(calendar.day_kind(day, chain), deadline)
            day += dt.timedelta(days=1)


async def build_month(
    uow: UnitOfWork,
    *,
    month: dt.date,
    unit: str | None,
    now: dt.datetime,
    progress: Progress | None = None,
    lang: str = "id",
    below: int | None = None,
    team_of: str | None = None,
) -> MonthExport:
    """The month's logs and summary of the people of `unit` and the units below it (everyone when None)
    who were in the org chart during the month, deactivated ones included for the days they were in;
    `below` (a supervisor's id, `team_of` their name) further limits it to each person's days under that
    supervisor, with the supervision chain as it stood each day."""
    month = parse_month(month)
    end = _month_end(month)
    units = await uow.org.stored_units()
    parent_of = {u.name: u.parent for u in units.values()}
    root = find_unit(units, unit) if unit is not None else None
    scope = subtree(parent_of, root) if root is not None else set(units)
    unit_name = {u.id: u.name for u in units.values()}
    # Every deadline of the month lies within a day of its dates, in any zone.
    window = (_utc_midnight(month - dt.timedelta(days=1)), _utc_midnight(end + dt.timedelta(days=2)))
    if below is None:
        everyone = await uow.org.list_people(None, include_inactive=True)
        memberships = await uow.org.memberships(*window)
    else:
        everyone, memberships = await _team_of_window(uow, below, window)
    names = {p.id: p.name for p in everyone}  # reviewers outside it are read with the reports
    layers = await uow.routine.schedule_layers()
    entries = [CalendarEntry(d, kind, name, where)
               for d, kind, name, where in await uow.routine.calendar_entries(month, end)]
    calendars: dict[str, _UnitCalendar] = {}

    def deadline_of(unit_id: int, day: dt.date) -> dt.datetime:
        name = unit_name[unit_id]
        if name not in calendars:
            calendars[name] = _UnitCalendar(name, units, layers, entries, month, end)
        return calendars[name].days[day].deadline

    all_days = {month + dt.timedelta(days=n) for n in range((end - month).days + 1)}
    team = None
    if below is not None:
        ids = {p.nip: p.id for p in everyone}
        today = {p.id: ids.get(p.supervisor_nip) for p in everyone}
        team = team_days(below, today, memberships, sorted(all_days), deadline_of)
    pieces: list[_Piece] = []
    anyone = False
    for person in everyone:
        if team is not None and person.id not in team:
            continue
        periods = memberships.get(person.id) or _periods_of(person, units)
        if not any(unit_name[m.unit_id] in scope for m in periods):
            continue
        anyone = True
        days_of: dict[int, set[dt.date]] = defaultdict(set)
        if len(periods) == 1 and periods[0].active and periods[0].valid_from <= window[0]:
            deadline_of(periods[0].unit_id, month)  # the whole month in one unit (most people): its calendar
            days_of[periods[0].unit_id] = all_days
        else:
            for day in all_days:
                unit_id = unit_of_day(periods, day, deadline_of)
                if unit_id is not None:
                    days_of[unit_id].add(day)
        if team is not None:  # a supervisor's export: only the days the person was below them
            days_of = {unit_id: days & team[person.id] for unit_id, days in days_of.items()}
        pieces += [_Piece(person, unit_name[unit_id], days) for unit_id, days in days_of.items()
                   if unit_name[unit_id] in scope and days]
    if not anyone:
        raise ServiceError("export.no_people", unit=_scope_text(root, team_of, lang))
    month_text = _babel_date(month, format="MMMM y", locale=lang if lang in ("id", "en") else "id")
    order = {name: i for i, (_, name) in enumerate(depth_first(parent_of, [root] if root else None))}
    pieces.sort(key=lambda p: (order.get(p.unit, len(order)), p.person.id, min(p.days)))

    logs: list[PersonLog] = []
    summaries: dict[str, list[SummaryRow]] = defaultdict(list)
    total = len(pieces)
    if progress:
        progress(0, total)
    done = 0
    for chunk in _chunks(pieces):
        ids = sorted({p.person.id for p in chunk})
        work_days: dict[tuple[int, dt.date], WorkDayRecord] = {
            (w.person_id, w.day): w for w in await uow.day.work_days_between(ids, month, end)
        }
        reports: dict[tuple[int, dt.date], ReportRecord] = {
            (r.person_id, r.day): r for r in await uow.day.reports_between(ids, month, end)
        }
        reviewers = {r.reviewed_by_id for r in reports.values() if r.reviewed_by_id} - set(names)
        if reviewers:  # a supervisor's export: whoever reviewed outside their team (their own superior)
            names |= {p.id: p.name for p in await uow.org.list_people(None, include_inactive=True, ids=reviewers)}
        evidence: dict[tuple[int, dt.date], list[EvidenceRecord]] = defaultdict(list)
        for e in await uow.day.evidence_between(ids, month, end):
            evidence[(e.person_id, e.day)].append(e)
        for piece in chunk:
            log, summary = _person_month(
                piece, units[piece.unit].timezone, calendars[piece.unit], now=now, lang=lang, names=names,
                work_days=work_days, reports=reports, evidence=evidence,
            )
            if not summary.workdays and not log.rows:
                # In the org chart at none of the month's deadlines (deactivated before its first, added after
                # its last, as someone who joined later is when a past month is exported again): not in it.
                continue
            logs.append(log)
            summaries[piece.unit].append(summary)
        done += len(chunk)
        if progress:
            progress(done, total)

    if not logs:  # a month before anyone was in Apel (October typed for December)
        raise ServiceError("export.nobody_in_month", month=month_text, unit=_scope_text(root, team_of, lang))
    zone = units[root].timezone if root else units[logs[0].unit].timezone
    return MonthExport(
        month=month,
        month_text=month_text,
        scope=root,
        lang=lang,
        generated_at=now,
        generated_text=format_datetime(now, zone, lang),
        people=logs,
        units=[UnitSummary(name, summaries[name]) for name in sorted(summaries, key=lambda n: order.get(n, 0))],
        team_of=team_of,
    )


async def _team_of_window(uow: UnitOfWork, head: int, window: tuple[dt.datetime, dt.datetime]
                          ) -> tuple[list[PersonRow], dict[int, list[Membership]]]:
    """Everyone who may have been below `head` on a day of the window, and their memberships: walked down a
    level at a time through whoever the history records under someone of the level above then
    (`org_membership.supervisor_id`) or reports to them today (taken where it recorded none). Two small reads a
    level, then two for the people found: the team, never a province's org chart. `team_days` decides the days."""
    found, level = {head}, {head}
    while level:
        then = await uow.org.memberships(*window, supervisor_ids=level)
        now = await uow.org.list_people(None, include_inactive=True, reporting_to=level)
        level = (set(then) | {p.id for p in now}) - found
        found |= level
    people = await uow.org.list_people(None, include_inactive=True, ids=found)
    return people, await uow.org.memberships(*window, person_ids=found)


@dataclass(frozen=True)
class _Piece:
    """A person's days of the month in one unit: all of them, or, for someone who moved, those before or after."""

    person: PersonRow
    unit: str
    days: Collection[dt.date]


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _periods_of(person: PersonRow, units: dict[str, StoredUnit]) -> list[Membership]:
    """Someone without recorded memberships (written around the import): their unit since they were added,
    active until deactivated."""
    unit_id = units[person.unit].id
    since = person.added_at or dt.datetime.min.replace(tzinfo=dt.UTC)
    if person.active or person.removed_at is None:
        return [Membership(person.id, unit_id, person.active, since)]
    return [Membership(person.id, unit_id, True, since, person.removed_at),
            Membership(person.id, unit_id, False, person.removed_at)]


def _mode_of(work_day: WorkDayRecord | None, kind: DayKind) -> Mode:
    if work_day is not None:
        try:
            return Mode(work_day.mode)
        except ValueError:
            pass
    return kind.mode or DEFAULT_MODE


def _person_month(piece: _Piece, timezone: str, calendar: _UnitCalendar, *, now: dt.datetime, lang: str,
                  names: dict[int, str], work_days, reports, evidence) -> tuple[PersonLog, SummaryRow]:
    counts = dict.fromkeys(COUNTS, 0)
    rows: list[ActivityRow] = []
    person = piece.person
    # Only the days the person was active in this unit at their deadline (`unit_of_day`). Days before the org
    # chart brought them in, and while an import had them out (a transfer out, and back), were never asked
    # of them: not workdays of theirs, never "missing". Days in another unit are counted with that unit.
    for day, info in calendar.days.items():
        if day not in piece.days:
            continue
        report = reports.get((person.id, day))
        submitted = report is not None and report.status in SUBMITTED and report.submitted_at is not None
        elapsed = info.kind.workday and info.deadline <= now
        mode = _mode_of(work_days.get((person.id, day)), info.kind)
        if info.kind.workday:
            counts["workdays"] += 1
        if elapsed:
            counts["elapsed"] += 1
            if mode is Mode.WFH:
                counts["wfh"] += 1
            elif mode in OFFICE_MODES:
                counts["wfo"] += 1
            elif mode in LEAVE_MODES:
                counts["leave"] += 1
            if not submitted and mode not in EXCUSED:
                counts["missing"] += 1
        # A day on approved leave counts as leave, also when a report was sent before the approval (sick
        # after sending it): counted by both, one day would be paid for twice. Its rows stay in the log.
        if submitted and mode not in LEAVE_MODES:
            counts["late" if report.late else "on_time"] += 1
            if report.status == ReportStatus.APPROVED:
                counts["approved"] += 1
            elif report.status == ReportStatus.RETURNED:
                counts["returned"] += 1
        items = evidence.get((person.id, day), [])
        if submitted:
            rows += _report_rows(report, items, timezone, lang, names)
        elif elapsed:
            rows.append(_absent_row(day, mode, items, lang))
    log = PersonLog(person.id, person.nip, person.name, person.position, piece.unit, timezone, rows)
    return log, SummaryRow(person.nip, person.name, person.position, piece.unit, **counts)


def _evidence_text(items: Sequence[EvidenceRecord], lang: str, key: str = "export.evidence") -> str:
    if not items:
        return ""
    return text(lang, key, count=len(items), ids=", ".join(f"#{e.id}" for e in items))


def _task_status(status: str, lang: str) -> str:
    known = {s.value for s in TaskStatus}
    return text(lang, f"export.task_{status}") if status in known else status


def _report_status(report: ReportRecord, lang: str) -> str:
    label = text(lang, f"export.status_{report.status}")
    if report.late:
        label = text(lang, "export.status_late", status=label)
    if report.status == ReportStatus.RETURNED and report.review_note:
        label = text(lang, "export.status_note", status=label, note=report.review_note)
    return label


def _report_rows(report: ReportRecord, items: list[EvidenceRecord], timezone: str, lang: str,
                 names: dict[int, str]) -> list[ActivityRow]:
    day_text = format_date(report.day, lang)
    time = f"{report.submitted_at.astimezone(ZoneInfo(timezone)):%H.%M}"
    status = _report_status(report, lang)
    approved_by = approved_at = ""
    if report.status == ReportStatus.APPROVED:
        approved_by = names.get(report.reviewed_by_id, "") if report.reviewed_by_id else ""
        approved_at = format_datetime(report.reviewed_at, timezone, lang) if report.reviewed_at else ""
    lines = [line for line in report.task_lines if isinstance(line, dict)]
    line_ids = {line.get("id") for line in lines}
    untasked = [e for e in items if e.task_id not in line_ids]
    summary = text(lang, "export.output_summary", summary=report.summary) if report.summary else ""
    rows = []
    if not lines:
        rows.append(ActivityRow(report.day, day_text, 1, time, text(lang, "export.no_tasks"), report.summary or "",
                                status, approved_by, approved_at, _evidence_text(items, lang)))
        return rows
    for no, line in enumerate(lines, start=1):
        output = _task_status(str(line.get("status", "")), lang)
        proof = _evidence_text([e for e in items if e.task_id is not None and e.task_id == line.get("id")], lang)
        if no == 1:
            output = "\n".join(x for x in (output, summary) if x)
            proof = "\n".join(x for x in (proof, _evidence_text(untasked, lang, "export.evidence_untasked")) if x)
        rows.append(ActivityRow(report.day, day_text, no, time, str(line.get("title", "")), output, status,
                                approved_by, approved_at, proof))
    return rows


def _absent_row(day: dt.date, mode: Mode, items: list[EvidenceRecord], lang: str) -> ActivityRow:
    if mode in EXCUSED:
        # The mode only: leave reasons (health, family) stay with the person's supervision chain.
        activity, status = text(lang, f"mode.{mode.value}"), text(lang, "export.status_excused")
    else:
        activity, status = text(lang, "export.no_report"), text(lang, "export.status_missing")
    return ActivityRow(day, format_date(day, lang), 1, "", activity, "", status, "", "", _evidence_text(items, lang))
