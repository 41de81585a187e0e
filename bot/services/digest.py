"""A supervisor's digest of their people's day (text): mode, report status, tasks done of total,
evidence, and a one-line total. Built for many supervisors at once with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.html import esc
from bot.domain.reports import ReportStatus
from bot.domain.workday import DEFAULT_MODE, EXCUSED, Mode
from bot.messages import Button, Reply
from bot.ports import UnitOfWork
from bot.services.turn import action
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


async def lines_for(uow: UnitOfWork, people: dict[int, str], day: dt.date) -> dict[int, Line]:
    """people: person id -> name. Five queries whatever the number of people."""
    ids = list(people)
    work_days = await uow.day.work_days_for(ids, day)
    reports = await uow.day.reports_for(ids, day)
    tasks = await uow.day.task_counts(ids, day)
    evidence = await uow.day.evidence_counts(ids, day)
    out = {}
    for pid, name in people.items():
        mode = Mode(work_days[pid].mode) if pid in work_days else DEFAULT_MODE
        report = reports.get(pid)
        if mode in EXCUSED:
            status = "excused"
        elif report is None or report.status == ReportStatus.DRAFT:
            status = "missing"
        else:
            status = "late" if report.late else "on_time"
        done, total = tasks.get(pid, (0, 0))
        out[pid] = Line(pid, name, mode, status, report.submitted_at if report else None, done, total,
                        evidence.get(pid, 0))
    return out


def render(lines: list[Line], *, day: dt.date, timezone: str, t) -> Reply:
    body = [t("digest.title", date=format_date(day, t.lang))]
    counts = {"on_time": 0, "late": 0, "missing": 0, "excused": 0}
    for number, line in enumerate(lines, start=1):
        counts[line.status] += 1
        when = format_clock(line.submitted_at, timezone) if line.submitted_at else ""
        state = t(f"digest.{line.status}", mode=t(f"mode.{line.mode.value}"), time=when)
        body.append(t("digest.line", number=number, name=esc(line.name), state=state, done=line.done,
                      total=line.total, evidence=line.evidence))
    body += ["", t("digest.total", people=len(lines), **counts)]
    rows = tuple((Button(f"{i}. {line.name[:30]}", action("tim", line.person_id)),)
                 for i, line in enumerate(lines, start=1))
    return Reply("\n".join(body), rows)
