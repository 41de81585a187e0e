"""The superior's decision on a leave or permission request, and what happens to requests nobody decided.

❌ Tolak asks the superior for a short reason (or "Tolak tanpa alasan" skips it); the person is told it.

Approving cuti / sakit / DL sets the mode of each of the unit's workdays in the range (source "leave"),
which suppresses the briefing's tasks, reminders and escalations; approving an izin excuses the flags
already raised inside its window (flags raised later are excused by their producers, which read
`uow.leave.approved_windows`). A request still pending when its period is over expires, and the person
is told so (they may ask again, or talk to their superior)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.day_records import Actor, LeaveRecord
from bot.domain.html import clip, esc
from bot.domain.tasks import MAX_REASON
from bot.domain.workday import LEAVE_MODE, LeaveKind
from bot.messages import Button, Outgoing, Reply, Urgency
from bot.ports import UnitOfWork, UnitOfWorkFactory
from bot.services.leave_days import period_over_at, period_text, unit_workdays, workday_count
from bot.services.leave_routing import PLH
from bot.services.plh import acts_for
from bot.services.refusal import actor_label, refuse_button
from bot.services.turn import Notice, Turn, action, deliver, numeric

FALLBACK_ZONE = "Asia/Jakarta"  # a deactivated requester has no actor (and no zone) any more


def passed_line(t, passed_over: tuple[str, str], key: str) -> str:
    """Why this superior is asked instead of the direct one; to a Plh, that they are asked as the Plh."""
    if passed_over[1] == f"leave.away_{PLH}":
        return t("plh.request", boss=esc(passed_over[0]))
    return t(key, boss=esc(passed_over[0]), why=t(passed_over[1]))


def request_notice(name: str, request: LeaveRecord, zone: str, workdays: int | None,
                   passed_over: tuple[str, str] | None = None, *, top: bool = False) -> Notice:
    """What a superior is asked, with ✅/❌: when the request is made, and again under /tim while it waits.
    `passed_over` (the direct superior's name, the catalog key of why) says why someone else is asked;
    `top`: the requester has no superior (a head of office), so the admins are asked to record it."""
    def notice(t) -> Reply:
        body = t("permit.request", name=esc(name), kind=t(f"leave.kind_{request.kind}"),
                 period=period_text(request, t, zone, workdays), reason=esc(request.reason))
        if passed_over is not None:
            body += "\n" + passed_line(t, passed_over, "permit.request_passed")
        if top:
            body += "\n" + t("permit.request_top")
        return Reply(body, ((Button(t("button.approve"), action("lvd", request.id, "y")),
                             Button(t("button.refuse"), action("lvd", request.id, "n"))),))
    return notice


@dataclass(frozen=True)
class Decidable:
    """A request this person may decide now, with what its notices need."""
    request: LeaveRecord
    requester: Actor | None
    zone: str
    workdays: int | None
    name: str  # the requester's, also of someone an import deactivated since (a transfer out)


async def decidable(turn: Turn, leave_id: int) -> Decidable | None:
    """The request, if this person may decide it now; None after the answer was given (refused and audited
    when it is not theirs to decide; expired when its time is over; already decided)."""
    request = await turn.uow.leave.get(leave_id)
    if request is None:
        turn.say(turn.t("common.not_available"))
        return None
    # The chain or an admin, never the requester (an admin does not approve their own leave).
    if request.person_id == turn.actor.person_id or not (
        turn.actor.is_admin or turn.actor.person_id in await turn.uow.people.chain(request.person_id)
        or await acts_for(turn.uow, turn.actor.person_id, request.person_id, turn.today)
    ):
        await refuse_button(turn, "lvd", request.id)
        return None
    requester = await turn.uow.people.actor(request.person_id)
    zone = requester.timezone if requester else FALLBACK_ZONE
    workdays = await workday_count(turn.uow, requester.unit if requester else None, request)
    if request.status == "pending" and period_over_at(request, zone) <= turn.now:
        if await turn.uow.leave.decide(request.id, "expired", None, turn.now):
            turn.tell(request.person_id, _expired_notice(request, zone, workdays))
        turn.say(turn.t("permit.too_late"), edit=True)
        return None
    if request.status != "pending":
        turn.say(turn.t("leave.cancelled_by_requester" if request.status == "cancelled" else "leave.already_decided"))
        return None
    person = await turn.uow.org.person_by_id(request.person_id) if requester is None else None
    name = requester.name if requester else (person.name if person else "")
    return Decidable(request, requester, zone, workdays, name)


async def on_decision(turn: Turn, parts: list[str]) -> None:
    """`lvd:<id>:y` approves; `lvd:<id>:n` asks for the refusal's reason (`refuse_reason` state, answered
    by `on_refusal_reason`); `lvd:<id>:ns` ("Tolak tanpa alasan") refuses without one."""
    if len(parts) != 3 or not numeric(parts[1]) or parts[2] not in ("y", "n", "ns"):
        turn.say(turn.t("common.not_available"))
        return
    found = await decidable(turn, int(parts[1]))
    if found is None:
        return
    if parts[2] == "n":
        await turn.set_state("refuse_reason", leave_id=found.request.id)
        turn.say(turn.t("leave.ask_refusal_reason", name=esc(found.name)),
                 ((Button(turn.t("button.refuse_no_reason"), action("lvd", found.request.id, "ns")),),))
        return
    await turn.clear_state()  # a reason being asked for (this request or another) is not wanted any more
    await _decide(turn, found, approved=parts[2] == "y", reason=None)


async def on_refusal_reason(turn: Turn, data: dict, text: str) -> None:
    """The reason typed after ❌ Tolak: clipped to MAX_REASON, then the request is refused, if it still can be
    (another superior may have decided it meanwhile, or its time may be over). The skip button's label
    typed instead of tapped (WhatsApp) refuses without a reason."""
    folded = " ".join(text.split())
    if not folded:
        turn.say(turn.t("leave.bad_refusal_reason", button=turn.t("button.refuse_no_reason")))
        return
    await turn.clear_state()
    found = await decidable(turn, int(data.get("leave_id", 0)))
    if found is None:
        return
    skipped = folded.casefold() == turn.t("button.refuse_no_reason").casefold()
    await _decide(turn, found, approved=False, reason=None if skipped else clip(folded, MAX_REASON))


async def _decide(turn: Turn, found: Decidable, *, approved: bool, reason: str | None) -> None:
    request, requester, zone, workdays = found.request, found.requester, found.zone, found.workdays
    if not await turn.uow.leave.decide(request.id, "approved" if approved else "refused", turn.actor.person_id,
                                       turn.now, refusal_reason=reason):
        turn.say(turn.t("leave.already_decided"))
        return
    if approved:
        await apply_approval(turn.uow, request, requester.unit if requester else None)
    detail = {"request": request.id, "person_id": request.person_id, "kind": request.kind}
    if not approved:
        detail["with_reason"] = reason is not None  # whether one was given; the words stay in the request
    await turn.uow.audit.record(turn.now, actor_label(turn), "leave_approved" if approved else "leave_refused",
                                detail)
    who = esc(found.name)
    turn.say(turn.t("leave.decided_approved" if approved else "leave.decided_refused", name=who), edit=True)
    key = "permit.your_approved" if approved else "permit.your_refused"
    if requester is not None and requester.supervisor_id is None:  # a head of office: the admins record it
        key = "permit.your_recorded" if approved else "permit.your_not_recorded"
    shown, decider = (esc(reason) if reason else None), esc(turn.actor.name)

    def notice(t) -> Reply:
        body = t(key, kind=t(f"leave.kind_{request.kind}"), period=period_text(request, t, zone, workdays),
                 decider=decider)
        return Reply(body + ("\n" + t("permit.refusal_reason", reason=shown) if shown else ""))
    turn.tell(request.person_id, notice)


async def apply_approval(uow: UnitOfWork, request: LeaveRecord, unit: str | None) -> None:
    mode = LEAVE_MODE.get(LeaveKind(request.kind))
    if mode is not None:
        # Only workdays get the mode: a weekend or holiday inside the range stays what it is.
        days = await unit_workdays(uow, unit, request.day, request.last_day) if unit else [request.day]
        # What the days were planned as (roster, directive, an admin's override): a cancellation gives it back.
        planned = await uow.day.work_days_between([request.person_id], request.day, request.last_day)
        await uow.leave.keep_replaced_modes(request.id, {
            w.day.isoformat(): [w.mode, w.source, w.reason] for w in planned if w.day in days})
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
