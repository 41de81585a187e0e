"""The morning briefing: today's mode, tasks (assigned and carried over), the deadline, and buttons.

`send_briefing(person, date)` is what the routine's clock calls at apel time; it is idempotent (a
second call for the same person and day sends nothing)."""

from __future__ import annotations

import datetime as dt

from bot.day_records import Actor, TaskRecord
from bot.domain.html import esc, sentence
from bot.domain.schedule import local_time
from bot.domain.tasks import STATUS_MARK, TaskSource, TaskStatus
from bot.domain.workday import Mode, expected_to_report
from bot.messages import Button, Outgoing, Reply, ReplyKind, Urgency
from bot.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.services.day_schedule import UnitDate, unit_date_of
from bot.services.turn import action, day_code, translator
from bot.texts import format_clock, format_date


def task_line(number: int, task: TaskRecord, day: dt.date, t) -> str:
    line = f"{number}. {STATUS_MARK[TaskStatus(task.status)]} {esc(task.title)}"
    if task.source == TaskSource.ASSIGNED:
        line += f" <i>({t('brief.assigned')})</i>"
    if task.due_date < day:
        line += f" <i>({t('brief.carried', date=format_date(task.due_date, t.lang))})</i>"
    if task.status == TaskStatus.BLOCKED and task.blocked_reason:
        line += f"\n   ⛔ {esc(task.blocked_reason)}"
    return line


async def briefing_reply(uow: UnitOfWork, actor: Actor, day: dt.date, t, unit_date: UnitDate) -> tuple[Reply, list[int]]:
    """One person's briefing, by their unit's day: its deadline, and libur on a weekend or holiday."""
    work_day = await uow.day.ensure_work_day(actor.person_id, day, unit_date.mode_without_roster.value)
    tasks = await uow.day.tasks_for_day(actor.person_id, day)
    deadline = local_time(day, unit_date.hours.deadline, actor.timezone)
    return render_briefing(actor, day, Mode(work_day.mode), tasks, deadline, t)


def render_briefing(actor: Actor, day: dt.date, mode: Mode, tasks: list[TaskRecord], deadline: dt.datetime,
                    t) -> tuple[Reply, list[int]]:
    """The briefing's text and buttons, and the ids of the tasks it announces."""
    lines = [
        t("brief.title", date=format_date(day, t.lang)),
        t("brief.greeting", name=sentence(esc(actor.name))),
        "",
        t("brief.mode", mode=t(f"mode.{mode.value}")),
    ]
    if not expected_to_report(mode):
        lines.append(t("brief.excused"))
        return Reply("\n".join(lines), ((Button(t("button.my_tasks"), action("tasks")),),), kind=ReplyKind.BRIEFING), []
    lines.append("")
    if tasks:
        lines.append(t("brief.tasks_header"))
        lines.extend(task_line(i, task, day, t) for i, task in enumerate(tasks, start=1))
    else:
        lines.append(t("brief.no_tasks"))
    lines += ["", t("brief.deadline", time=format_clock(deadline, actor.timezone))]
    buttons = (
        (Button(t("button.ready"), action("ack", day_code(day))),),
        (Button(t("button.my_tasks"), action("tasks")), Button(t("button.leave"), action("leave"))),
    )
    return Reply("\n".join(lines), buttons, kind=ReplyKind.BRIEFING), [task.id for task in tasks]


async def send_briefing(
    uow_factory: UnitOfWorkFactory, *, clock: Clock, person_id: int, day: dt.date, default_language: str
) -> list[Outgoing]:
    now = clock.now()
    async with uow_factory() as uow:
        actor = await uow.people.actor(person_id)
        if actor is None or not await uow.people.addresses([person_id]):
            # Nobody to send it to yet: left unmarked, so the first tick after they link gets it to them.
            return []
        unit_date = await unit_date_of(uow, actor.unit_id, day)
        await uow.day.ensure_work_day(person_id, day, unit_date.mode_without_roster.value)
        if not await uow.day.mark_briefed(person_id, day, now):
            return []
        t = translator(actor.language, default_language)
        reply, task_ids = await briefing_reply(uow, actor, day, t, unit_date)
        await uow.day.mark_announced(task_ids, now)
        out = [Outgoing(a.channel, a.external_id, reply, Urgency.BULK, person_id, kind="briefing",
                        key=briefing_key(day, person_id, a.channel.value))
               for a in await uow.people.addresses([person_id])]
        uow.outbox.add(out)
        await uow.commit()
    return out


def briefing_key(day: dt.date, person_id: int, channel: str) -> str:
    """One briefing per person, day and channel: writing it twice is a no-op."""
    return f"{briefing_key_prefix(day)}{person_id}:{channel}"


def briefing_key_prefix(day: dt.date) -> str:
    """What every briefing key of `day` begins with: the day's briefings, whatever apel time they were for."""
    return f"brief:{day.isoformat()}:"
