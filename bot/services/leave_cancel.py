"""A person cancels their own leave or permission request, from /izin: a pending one, or an approved one
before it begins (its first day, in the person's zone; an izin's window starts when it is asked, so an
approved izin has always begun). An approved cuti, sakit or DL gives its days back the mode planned before
the approval (roster, directive, an admin's override), or, without one, leaves them to the routine's
planning; days already begun are not touched. Whoever was asked (or approved) is told."""

from __future__ import annotations

import datetime as dt

from bot.day_records import LeaveRecord
from bot.domain.html import esc
from bot.domain.schedule import local_time
from bot.messages import Button, Reply
from bot.services.leave_days import period_text, workday_count
from bot.services.leave_routing import deciders_for
from bot.services.refusal import actor_label, refuse_button
from bot.services.turn import Turn, action, numeric

MAX_LISTED = 10  # a person rarely has more open requests; a WhatsApp list holds 10


def begins_at(request: LeaveRecord, zone: str) -> dt.datetime:
    return request.starts_at or local_time(request.day, dt.time(0, 0), zone)


def cancellable(request: LeaveRecord, zone: str, now: dt.datetime) -> bool:
    return request.status == "pending" or (request.status == "approved" and now < begins_at(request, zone))


async def cancellable_lines(turn: Turn) -> tuple[list[str], list[tuple[Button, ...]]]:
    """/izin's lines for the requests the person may still cancel, each with 🗑 Batalkan; none without any.
    They go in the message that asks for the kind, their buttons first: where a typed number picks a button
    (WhatsApp), "1" is then request 1, the line the person reads as 1, not the kind list of a later message."""
    zone = turn.actor.timezone
    found = [r for r in await turn.uow.leave.open_of(turn.actor.person_id, turn.today)
             if cancellable(r, zone, turn.now)][:MAX_LISTED]
    if not found:
        return [], []
    lines, rows = [turn.t("leave.open_title")], []
    for number, request in enumerate(found, start=1):
        workdays = await workday_count(turn.uow, turn.actor.unit, request)
        lines.append(turn.t(f"leave.open_{request.status}", number=number, kind=turn.t(f"leave.kind_{request.kind}"),
                            period=period_text(request, turn.t, zone, workdays)))
        label = turn.t("button.cancel_leave") + (f" {number}" if len(found) > 1 else "")
        rows.append((Button(label, action("lvc", request.id)),))
    return lines, rows


async def on_cancel(turn: Turn, parts: list[str]) -> None:
    """`lvc:<id>` asks "cancel this?" (a tap too easily made on a phone: an approved leave gives its days
    back); `lvc:<id>:y` cancels the person's own request if it still may be, `lvc:<id>:n` keeps it."""
    answer = parts[2] if len(parts) == 3 else None
    valid = len(parts) in (2, 3) and numeric(parts[1]) and answer in (None, "y", "n")
    request = await turn.uow.leave.get(int(parts[1])) if valid else None
    if request is None:
        turn.say(turn.t("common.not_available"))
        return
    if request.person_id != turn.actor.person_id:
        await refuse_button(turn, "lvc", request.id)
        return
    zone = turn.actor.timezone
    workdays = await workday_count(turn.uow, turn.actor.unit, request)
    what = dict(kind=turn.t(f"leave.kind_{request.kind}"), period=period_text(request, turn.t, zone, workdays))
    if answer == "n":
        turn.say(turn.t("leave.cancel_kept", **what), edit=True)
        return
    if not cancellable(request, zone, turn.now):
        turn.say(turn.t("leave.cannot_cancel"))
        return
    if answer is None:
        note = turn.t("leave.cancel_gives_days_back") if request.status == "approved" else ""
        turn.say(turn.t("leave.cancel_confirm", **what) + (f"\n{note}" if note else ""),
                 [(Button(turn.t("button.cancel_leave_yes"), action("lvc", request.id, "y")),
                   Button(turn.t("button.cancel_leave_no"), action("lvc", request.id, "n")))], edit=True)
        return
    if not await turn.uow.leave.cancel(request.id, request.status, turn.now):
        turn.say(turn.t("leave.cannot_cancel"))
        return
    if request.status == "approved":
        await _give_back_days(turn, request)
    await turn.uow.audit.record(turn.now, actor_label(turn), "leave_cancelled",
                                {"request": request.id, "kind": request.kind, "was": request.status})
    turn.say(turn.t("leave.cancelled", **what), edit=True)
    name, key = esc(turn.actor.name), f"leave.cancelled_{request.status}"
    told = [request.decided_by_id] if request.status == "approved" and request.decided_by_id else list(request.asked_ids)
    if not told:  # asked before who was asked was kept: whoever would be asked now
        told = (await deciders_for(turn.uow, request.person_id, turn.today)).to
    for person_id in told:
        turn.tell(person_id, lambda t: Reply(t(key, name=name, kind=t(f"leave.kind_{request.kind}"),
                                               period=period_text(request, t, zone, workdays))))


async def _give_back_days(turn: Turn, request: LeaveRecord) -> None:
    """The days the approval set that have not begun (all of them: it had not begun) and that nothing has
    changed since: their earlier plan back, or no row, so the routine plans them."""
    planned = request.replaced_modes or {}
    days = [w for w in await turn.uow.day.work_days_between([request.person_id], max(request.day, turn.today),
                                                             request.last_day)
            if w.source == "leave" and w.briefed_at is None]
    for w in days:
        if w.day.isoformat() in planned:
            mode, source, reason = planned[w.day.isoformat()]
            await turn.uow.day.set_mode(request.person_id, w.day, mode, source, reason)
    await turn.uow.day.forget_leave_days(request.person_id, [w.day for w in days if w.day.isoformat() not in planned])
