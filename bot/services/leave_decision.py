"""The superior's decision on a leave or permission request, and what happens to requests nobody decided.

Approving cuti / sakit / DL sets the mode of each of the unit's workdays in the range (source "leave"),
which suppresses the briefing's tasks, reminders and escalations; approving an izin excuses the flags
already raised inside its window (flags raised later are excused by their producers, which read
`uow.leave.approved_windows`). A request still pending when its period is over expires, and the person
is told so (they may ask again, or talk to their superior)."""

from __future__ import annotations

import datetime as dt

from bot.day_records import LeaveRecord
from bot.domain.html import esc
from bot.domain.workday import LEAVE_MODE, LeaveKind
from bot.messages import Button, Outgoing, Reply, Urgency
from bot.ports import UnitOfWork, UnitOfWorkFactory
from bot.services.leave_days import period_over_at, period_text, unit_workdays, workday_count
from bot.services.refusal import actor_label, refuse_button
from bot.services.turn import Notice, Turn, action, deliver

FALLBACK_ZONE = "Asia/Jakarta"  # a deactivated requester has no actor (and no zone) any more


def request_notice(name: str, request: LeaveRecord, zone: str, workdays: int | None,
                   passed_over: tuple[str, str] | None = None) -> Notice:
    """What a superior is asked, with ✅/❌: when the request is made, and again under /tim while it waits.
    `passed_over` (the direct superior's name, the catalog key of why) says why someone else is asked."""
    def notice(t) -> Reply:
        body = t("permit.request", name=esc(name), kind=t(f"leave.kind_{request.kind}"),
                 period=period_text(request, t, zone, workdays), reason=esc(request.reason))
        if passed_over is not None:
            body += "\n" + t("permit.request_passed", boss=esc(passed_over[0]), why=t(passed_over[1]))
        return Reply(body, ((Button(t("button.approve"), action("lvd", request.id, "y")),
                             Button(t("button.refuse"), action("lvd", request.id, "n"))),))
    return notice


async def on_decision(turn: Turn, parts: list[str]) -> None:
    if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in ("y", "n"):
        turn.say(turn.t("common.not_available"))
        return
    request = await turn.uow.leave.get(int(parts[1]))
    # The chain or an admin, never the requester (an admin does not approve their own leave).
    allowed = request is not None and request.person_id != turn.actor.person_id and (
        turn.actor.is_admin or turn.actor.person_id in await turn.uow.people.chain(request.person_id)
    )
    if request is None:
        turn.say(turn.t("common.not_available"))
        return
    if not allowed:
        await refuse_button(turn, "lvd", request.id)
        return
    requester = await turn.uow.people.actor(request.person_id)
    zone = requester.timezone if requester else FALLBACK_ZONE
    workdays = await workday_count(turn.uow, requester.unit if requester else None, request)
    if request.status == "pending" and period_over_at(request, zone) <= turn.now:
        if await turn.uow.leave.decide(request.id, "expired", None, turn.now):
            turn.tell(request.person_id, _expired_notice(request, zone, workdays))
        turn.say(turn.t("permit.too_late"), edit=True)
        return
    approved = parts[2] == "y"
    if not await turn.uow.leave.decide(request.id, "approved" if approved else "refused", turn.actor.person_id, turn.now):
        turn.say(turn.t("leave.already_decided"))
        return
    if approved:
        await apply_approval(turn.uow, request, requester.unit if requester else None)
    await turn.uow.audit.record(turn.now, actor_label(turn), "leave_approved" if approved else "leave_refused",
                                {"request": request.id, "person_id": request.person_id, "kind": request.kind})
    who = esc(requester.name) if requester else ""
    turn.say(turn.t("leave.decided_approved" if approved else "leave.decided_refused", name=who), edit=True)
    key = "permit.your_approved" if approved else "permit.your_refused"
    turn.tell(request.person_id, lambda t: Reply(
        t(key, kind=t(f"leave.kind_{request.kind}"), period=period_text(request, t, zone, workdays))
    ))


async def apply_approval(uow: UnitOfWork, request: LeaveRecord, unit: str | None) -> None:
    mode = LEAVE_MODE.get(LeaveKind(request.kind))
    if mode is not None:
        # Only workdays get the mode: a weekend or holiday inside the range stays what it is.
        days = await unit_workdays(uow, unit, request.day, request.last_day) if unit else [request.day]
        for day in days:
            await uow.day.set_mode(request.person_id, day, mode.value, "leave", request.reason)
    elif request.starts_at is not None and request.ends_at is not None:
        await uow.flags.excuse(request.person_id, request.starts_at, request.ends_at)


def _expired_notice(request: LeaveRecord, zone: str, workdays: int | None) -> Notice:
    return lambda t: Reply(
        t("permit.expired", kind=t(f"leave.kind_{request.kind}"), period=period_text(request, t, zone, workdays))
    )


async def expire_requests(uow_factory: UnitOfWorkFactory, now: dt.datetime, default_language: str) -> list[Outgoing]:
    """The routine's step: pending requests whose period is over expire, once (the update wins once)."""
    async with uow_factory() as uow:
        # Local dates run at most a day ahead of UTC in Indonesia.
        candidates = await uow.leave.pending_ending_by(now.date() + dt.timedelta(days=1))
        actors = await uow.people.actors(sorted({r.person_id for r in candidates}))
        notices = []
        for request in candidates:
            requester = actors.get(request.person_id)
            zone = requester.timezone if requester else FALLBACK_ZONE
            if period_over_at(request, zone) <= now and await uow.leave.decide(request.id, "expired", None, now):
                workdays = await workday_count(uow, requester.unit if requester else None, request)
                notices.append((request.person_id, _expired_notice(request, zone, workdays), Urgency.NOTICE))
        out = await deliver(uow, notices, default_language)
        await uow.commit()
    return out
