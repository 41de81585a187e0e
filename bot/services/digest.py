"""A supervisor's digest of their people's day: per person the mode, report status (on time / late /
missing / excused), approval, tasks done of total and evidence; a one-line total; and for higher levels
a roll-up per sub-unit. Built for many supervisors at once with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from bot.domain.flags import FlagRecord
from bot.domain.html import clip, esc
from bot.domain.reports import ReportStatus
from bot.domain.workday import DEFAULT_MODE, EXCUSED, Mode
from bot.messages import BUTTONS_MAX, Button, Reply, ReplyKind
from bot.ports import CardRow, DigestCardData, UnitOfWork
from bot.presence_records import SummaryRecord
from bot.services import digest_presence
from bot.services.turn import action, day_code
from bot.texts import format_clock, format_date


@dataclass(frozen=True)
class Line:
    person_id: int
    name: str
    mode: Mode
    status: str  # on_time | late | missing | excused
    submitted_at: dt.datetime | None
    done: int
    total: int
    evidence: int
    report_id: int | None = None
    revision: int = 0
    approval: str | None = None  # approved | returned | None (waiting, when submitted)
    reviewed_at: dt.datetime | None = None
    flags: tuple[FlagRecord, ...] = ()  # every flag of the day, excused ones included
    presence: SummaryRecord | None = None  # computed after the deadline
    permissions: tuple[tuple[dt.datetime, dt.datetime], ...] = ()  # approved izin keluar rumah windows


@dataclass(frozen=True)
class RollUp:
    """One sub-unit (a direct report who heads people) summed over everyone below its head."""

    head: str
    reported: int
    late: int
    missing: int
    excused: int
    approved: int
    submitted: int
    # "on_time" (everything reviewed within the window), "open" (the window still runs), "late", "none" (no
    # report came, so nothing to review: "reviewed on time" read as praise beside four people missing)
    review: str
    review_by: dt.datetime  # the end of that head's review window
    unit: str  # the sub-unit the head leads: a head of office thinks in units, not only names


async def lines_for(uow: UnitOfWork, people: dict[int, str], day: dt.date,
                    modes: dict[int, Mode] | None = None) -> dict[int, Line]:
    """people: person id -> name. Seven queries whatever the number of people. `modes`: a person's mode
    when they have no work day that date (libur on their unit's day off); WFO otherwise."""
    ids = list(people)
    work_days = await uow.day.work_days_for(ids, day)
    reports = await uow.day.reports_for(ids, day)
    tasks = await uow.day.task_counts(ids, day)
    evidence = await uow.day.evidence_counts(ids, day)
    flags = await uow.flags.for_day(ids, day)
    presence = await uow.presence.summaries_for(ids, day)
    # The day in any Indonesian zone (UTC+7 to +9) lies inside this span; windows are shown, not counted.
    span_start = dt.datetime.combine(day, dt.time.min, dt.UTC) - dt.timedelta(hours=9)
    permits = await uow.leave.approved_windows(ids, span_start, span_start + dt.timedelta(hours=24))
    out = {}
    none = (0, 0)
    for pid, name in people.items():
        work_day = work_days.get(pid)
        if work_day is None:
            mode = modes.get(pid, DEFAULT_MODE) if modes else DEFAULT_MODE
        else:
            mode = _MODES.get(work_day.mode) or Mode(work_day.mode)
        report = reports.get(pid)
        done, total = tasks.get(pid, none)
        if report is None or report.status == ReportStatus.DRAFT:  # not submitted
            status = "excused" if mode in EXCUSED else "missing"
            out[pid] = Line(pid, name, mode, status, None, done, total, evidence.get(pid, 0),
                            flags=tuple(flags.get(pid, ())), presence=presence.get(pid),
                            permissions=tuple(permits.get(pid, ())))
            continue
        if mode in EXCUSED:
            status = "excused"
        else:
            status = "late" if report.late else "on_time"
        approval = report.status if report.status in ("approved", "returned") else None
        out[pid] = Line(pid, name, mode, status, report.submitted_at, done, total, evidence.get(pid, 0), report.id,
                        report.revision, approval, report.reviewed_at, tuple(flags.get(pid, ())), presence.get(pid),
                        tuple(permits.get(pid, ())))
    return out


_MODES = {m.value: m for m in Mode}  # Mode(value) without the enum machinery: a whole office has many lines


def waiting_review(line: Line) -> bool:
    return line.report_id is not None and line.approval is None


def roll_up(head: str, unit: str, lines: list[Line], review_deadline: dt.datetime, now: dt.datetime) -> RollUp:
    """`now`: when the digest is made; before `review_deadline` an unfinished review is not yet late."""
    submitted = [x for x in lines if x.report_id is not None]
    reviewed = all(x.reviewed_at is not None and x.reviewed_at <= review_deadline for x in submitted)
    return RollUp(
        head=head,
        reported=sum(x.status == "on_time" for x in lines),
        late=sum(x.status == "late" for x in lines),
        missing=sum(x.status == "missing" for x in lines),
        excused=sum(x.status == "excused" for x in lines),
        approved=sum(x.approval == "approved" for x in lines),
        submitted=len(submitted),
        review="none" if not submitted else "on_time" if reviewed else "open" if now < review_deadline else "late",
        review_by=review_deadline,
        unit=unit,
    )


@functools.lru_cache(maxsize=64)
def _date(day: dt.date, lang) -> str:
    """The title's date: the same for every digest of a tick, and Babel takes its time."""
    return format_date(day, lang)


# Telegram refuses a message with more than 100 inline buttons ("reply markup is too long"). A person has at
# most three (approve, return, view): a team whose buttons do not fit gets them a page at a time.
PAGE_PEOPLE = 30  # 30 × 3 + approve-all + two page buttons stay under BUTTONS_MAX


def person_buttons(number: int, line: Line, day: dt.date) -> tuple[Button, ...]:
    # 👁 opens the person's `day`, for whoever may review it (`review.above_on_day`): a past day's digest
    # lists people under that day's supervisor, who may no longer be above them today.
    view = Button(f"👁 {number}", action("tim", line.person_id, day_code(day)))
    if not waiting_review(line):
        return (view,)
    return (Button(f"✅ {number}", action("ap", line.report_id, line.revision)),
            Button(f"↩️ {number}", action("rt", line.report_id, line.revision)), view)


def page_count(lines: list[Line]) -> int:
    """1 when every person's buttons fit in one message with the approve-all button, else the pages."""
    if sum(3 if waiting_review(x) else 1 for x in lines) + 1 <= BUTTONS_MAX:  # person_buttons' count
        return 1
    return -(-len(lines) // PAGE_PEOPLE)


def page_rows(lines: list[Line], *, day: dt.date, supervisor_id: int, page: int, t,
              edit: bool = False, start: int = 1) -> list[tuple[Button, ...]]:
    """The buttons of people on `page` (0-based; everyone when they fit in one message), then ◀ / ▶ to
    the pages around it. `edit`: the page buttons replace the message they are on (a page, not the digest)."""
    pages = page_count(lines)
    first = page * PAGE_PEOPLE if pages > 1 else 0
    shown = lines[first:first + PAGE_PEOPLE] if pages > 1 else lines
    rows = [person_buttons(number, line, day) for number, line in enumerate(shown, start=first + start)]
    nav = []
    for other, key in ((page - 1, "digest.page_prev"), (page + 1, "digest.page_next")):
        if pages > 1 and 0 <= other < pages:
            low, high = other * PAGE_PEOPLE + start, min((other + 1) * PAGE_PEOPLE, len(lines)) + start - 1
            # The page carries where the team's numbers began, so it numbers its people as the digest did.
            nav.append(Button(t(key, first=low, last=high), action(
                "dg", day_code(day), supervisor_id, other, "e" if edit else "n", *([start] if start != 1 else []))))
    return rows + ([tuple(nav)] if nav else [])


def render(lines: list[Line], *, day: dt.date, timezone: str, t, supervisor_id: int,
           rollups: list[RollUp] = (), start: int = 1) -> Reply:
    """`supervisor_id`: whose direct reports `lines` are (the page buttons of a large team name them);
    `start`: the number of the first person (`turn.numbers_after`: an earlier list of the turn ended before)."""
    body = [t("digest.title", date=_date(day, t.lang))]
    counts = {"on_time": 0, "late": 0, "missing": 0, "excused": 0}
    words: dict[str, str] = {}  # texts without parameters (modes, approvals), looked up once per digest

    def word(key: str) -> str:
        found = words.get(key)
        if found is None:
            found = words[key] = t(key)
        return found

    for number, line in enumerate(lines, start=start):
        counts[line.status] += 1
        when = format_clock(line.submitted_at, timezone) if line.submitted_at else ""
        state = t(f"digest.{line.status}", mode=word(f"mode.{line.mode.value}"),
                  short=word(f"mode_short.{line.mode.value}"), time=when)
        if line.approval:
            state += " · " + word(f"digest.{line.approval}")
        body.append(t("digest.line", number=number, name=esc(line.name), state=state, done=line.done,
                      total=line.total, evidence=line.evidence))
        if line.flags or line.presence or line.permissions:
            body += digest_presence.extra_lines(line, timezone=timezone, t=t)
    rows = page_rows(lines, day=day, supervisor_id=supervisor_id, page=0, t=t, start=start)
    body += ["", t("digest.total", people=len(lines), **counts)]
    if page_count(lines) > 1:
        body.append(t("digest.paged", shown=PAGE_PEOPLE))
    if rollups:
        body += ["", t("digest.rollup_title")]
        for r in rollups:
            mark = t(f"digest.review_{r.review}", time=format_clock(r.review_by, timezone))
            body.append(t("digest.rollup_line", head=esc(clip(r.head, 40)), unit=esc(clip(r.unit, 50)),
                          reported=r.reported, late=r.late, missing=r.missing, excused=r.excused,
                          approved=r.approved, submitted=r.submitted, reviewed=mark))
    if any(x.status == "on_time" and waiting_review(x) for x in lines):
        # After the people's rows, so that row N is the digest's person N (WhatsApp numbers the rows).
        rows.append((Button(t("button.approve_all_on_time"), action("apall", day_code(day), supervisor_id)),))
    return Reply("\n".join(body), tuple(rows), kind=ReplyKind.DIGEST)


def card_data(lines: list[Line], *, day: dt.date, subtitle: str, timezone: str, t,
              rollups: list[RollUp] = ()) -> DigestCardData:
    """The digest as the picture shows it, in the recipient's language (`t`)."""
    counts = {"on_time": 0, "late": 0, "missing": 0, "excused": 0}
    rows = []
    for line in lines:
        counts[line.status] += 1
        when = format_clock(line.submitted_at, timezone).split()[0] if line.submitted_at else ""
        label = t(f"digest.card_{line.status}", time=when, mode=t(f"mode_short.{line.mode.value}"))
        rows.append(CardRow(line.name, t(f"mode_short.{line.mode.value}"), line.status, label, line.done,
                            line.total, line.evidence, digest_presence.short_labels(line, t)))
    shown = CARD_ROWS
    return DigestCardData(
        title=t("digest.card_title", date=format_date(day, t.lang)),
        subtitle=subtitle,
        rows=tuple(rows),
        totals_label=t("digest.total", people=len(lines), **counts),
        sub_units=tuple((r.head, r.reported + r.late, r.late, r.missing, r.excused) for r in rollups),
        more_label=t("digest.card_more", count=len(rows) - shown) if len(rows) > shown else "",
        rollup_title=t("digest.card_rollup") if rollups else "",
        rollup_headers=(t("digest.card_h_reported"), t("digest.card_h_late"), t("digest.card_h_missing"),
                        t("digest.card_h_excused")),
    )


CARD_ROWS = 60  # the picture shows at most this many people; the text always has everyone
