"""/lapor: the end-of-day report, step by step (tasks, summary, preview, submit), and /status.

The draft lives in the conversation state in the database, so a restart of the bot loses nothing.
Until the deadline a submitted report can be edited and sent again; after it, a first submission is
still accepted and marked late. A report the superior returned is fixed for its own day, whenever the
return came (the next morning, a Friday's on Monday): the flow's day is in the state, today by default."""

from __future__ import annotations

import datetime as dt

from bot.domain.html import esc
from bot.domain.reports import MAX_SUMMARY, ReportStatus, is_late, may_edit
from bot.domain.tasks import STATUS_MARK, TaskStatus, clean_text
from bot.domain.workday import Mode, expected_to_report
from bot.messages import BUTTONS_MAX, Button
from bot.services.review import resubmitted_notice
from bot.services.briefing import task_line
from bot.services.leave_routing import deciders_for
from bot.services.refusal import refuse_button
from bot.services.turn import Turn, action, numeric
from bot.texts import format_clock, format_date

REPORT_OPS = {"done": TaskStatus.DONE, "prog": TaskStatus.IN_PROGRESS}
RETURNED_LOOKBACK_DAYS = 31  # /lapor offers to fix returned reports of this many days back
DONE_A_ROW = 5


async def _mode(turn: Turn) -> Mode:
    return Mode((await turn.work_day()).mode)


async def start(turn: Turn) -> None:
    """/lapor: today's report; returned reports of earlier days are offered first, each with its button."""
    await _offer_returned(turn)
    mode = await _mode(turn)
    if not expected_to_report(mode):
        turn.say(turn.t("report.not_expected", mode=turn.t(f"mode.{mode.value}")))
        return
    report = await turn.uow.day.report(turn.actor.person_id, turn.today)
    status = ReportStatus(report.status) if report else None
    if not may_edit(status, turn.now, await turn.deadline()):
        turn.say(turn.t(f"report.locked_{status.value}"))
        return
    await turn.set_state("report", step="tasks", summary=report.summary if report else None,
                         day=turn.today.isoformat(), returned=status is ReportStatus.RETURNED)
    await show_tasks_step(turn)


async def on_start_tap(turn: Turn, parts: list[str]) -> None:
    """The 📝 buttons: `lapor` (today, under a reminder) or `lapor:<date>` (a returned report's own day)."""
    if len(parts) < 2 or parts[1] == turn.today.isoformat():
        await start(turn)
        return
    try:
        day = dt.date.fromisoformat(parts[1])
    except ValueError:
        turn.say(turn.t("common.not_available"))
        return
    report = await turn.uow.day.report(turn.actor.person_id, day)
    if report is None or report.status != ReportStatus.RETURNED:  # already fixed, or never returned
        turn.say(turn.t("report.nothing_to_fix", date=format_date(day, turn.lang)))
        return
    await turn.set_state("report", step="tasks", summary=report.summary, day=day.isoformat(), returned=True)
    await show_tasks_step(turn)


async def _offer_returned(turn: Turn) -> None:
    start = turn.today - dt.timedelta(days=RETURNED_LOOKBACK_DAYS)
    earlier = await turn.uow.day.reports_between([turn.actor.person_id], start, turn.today - dt.timedelta(days=1))
    for report in sorted((r for r in earlier if r.status == ReportStatus.RETURNED), key=lambda r: r.day):
        date = format_date(report.day, turn.lang)
        turn.say(turn.t("report.returned_pending", date=date),
                 ((Button(turn.t("button.fix_report_of", date=_short(report.day)),
                          action("lapor", report.day.isoformat())),),))


def _short(day: dt.date) -> str:
    return f"{day.day}/{day.month}"


def _day(data: dict, turn: Turn) -> dt.date:
    """The day the report being written is for (state from before days were kept: today)."""
    return dt.date.fromisoformat(data["day"]) if data.get("day") else turn.today


