"""Asking for leave, sick leave, field duty or a short permission to leave home, from the briefing's
button; the superior approves or refuses with a button. An approved cuti / sakit / DL sets the day's
mode, so no report is expected that day."""

from __future__ import annotations

from bot.domain.html import esc
from bot.domain.tasks import MAX_REASON, clean_text
from bot.domain.workday import LEAVE_MODE, LeaveKind
from bot.messages import Button, Reply
from bot.services.turn import Turn, action
from bot.texts import format_date


async def start(turn: Turn) -> None:
    rows = [(Button(turn.t(f"leave.kind_{k.value}"), action("lv", k.value)),) for k in LeaveKind]
    turn.say(turn.t("leave.ask_kind"), rows)


async def on_kind(turn: Turn, parts: list[str]) -> None:
    kinds = {k.value for k in LeaveKind}
    if len(parts) != 2 or parts[1] not in kinds:
        turn.say(turn.t("common.not_available"))
        return
    await turn.set_state("leave", kind=parts[1])
    turn.say(turn.t("leave.ask_reason", kind=turn.t(f"leave.kind_{parts[1]}")))


async def on_reason(turn: Turn, data: dict, text: str) -> None:
    reason = clean_text(text, MAX_REASON)
    if reason is None:
        turn.say(turn.t("task.bad_reason", limit=MAX_REASON))
        return
    kind = data.get("kind", LeaveKind.OUTING.value)
    await turn.clear_state()
    boss = turn.actor.supervisor_id
    if boss is None:
        turn.say(turn.t("leave.no_supervisor"))
        return
    leave_id = await turn.uow.day.add_leave(turn.actor.person_id, kind, turn.today, reason, turn.now)
    turn.say(turn.t("leave.sent"))
    name, day = esc(turn.actor.name), turn.today
    turn.tell(boss, lambda t: Reply(
        t("leave.request", name=name, kind=t(f"leave.kind_{kind}"), date=format_date(day, t.lang), reason=esc(reason)),
        ((Button(t("button.approve"), action("lvd", leave_id, "y")), Button(t("button.refuse"), action("lvd", leave_id, "n"))),),
    ))


async def on_decision(turn: Turn, parts: list[str]) -> None:
    if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in ("y", "n"):
        turn.say(turn.t("common.not_available"))
        return
    request = await turn.uow.day.leave(int(parts[1]))
    allowed = request is not None and (
        turn.actor.is_admin or turn.actor.person_id in await turn.uow.people.chain(request.person_id)
    )
    if not allowed:
        turn.say(turn.t("common.not_available"))
        return
    approved = parts[2] == "y"
    if not await turn.uow.day.decide_leave(request.id, "approved" if approved else "refused", turn.actor.person_id, turn.now):
        turn.say(turn.t("leave.already_decided"))
        return
    mode = LEAVE_MODE.get(LeaveKind(request.kind))
    if approved and mode is not None:
        await turn.uow.day.set_mode(request.person_id, request.day, mode.value, "leave", request.reason)
    requester = await turn.uow.people.actor(request.person_id)
    who = esc(requester.name) if requester else ""
    turn.say(turn.t("leave.decided_approved" if approved else "leave.decided_refused", name=who), edit=True)
    kind, day = request.kind, request.day
    key = "leave.your_approved" if approved else "leave.your_refused"
    turn.tell(request.person_id, lambda t: Reply(t(key, kind=t(f"leave.kind_{kind}"), date=format_date(day, t.lang))))
