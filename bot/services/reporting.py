"""/lapor: the end-of-day report, step by step (tasks, summary, preview, submit), and /status.

The draft lives in the conversation state in the database, so a restart of the bot loses nothing.
Until the deadline a submitted report can be edited and sent again; after it, a first submission is
still accepted and marked late."""

from __future__ import annotations

from bot.domain.html import esc
from bot.domain.reports import MAX_SUMMARY, ReportStatus, is_late, may_edit
from bot.domain.tasks import STATUS_MARK, TaskStatus, clean_text
from bot.domain.workday import Mode, expected_to_report
from bot.messages import Button
from bot.services.review import resubmitted_notice
from bot.services.briefing import task_line
from bot.services.refusal import refuse_button
from bot.services.turn import Turn, action
from bot.texts import format_clock, format_date

REPORT_OPS = {"done": TaskStatus.DONE, "prog": TaskStatus.IN_PROGRESS}


async def _mode(turn: Turn) -> Mode:
    return Mode((await turn.work_day()).mode)


async def start(turn: Turn) -> None:
    mode = await _mode(turn)
    if not expected_to_report(mode):
        turn.say(turn.t("report.not_expected", mode=turn.t(f"mode.{mode.value}")))
        return
    report = await turn.uow.day.report(turn.actor.person_id, turn.today)
    status = ReportStatus(report.status) if report else None
    if not may_edit(status, turn.now, await turn.deadline()):
        turn.say(turn.t(f"report.locked_{status.value}"))
        return
    await turn.set_state("report", step="tasks", summary=report.summary if report else None)
    await show_tasks_step(turn)


async def show_tasks_step(turn: Turn, *, edit: bool = False) -> None:
    tasks = await turn.uow.day.tasks_for_day(turn.actor.person_id, turn.today)
    if not tasks:
        await ask_summary(turn)
        return
    lines = [turn.t("report.step_tasks", date=format_date(turn.today, turn.lang))]
    rows = []
    for number, task in enumerate(tasks, start=1):
        lines.append(task_line(number, task, turn.today, turn.t))
        if task.status != TaskStatus.DONE:
            rows.append(
                (
                    Button(f"✅ {number}", action("r", "t", task.id, "done")),
                    Button(f"🔄 {number}", action("r", "t", task.id, "prog")),
                )
            )
    rows.append((Button(turn.t("button.next"), action("r", "next")),))
    turn.say("\n".join(lines), rows, edit=edit)


async def ask_summary(turn: Turn) -> None:
    _, data = await turn.state()
    await turn.set_state("report", step="summary", summary=data.get("summary"))
    if data.get("summary"):
        turn.say(
            turn.t("report.ask_summary_again", summary=esc(data["summary"])),
            ((Button(turn.t("button.keep_summary"), action("r", "keep")),),),
        )
    else:
        turn.say(turn.t("report.ask_summary"))


async def on_summary_text(turn: Turn, text: str) -> None:
    summary = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    if not clean_text(summary, MAX_SUMMARY):
        turn.say(turn.t("report.bad_summary", limit=MAX_SUMMARY))
        return
    await turn.set_state("report", step="preview", summary=summary)
    await preview(turn)


async def preview(turn: Turn) -> None:
    _, data = await turn.state()
    tasks = await turn.uow.day.tasks_for_day(turn.actor.person_id, turn.today)
    evidence = await turn.uow.day.evidence_for_day(turn.actor.person_id, turn.today)
    done = sum(1 for t in tasks if t.status == TaskStatus.DONE)
    lines = [
        turn.t("report.preview_title", date=format_date(turn.today, turn.lang)),
        turn.t("report.tasks_done", done=done, total=len(tasks)),
    ]
    lines += [task_line(i, t, turn.today, turn.t) for i, t in enumerate(tasks, start=1)]
    lines += [
        "",
        turn.t("report.summary_label") + " " + esc(data.get("summary") or ""),
        turn.t("report.evidence_count", count=len(evidence)),
    ]
    if turn.now >= await turn.deadline():
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
    if op == "t" and len(parts) == 4 and parts[2].isdigit() and parts[3] in REPORT_OPS:
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
        await turn.set_state("report", step="preview", summary=data["summary"])
        await preview(turn)
    elif op == "send" and data.get("step") == "preview":
        await submit(turn, data["summary"])
    elif op == "cancel":
        await turn.clear_state()
        turn.say(turn.t("report.cancelled"), edit=True)
    else:
        turn.say(turn.t("common.not_available"))


async def submit(turn: Turn, summary: str) -> None:
    report = await turn.uow.day.report(turn.actor.person_id, turn.today)
    previous = ReportStatus(report.status) if report else None
    if not may_edit(previous, turn.now, await turn.deadline()):
        await turn.clear_state()
        turn.say(turn.t(f"report.locked_{previous.value}"))
        return
    tasks = await turn.uow.day.tasks_for_day(turn.actor.person_id, turn.today)
    evidence = await turn.uow.day.evidence_for_day(turn.actor.person_id, turn.today)
    # A report the superior returned keeps the lateness of its first submission: fixing it after the
    # deadline (digests arrive after it) must not make an on-time report late.
    late = report.late if previous is ReportStatus.RETURNED else is_late(turn.now, await turn.deadline())
    await turn.uow.day.save_report(
        turn.actor.person_id,
        turn.today,
        status=ReportStatus.SUBMITTED.value,
        summary=summary,
        task_lines=[{"id": t.id, "title": t.title, "status": t.status} for t in tasks],
        evidence_count=len(evidence),
        late=late,
        submitted_at=turn.now,
        at=turn.now,
    )
    await turn.clear_state()
    when = format_clock(turn.now, turn.actor.timezone)
    turn.say(turn.t("report.sent_late" if late else "report.sent", time=when), edit=True)
    if previous is ReportStatus.RETURNED and turn.actor.supervisor_id:
        saved = await turn.uow.day.report(turn.actor.person_id, turn.today)
        turn.tell(turn.actor.supervisor_id,
                  resubmitted_notice(esc(turn.actor.name), saved.id, saved.revision, summary))


async def status(turn: Turn) -> None:
    day = turn.today
    work_day = await turn.work_day()
    mode = Mode(work_day.mode)
    tasks = await turn.uow.day.tasks_for_day(turn.actor.person_id, day)
    evidence = await turn.uow.day.evidence_for_day(turn.actor.person_id, day)
    fixes = await turn.uow.day.fix_count(turn.actor.person_id, day)
    report = await turn.uow.day.report(turn.actor.person_id, day)
    done = sum(1 for t in tasks if t.status == TaskStatus.DONE)
    lines = [
        turn.t("status.title", date=format_date(day, turn.lang)),
        turn.t("brief.mode", mode=turn.t(f"mode.{mode.value}")),
        turn.t("status.ack_yes" if work_day and work_day.acknowledged_at else "status.ack_no"),
        turn.t("report.tasks_done", done=done, total=len(tasks)),
        turn.t("report.evidence_count", count=len(evidence)),
        turn.t("status.fixes", count=fixes),
    ]
    if not expected_to_report(mode):
        kind = (await turn.unit_date()).kind
        if not kind.workday:  # say why: a weekend, or which holiday or closure
            lines.append(turn.t(f"status.day_off_{kind.status}", name=esc(kind.reason or "")))
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