async def show_tasks_step(turn: Turn, *, edit: bool = False) -> None:
    _, data = await turn.state()
    day = _day(data, turn)
    tasks = await turn.uow.day.tasks_for_day(turn.actor.person_id, day)
    if not tasks:
        await ask_summary(turn)
        return
    lines = [turn.t("report.step_tasks", date=format_date(day, turn.lang))]
    open_tasks = [(number, task) for number, task in enumerate(tasks, start=1) if task.status != TaskStatus.DONE]
    lines += [task_line(number, task, day, turn.t) for number, task in enumerate(tasks, start=1)]
    if len(open_tasks) * 2 + 1 <= BUTTONS_MAX:
        rows = [(Button(f"✅ {number}", action("r", "t", task.id, "done")),
                 Button(f"🔄 {number}", action("r", "t", task.id, "prog"))) for number, task in open_tasks]
    else:  # more than 49 open tasks: two buttons each would be refused by Telegram; ✅ is what a report needs
        done = [Button(f"✅ {number}", action("r", "t", task.id, "done")) for number, task in open_tasks]
        done = done[:BUTTONS_MAX - 1]
        rows = [tuple(done[i:i + DONE_A_ROW]) for i in range(0, len(done), DONE_A_ROW)]
    rows.append((Button(turn.t("button.next"), action("r", "next")),))
    turn.say("\n".join(lines), rows, edit=edit)


async def ask_summary(turn: Turn) -> None:
    _, data = await turn.state()
    await turn.set_state("report", **{**data, "step": "summary"})
    if data.get("summary"):
        turn.say(
            turn.t("report.ask_summary_again", summary=esc(data["summary"])),
            ((Button(turn.t("button.keep_summary"), action("r", "keep")),),),
        )
    elif _day(data, turn) != turn.today:
        turn.say(turn.t("report.ask_summary_of", date=format_date(_day(data, turn), turn.lang)))
    else:
        turn.say(turn.t("report.ask_summary"))


async def on_summary_text(turn: Turn, text: str) -> None:
    summary = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    if not clean_text(summary, MAX_SUMMARY):
        turn.say(turn.t("report.bad_summary", limit=MAX_SUMMARY))
        return
    _, data = await turn.state()
    await turn.set_state("report", **{**data, "step": "preview", "summary": summary})
    await preview(turn)


async def preview(turn: Turn) -> None:
    _, data = await turn.state()
    day = _day(data, turn)
    tasks = await turn.uow.day.tasks_for_day(turn.actor.person_id, day)
    evidence = await turn.uow.day.evidence_for_day(turn.actor.person_id, day)
    done = sum(1 for t in tasks if t.status == TaskStatus.DONE)
    lines = [
        turn.t("report.preview_title", date=format_date(day, turn.lang)),
        turn.t("report.tasks_done", done=done, total=len(tasks)),
    ]
    lines += [task_line(i, t, day, turn.t) for i, t in enumerate(tasks, start=1)]
    lines += [
        "",
        turn.t("report.summary_label") + " " + esc(data.get("summary") or ""),
        turn.t("report.evidence_count", count=len(evidence)),
    ]
    # A returned report keeps its first submission's lateness, so only a first submission is warned.
    if not data.get("returned") and turn.now >= await turn.deadline():
        lines.append(turn.t("report.will_be_late"))
    rows = (
        (Button(turn.t("button.send_report"), action("r", "send")),),
        (Button(turn.t("button.edit_summary"), action("r", "next")), Button(turn.t("button.cancel"), action("r", "cancel"))),
    )
    turn.say("\n".join(lines), rows)


async def on_tap(turn: Turn, parts: list[str]) -> None:
    state, data = await turn.state()
    if state != "report":
        turn.say(turn.t("common.not_available"))
        return
    op = parts[1] if len(parts) > 1 else ""
    if op == "t" and len(parts) == 4 and numeric(parts[2]) and parts[3] in REPORT_OPS:
        task = await turn.uow.day.task(int(parts[2]))
        if task is not None and task.person_id != turn.actor.person_id:
            await refuse_button(turn, "r", task.id)
            return
        if task is None:
            turn.say(turn.t("common.not_available"))
            return
        await turn.uow.day.set_task_status(task.id, REPORT_OPS[parts[3]].value, None, turn.now)
        await show_tasks_step(turn, edit=True)
    elif op == "next":
        await ask_summary(turn)
    elif op == "keep" and data.get("summary"):
        await turn.set_state("report", **{**data, "step": "preview"})
        await preview(turn)
    elif op == "send" and data.get("step") == "preview":
        await submit(turn, data["summary"], _day(data, turn))
    elif op == "cancel":
        await turn.clear_state()
        turn.say(turn.t("report.cancelled"), edit=True)
    else:
        turn.say(turn.t("common.not_available"))


