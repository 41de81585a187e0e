"""/tugas: today's tasks with buttons to mark them, say what blocks them, attach evidence, add one."""

from __future__ import annotations

from bot.domain.html import esc
from bot.domain.tasks import MAX_REASON, MAX_TITLE, TaskSource, TaskStatus, clean_text
from bot.messages import BUTTONS_MAX, Button
from bot.services.briefing import task_line
from bot.services.refusal import refuse_button
from bot.services.turn import Turn, action, numeric
from bot.texts import format_date

OPS = {"done": TaskStatus.DONE, "prog": TaskStatus.IN_PROGRESS}
NUMBERS_A_ROW = 8  # and more than 8 in a row


async def show_tasks(turn: Turn, *, edit: bool = False) -> None:
    tasks = await turn.uow.day.tasks_for_day(turn.actor.person_id, turn.today)
    # Tasks due later (an assignment for next week): the person can start, mark and prove them now.
    upcoming = await turn.uow.day.upcoming_tasks(turn.actor.person_id, turn.today)
    lines = [turn.t("task.title")]
    markable: list[tuple[int, int]] = []  # (number, task id) of the tasks that get buttons
    if not tasks:
        lines.append(turn.t("task.none"))
    for number, task in enumerate(tasks, start=1):
        lines.append(task_line(number, task, turn.today, turn.t))
        if task.status != TaskStatus.DONE:
            markable.append((number, task.id))
    if upcoming:
        lines += ["", turn.t("task.upcoming")]
    for number, task in enumerate(upcoming, start=len(tasks) + 1):
        lines.append(task_line(number, task, turn.today, turn.t) + " " +
                     turn.t("task.due", date=format_date(task.due_date, turn.lang)))
        markable.append((number, task.id))
    # Four buttons a task fit up to 24 tasks; a longer list (tasks carried over for weeks) gets one button a
    # task, its number, which opens that task's four.
    compact = len(markable) * 4 + 1 > BUTTONS_MAX
    if compact:
        numbers = [Button(str(n), action("t", task_id, "pick")) for n, task_id in markable[:BUTTONS_MAX - 1]]
        rows = [tuple(numbers[i:i + NUMBERS_A_ROW]) for i in range(0, len(numbers), NUMBERS_A_ROW)]
    else:
        rows = [_buttons(n, task_id) for n, task_id in markable]
    rows.append((Button(turn.t("button.add_task"), action("t", "add")),))
    if tasks or upcoming:
        lines.append("")
        lines.append(turn.t("task.legend_numbers" if compact else "task.legend"))
        if len(markable) > BUTTONS_MAX - 1:
            lines.append(turn.t("task.buttons_first", shown=BUTTONS_MAX - 1, count=len(markable)))
    turn.say("\n".join(lines), rows, edit=edit)


def _buttons(number: int | None, task_id: int) -> tuple[Button, ...]:
    suffix = "" if number is None else f" {number}"
    return (
        Button(f"✅{suffix}", action("t", task_id, "done")),
        Button(f"🔄{suffix}", action("t", task_id, "prog")),
        Button(f"⛔{suffix}", action("t", task_id, "block")),
        Button(f"📎{suffix}", action("t", task_id, "ev")),
    )


async def own_task(turn: Turn, task_id: int):
    task = await turn.uow.day.task(task_id)
    if task is None:
        turn.say(turn.t("common.not_available"))
        return None
    if task.person_id != turn.actor.person_id:
        await refuse_button(turn, "t", task.id)
        return None
    return task


async def on_tap(turn: Turn, parts: list[str]) -> None:
    if parts[1:] == ["add"]:
        await turn.set_state("own_task")
        turn.say(turn.t("task.ask_title"))
        return
    if len(parts) != 3 or not numeric(parts[1]):
        turn.say(turn.t("common.not_available"))
        return
    task = await own_task(turn, int(parts[1]))
    if task is None:
        return
    op = parts[2]
    if op in OPS:
        await turn.uow.day.set_task_status(task.id, OPS[op].value, None, turn.now)
        await show_tasks(turn, edit=True)
    elif op == "pick":  # a task's number under a long list: its four buttons
        turn.say("\n".join([turn.t("task.picked", title=esc(task.title)), turn.t("task.legend")]),
                 (_buttons(None, task.id),))
    elif op == "block":
        await turn.set_state("block_reason", task_id=task.id)
        turn.say(turn.t("task.ask_reason", title=esc(task.title)))
    elif op == "ev":
        await turn.set_state("evidence_for", task_id=task.id)
        turn.say(turn.t("task.send_evidence", title=esc(task.title)))
    else:
        turn.say(turn.t("common.not_available"))


async def on_own_task_text(turn: Turn, text: str) -> None:
    title = clean_text(text, MAX_TITLE)
    if title is None:
        turn.say(turn.t("task.bad_title", limit=MAX_TITLE))
        return
    await turn.uow.day.add_task(
        turn.actor.person_id, title, turn.today, TaskSource.OWN.value, None, turn.now, announced=True
    )
    await turn.clear_state()
    turn.say(turn.t("task.added", title=esc(title)))
    await show_tasks(turn)


async def on_block_reason(turn: Turn, data: dict, text: str) -> None:
    reason = clean_text(text, MAX_REASON)
    if reason is None:
        turn.say(turn.t("task.bad_reason", limit=MAX_REASON))
        return
    task = await own_task(turn, int(data.get("task_id", 0)))
    await turn.clear_state()
    if task is None:
        return
    await turn.uow.day.set_task_status(task.id, TaskStatus.BLOCKED.value, reason, turn.now)
    turn.say(turn.t("task.blocked", title=esc(task.title)))
    await show_tasks(turn)
