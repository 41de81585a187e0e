"""Asking for leave (cuti), sick leave (sakit), field duty (DL) or a short permission to leave home (izin
keluar rumah), from /izin or the briefing's button: the kind, then the period (a duration starting now
for izin; today or a range of days for the others), then the reason. The superior decides with a button
(`bot/services/leave_decision.py`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.day_records import LeaveRecord
from bot.domain.html import esc
from bot.domain.leave_period import (
    DAY_BUTTONS,
    DURATION_BUTTONS,
    MAX_AHEAD_DAYS,
    MAX_LEAVE_DAYS,
    MAX_OUTING,
    DayRange,
    DayRangeError,
    check_range,
    parse_day_range,
    parse_duration,
)
from bot.domain.tasks import MAX_REASON, clean_text
from bot.domain.workday import LeaveKind
from bot.messages import Button
from bot.services.leave_days import next_workdays, period_text, workday_count
from bot.services.leave_decision import on_decision  # noqa: F401  (the "lvd" button, routed from here)
from bot.services.leave_cancel import cancellable_lines
from bot.services.leave_decision import request_notice
from bot.services.leave_routing import deciders_for, why_key
from bot.services.turn import Turn, action, numeric

OUTING = LeaveKind.OUTING.value


async def start(turn: Turn) -> None:
    lines, rows = await cancellable_lines(turn)  # the person's open requests first, each with 🗑 Batalkan
    rows += [(Button(turn.t(f"leave.kind_{k.value}"), action("lv", k.value)),) for k in LeaveKind]
    turn.say("\n\n".join(filter(None, ["\n".join(lines), turn.t("leave.ask_kind")])), rows)


async def on_kind(turn: Turn, parts: list[str]) -> None:
    """`lv:<kind>`, then `lv:dur:<minutes>` (izin) or `lv:days:<workdays>` (the others)."""
    kinds = {k.value for k in LeaveKind}
    if len(parts) == 2 and parts[1] in kinds:
        await _ask_period(turn, parts[1])
    elif len(parts) == 3 and parts[1] in ("dur", "days") and numeric(parts[2]):
        state, data = await turn.state()
        if state != "leave" or data.get("step") != ("duration" if parts[1] == "dur" else "days"):
            turn.say(turn.t("common.not_available"))
        elif parts[1] == "dur" and int(parts[2]) in DURATION_BUTTONS:
            await _asked_window(turn, data, dt.timedelta(minutes=int(parts[2])))
        elif parts[1] == "days" and int(parts[2]) in DAY_BUTTONS:
            days = await next_workdays(turn.uow, turn.actor.unit, turn.today, int(parts[2]))
            if days:
                await _asked_days(turn, data, DayRange(days[0], days[-1]))
            else:
                turn.say(turn.t("common.not_available"))
        else:
            turn.say(turn.t("common.not_available"))
    else:
        turn.say(turn.t("common.not_available"))


async def _ask_period(turn: Turn, kind: str) -> None:
    label = turn.t(f"leave.kind_{kind}")
    if kind == OUTING:
        await turn.set_state("leave", kind=kind, step="duration")
        rows = [tuple(Button(turn.t(f"permit.minutes_{m}"), action("lv", "dur", m)) for m in DURATION_BUTTONS)]
        turn.say(turn.t("permit.ask_duration", kind=label, max=_hours(MAX_OUTING)), rows)
        return
    await turn.set_state("leave", kind=kind, step="days")
    rows = [tuple(Button(turn.t(f"permit.days_{n}"), action("lv", "days", n)) for n in DAY_BUTTONS)]
    turn.say(turn.t("permit.ask_days", kind=label, max=MAX_LEAVE_DAYS), rows)


def _hours(limit: dt.timedelta) -> str:
    return f"{limit.total_seconds() / 3600:g}"


async def on_reason(turn: Turn, data: dict, text: str) -> None:
    """Text while asking: the duration, the days, or the reason, by the step the person is at."""
    step = data.get("step", "reason")
    if step == "duration":
        duration = parse_duration(text)
        if duration is None:
            turn.say(turn.t("permit.bad_duration", max=_hours(MAX_OUTING)))
            return
        await _asked_window(turn, data, duration)
    elif step == "days":
        typed = " ".join(text.casefold().split())
        # A day button's label typed instead of tapped ("2 hari"; on WhatsApp people often type).
        button = next((n for n in DAY_BUTTONS if turn.t(f"permit.days_{n}").casefold() == typed), None)
        if button is not None:
            await on_kind(turn, ["lv", "days", str(button)])
            return
        try:
            asked = parse_day_range(text, turn.today)
        except DayRangeError as exc:
            turn.say(turn.t(f"permit.{exc.code}", max=MAX_LEAVE_DAYS, ahead=MAX_AHEAD_DAYS))
            return
        await _asked_days(turn, data, asked)
    else:
        await _submit(turn, data, text)


async def _asked_window(turn: Turn, data: dict, duration: dt.timedelta) -> None:
    starts = turn.now
    request = _draft(turn, data["kind"], turn.today, turn.today, starts, starts + duration)
    if await _refuse_overlap(turn, request):
        return
    await turn.set_state("leave", kind=data["kind"], step="reason", minutes=int(duration.total_seconds() // 60))
    await _ask_reason(turn, request)


async def _asked_days(turn: Turn, data: dict, asked: DayRange) -> None:
    request = _draft(turn, data["kind"], asked.first, asked.last)
    if await _refuse_overlap(turn, request):
        return
    await turn.set_state("leave", kind=data["kind"], step="reason", first=asked.first.isoformat(),
                         last=asked.last.isoformat())
    await _ask_reason(turn, request)


async def _ask_reason(turn: Turn, request: LeaveRecord) -> None:
    workdays = await workday_count(turn.uow, turn.actor.unit, request)
    turn.say(turn.t("permit.ask_reason", kind=turn.t(f"leave.kind_{request.kind}"),
                    period=period_text(request, turn.t, turn.actor.timezone, workdays)))


def _draft(turn: Turn, kind: str, first: dt.date, last: dt.date, starts: dt.datetime | None = None,
           ends: dt.datetime | None = None) -> LeaveRecord:
    return LeaveRecord(0, turn.actor.person_id, kind, first, "", "pending", last, starts, ends)


async def _refuse_overlap(turn: Turn, request: LeaveRecord) -> bool:
    """One open request per moment: a second one over the same days (or the same izin window) is refused
    politely, naming the first; an izin on a day already asked as leave too. Izin windows that do not
    overlap may share a day."""
    for other in await turn.uow.leave.open_between(turn.actor.person_id, request.day, request.last_day):
        both_outings = other.kind == OUTING and request.kind == OUTING
        if both_outings and not (other.starts_at < request.ends_at and request.starts_at < other.ends_at):
            continue
        await turn.clear_state()
        workdays = await workday_count(turn.uow, turn.actor.unit, other)
        turn.say(turn.t(f"permit.overlap_{other.status}", kind=turn.t(f"leave.kind_{other.kind}"),
                        period=period_text(other, turn.t, turn.actor.timezone, workdays)))
        return True
    return False


async def _submit(turn: Turn, data: dict, text: str) -> None:
    reason = clean_text(text, MAX_REASON)
    if reason is None:
        turn.say(turn.t("task.bad_reason", limit=MAX_REASON))
        return
    kind = data.get("kind", OUTING)
    if kind == OUTING:
        # The window starts when the request is sent (the person wants to go now).
        request = _draft(turn, kind, turn.today, turn.today, turn.now,
                         turn.now + dt.timedelta(minutes=int(data.get("minutes", 30))))
    else:
        try:
            first = dt.date.fromisoformat(data.get("first", turn.today.isoformat()))
            last = dt.date.fromisoformat(data.get("last", first.isoformat()))
            asked = check_range(DayRange(first, last), turn.today)  # a state left overnight may be stale
        except (ValueError, DayRangeError):
            await turn.clear_state()
            turn.say(turn.t("common.not_available"))
            return
        request = _draft(turn, kind, asked.first, asked.last)
    # A head of office has no superior in Apel: their leave is decided above the office (Sekda, Bupati), and
    # the admins (kepegawaian) are asked to record it here, so the briefing, digests and export know.
    top = turn.actor.supervisor_id is None
    if await _refuse_overlap(turn, request):
        return
    await turn.clear_state()
    deciders = await deciders_for(turn.uow, turn.actor.person_id, turn.today)
    if not deciders.to:
        # Nobody could see it: not stored, so it cannot wait unseen.
        turn.say(turn.t("leave.no_supervisor" if top else "leave.no_decider"))
        return
    leave_id = await turn.uow.leave.add(turn.actor.person_id, kind, request.day, reason, turn.now,
                                        end_day=request.last_day, starts_at=request.starts_at, ends_at=request.ends_at,
                                        asked_ids=deciders.to)
    passed_over = None
    if top:
        names = await turn.uow.people.actors(deciders.to)
        turn.say(turn.t("leave.sent_to_admins", to=esc(", ".join(names[p].name for p in deciders.to))))
    elif deciders.passed_over is None:
        turn.say(turn.t("leave.sent"))
    else:
        names = await turn.uow.people.actors([deciders.passed_over, *deciders.to])
        passed_over = (names[deciders.passed_over].name, why_key(deciders))
        turn.say(turn.t("leave.sent_instead", boss=esc(passed_over[0]), why=turn.t(passed_over[1]),
                        to=esc(", ".join(names[p].name for p in deciders.to))))
    workdays = await workday_count(turn.uow, turn.actor.unit, request)
    notice = request_notice(turn.actor.name, replace(request, id=leave_id, reason=reason), turn.actor.timezone,
                            workdays, passed_over, top=top)
    for decider in deciders.to:
        turn.tell(decider, notice)