async def submit(turn: Turn, summary: str, day: dt.date) -> None:
    report = await turn.uow.day.report(turn.actor.person_id, day)
    previous = ReportStatus(report.status) if report else None
    # An earlier day's report is only ever a returned one being fixed.
    allowed = previous is ReportStatus.RETURNED if day != turn.today else may_edit(previous, turn.now, await turn.deadline())
    if not allowed:
        await turn.clear_state()
        if day != turn.today:  # a draft begun on a day that has ended, or a fix sent already
            key = "report.nothing_to_fix" if previous is not None and previous is not ReportStatus.DRAFT else "report.day_over"
            turn.say(turn.t(key, date=format_date(day, turn.lang)))
        else:
            turn.say(turn.t(f"report.locked_{previous.value}"))
        return
    tasks = await turn.uow.day.tasks_for_day(turn.actor.person_id, day)
    evidence = await turn.uow.day.evidence_for_day(turn.actor.person_id, day)
    # A report the superior returned keeps its first submission, time and lateness: fixing it after the
    # deadline (digests arrive after it) must not make an on-time report late, nor show a later time.
    fixing = previous is ReportStatus.RETURNED
    late = report.late if fixing else is_late(turn.now, await turn.deadline())
    await turn.uow.day.save_report(
        turn.actor.person_id,
        day,
        status=ReportStatus.SUBMITTED.value,
        summary=summary,
        task_lines=[{"id": t.id, "title": t.title, "status": t.status} for t in tasks],
        evidence_count=len(evidence),
        late=late,
        submitted_at=report.submitted_at if fixing and report.submitted_at else turn.now,
        at=turn.now,
    )
    await turn.clear_state()
    when = format_clock(turn.now, turn.actor.timezone)
    if fixing:
        turn.say(turn.t("report.resent_late" if late else "report.resent", date=format_date(day, turn.lang), time=when),
                 edit=True)
    else:
        turn.say(turn.t("report.sent_late" if late else "report.sent", time=when), edit=True)
    if fixing and turn.actor.supervisor_id:
        saved = await turn.uow.day.report(turn.actor.person_id, day)
        # To whoever can review it now: the direct superior, or the next one up when they have no chat or
        # are away (as for leave requests); anyone above may review it.
        for reviewer in (await deciders_for(turn.uow, turn.actor.person_id, turn.today)).to:
            turn.tell(reviewer, resubmitted_notice(esc(turn.actor.name), saved.id, saved.revision, summary, day))


async def status(turn: Turn) -> None:
    day = turn.today
    work_day = await turn.work_day()
    mode = Mode(work_day.mode)
    tasks = await turn.uow.day.tasks_for_day(turn.actor.person_id, day)
    evidence, fixes, report = await turn.uow.day.day_summary(turn.actor.person_id, day)
    done = sum(1 for t in tasks if t.status == TaskStatus.DONE)
    lines = [
        turn.t("status.title", date=format_date(day, turn.lang)),
        turn.t("brief.mode", mode=turn.t(f"mode.{mode.value}")),
    ]
    excused = not expected_to_report(mode)
    if excused:  # no briefing goes out on a day off or to someone away: say why, not "apel not confirmed"
        lines += [await _why_off(turn, mode, work_day.reason), turn.t("status.no_apel")]
    else:
        lines.append(turn.t("status.ack_yes" if work_day.acknowledged_at else "status.ack_no"))
    lines += [
        turn.t("report.tasks_done", done=done, total=len(tasks)),
        turn.t("report.evidence_count", count=evidence),
        turn.t("status.fixes", count=fixes),
    ]
    if excused:
        lines.append(turn.t("status.excused"))
    elif report is None or report.status == ReportStatus.DRAFT:
        deadline = format_clock(await turn.deadline(), turn.actor.timezone)
        lines.append(turn.t("status.report_missing", time=deadline))
    else:
        when = format_clock(report.submitted_at, turn.actor.timezone) if report.submitted_at else ""
        lines.append(turn.t(f"status.report_{report.status}", time=when))
        if report.late:
            lines.append(turn.t("status.late"))
    missing = [STATUS_MARK[TaskStatus(t.status)] + " " + esc(t.title) for t in tasks if t.status != TaskStatus.DONE]
    if missing:
        lines += ["", turn.t("status.open_tasks")] + missing
    turn.say("\n".join(lines))


async def _why_off(turn: Turn, mode: Mode, reason: str | None) -> str:
    """The unit's day off (a weekend, which holiday or closure) before the person's own absence."""
    kind = (await turn.unit_date()).kind
    if not kind.workday:
        return turn.t(f"status.day_off_{kind.status}", name=esc(kind.reason or ""))
    line = turn.t(f"status.away_{mode.value}")
    return line + (" " + turn.t("status.away_reason", reason=esc(reason)) if reason else "")
