"""Presence checks: at random moments of the working day the bot asks people working from home to send
their current location (and, where the unit wants it, a selfie). Answered inside the home geofence: ok;
outside: off_site and a flag; not answered in time: missed and a flag. On WhatsApp, which has no live
location, these checks are the presence mechanism.

The routine's step (`run_step`, every tick) plans each WFH person's moments for the day as
`presence_check` rows (drawn deterministically, see bot/domain/check_moments.py), asks the checks whose
moment came (one delivery key per check, so two ticks never ask twice), and closes the ones whose
answer window ended. The conversation calls `on_location` (a pin answers the open check) and
`on_evidence` (a photo during a check asking for one becomes its selfie)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from bot.domain.check_moments import LIVE_FRESH, CheckOutcome, CheckRecord, draw_moments, judge
from bot.domain.evidence import EvidenceKind
from bot.domain.flags import FlagKind, NewFlag
from bot.domain.workday import EXCUSED, Mode
from bot.messages import Button, Outgoing, Reply, Urgency
from bot.ports import UnitOfWork
from bot.services import routine as routine_steps  # the module (it imports this one): unit_days at call time
from bot.services.org_directory import units_under
from bot.services.turn import Turn, deliver
from bot.texts import format_clock, format_km

CHECK_KIND = "presence_check"  # delivery kind
LATE_NOTICE = dt.timedelta(hours=1)  # a pin this soon after a check closed unanswered is told it came too late


def _checking(unit_day, now: dt.datetime, force: bool) -> bool:
    """A unit whose people are checked now: a workday, checks configured, between apel and deadline."""
    return (unit_day.kind.workday and unit_day.schedule.presence_checks_per_day > 0
            and (force or unit_day.apel_at <= now) and now < unit_day.deadline_at)


async def run_step(routine, now: dt.datetime, *, unit: str | None = None, force: bool = False) -> list[Outgoing]:
    """`force` (`apel run-step periksa`): each person's next planned check is asked
    now rather than at its moment (still only WFH people on a workday before the deadline, one open
    check at a time)."""
    secret = getattr(routine, "check_secret", "")
    home_radius_m = routine.home_radius_m
    async with routine.uow_factory() as uow:
        scope = await units_under(uow, unit) if unit else None
        days = {u.unit.name: u for u in await routine_steps.unit_days(uow, now)}
        checking = {name: u for name, u in days.items() if (scope is None or name in scope) and _checking(u, now, force)}
        planned_people = await _plan(uow, checking, secret)
        due = [c for c in await uow.checks.due(now, now.date() - dt.timedelta(days=2))
               if c.unit in days and (scope is None or c.unit in scope)]
        await _close(uow, [c for c in due if c.asked_at is not None], days, now)
        candidates = await _answerable([c for c in due if c.asked_at is None], days, checking, now, uow)
        if force:
            taken = {c.person_id for c in candidates}
            for unit_name, people in planned_people.items():
                extra = await uow.checks.next_unasked([p for p in people if p not in taken], checking[unit_name].day)
                candidates += [CheckRecord(**{**c.__dict__, "unit": unit_name}) for c in extra]
        notices = await _ask(uow, candidates, days, now, home_radius_m)
        out = await deliver(uow, notices, routine.default_language)
        await uow.commit()
    return out


async def _plan(uow: UnitOfWork, checking: dict, secret: str) -> dict[str, list[int]]:
    """Store the day's moments of every WFH person of the checking units who has none yet; returns the
    WFH people per unit."""
    if not checking:
        return {}
    wfh: dict[str, list[int]] = {}
    moments = []
    # The routine's own grouping of active people per due unit (one query), shared rather than copied.
    for unit_day, people in await routine_steps._people_of(uow, list(checking.values())):
        modes = await uow.day.work_days_for(people, unit_day.day)
        home_workers = [p for p in people if p in modes and Mode(modes[p].mode) is Mode.WFH]
        wfh[unit_day.unit.name] = home_workers
        done = await uow.checks.planned(home_workers, unit_day.day)
        schedule = unit_day.schedule
        for person_id in home_workers:
            if person_id in done:
                continue
            moments += [(person_id, unit_day.day, at) for at in draw_moments(
                secret, person_id, unit_day.day, apel_at=unit_day.apel_at, deadline_at=unit_day.deadline_at,
                per_day=schedule.presence_checks_per_day, answer_min=schedule.presence_answer_min)]
    await uow.checks.plan(moments)
    return wfh


async def _answerable(unasked: list[CheckRecord], days: dict, checking: dict, now: dt.datetime,
                      uow: UnitOfWork) -> list[CheckRecord]:
    """Planned checks whose moment came: the ones that can still be answered in their own window are
    asked (after downtime, only each person's latest); the others are skipped, never flagged: the bot,
    not the person, missed them."""
    latest: dict[int, CheckRecord] = {}
    skipped = []
    for check in unasked:
        unit_day = days[check.unit]
        window = dt.timedelta(minutes=unit_day.schedule.presence_answer_min)
        if check.unit not in checking or check.day != unit_day.day or check.due_at + window <= now:
            skipped.append(check.id)
            continue
        if check.person_id in latest:
            skipped.append(latest[check.person_id].id)
        latest[check.person_id] = check
    await uow.checks.set_outcome(skipped, CheckOutcome.SKIPPED)
    return list(latest.values())


async def _ask(uow: UnitOfWork, candidates: list[CheckRecord], days: dict, now: dt.datetime,
               home_radius_m: int) -> list:
    """Ask the checks (WFH, not excused, reachable, none open); a running live location inside the home
    geofence answers a check without asking."""
    if not candidates:
        return []
    ids = [c.person_id for c in candidates]
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for c in candidates:
        by_day[c.day].append(c.person_id)
    modes = {}
    for day, people in by_day.items():
        modes |= {(pid, day): w for pid, w in (await uow.day.work_days_for(people, day)).items()}
    permitted = await uow.leave.approved_windows(ids, now, now)
    reachable = {a.person_id for a in await uow.people.addresses(ids)}
    busy = await uow.checks.open_people(ids, now)
    live = await uow.checks.live_positions(ids, now - LIVE_FRESH, now)
    homes = await approved_homes(uow, list(live), home_radius_m)
    excused, skipped, asking = [], [], []
    for check in candidates:
        record = modes.get((check.person_id, check.day))
        mode = Mode(record.mode) if record else None
        if mode in EXCUSED or check.person_id in permitted:
            excused.append(check.id)
        elif mode is not Mode.WFH:
            skipped.append(check.id)  # no longer working from home today
        elif check.person_id in busy or check.person_id not in reachable:
            continue  # asked at a later tick, while its window lasts
        elif check.person_id in live and check.person_id in homes:
            at, lat, lon = live[check.person_id]
            outcome, distance = judge(lat, lon, homes[check.person_id])
            if outcome is CheckOutcome.OK:
                await uow.checks.answer(check.id, at=now, lat=lat, lon=lon, accuracy_m=None, distance_m=distance,
                                        outcome=outcome, asked_at=now)
            else:
                asking.append(check)
        else:
            asking.append(check)
    await uow.checks.set_outcome(excused, CheckOutcome.EXCUSED)
    await uow.checks.set_outcome(skipped, CheckOutcome.SKIPPED)
    won = await uow.routine.claim_many([(f"check:{c.id}", c.person_id, CHECK_KIND, c.day) for c in asking], now)
    notices, marks = [], []
    for check in asking:
        if f"check:{check.id}" not in won:
            continue
        unit_day = days[check.unit]
        answer_by = now + dt.timedelta(minutes=unit_day.schedule.presence_answer_min)
        marks.append((check.id, now, answer_by))
        notices.append((check.person_id, _question(format_clock(answer_by, unit_day.unit.timezone),
                                                   unit_day.schedule.presence_selfie), Urgency.NOTICE))
    await uow.checks.mark_asked(marks)
    return notices


def _question(deadline: str, selfie: bool):
    def render(t) -> Reply:
        body = t("check.ask", time=deadline) + ("\n" + t("check.ask_selfie") if selfie else "")
        return Reply(body, ((Button(t("check.button_send"), request_location=True),),))

    return render


async def _close(uow: UnitOfWork, expired: list[CheckRecord], days: dict, now: dt.datetime) -> None:
    """Asked checks whose window ended without an answer: missed (a flag), or excused when the person
    was on leave by then or inside an approved izin window during the check."""
    if not expired:
        return
    ids = [c.person_id for c in expired]
    start = min(c.asked_at for c in expired)
    windows = await uow.leave.approved_windows(ids, start, now)
    modes: dict = {}
    for day in {c.day for c in expired}:
        people = [c.person_id for c in expired if c.day == day]
        modes |= {(pid, day): w.mode for pid, w in (await uow.day.work_days_for(people, day)).items()}
    excused, missed, flags = [], [], []
    for check in expired:
        covered = any(s <= check.answer_by and e >= check.asked_at for s, e in windows.get(check.person_id, []))
        mode = modes.get((check.person_id, check.day))
        if covered or (mode is not None and Mode(mode) in EXCUSED):
            excused.append(check.id)
            continue
        missed.append(check.id)
        flags.append(NewFlag(check.person_id, check.day, FlagKind.CHECK_MISSED, f"check:{check.id}",
                             {"asked_at": check.asked_at.isoformat()}))
    await uow.checks.set_outcome(excused, CheckOutcome.EXCUSED)
    await uow.checks.set_outcome(missed, CheckOutcome.MISSED)
    await uow.flags.raise_many(flags, now)


# ------------------------------------------------------------------------------------ answers in the chat


async def _unit_day(uow: UnitOfWork, unit: str, now: dt.datetime):
    found = await routine_steps.unit_days(uow, now, {unit})
    return found[0] if found else None


async def on_location(turn: Turn, home_radius_m: int) -> bool:
    """A location sent (not a live location's later move) while a check is open answers it; True when it
    did (the fix is stored by the caller either way). `home_radius_m`: HOME_RADIUS_M, for a home without
    its own radius."""
    loc = turn.inbound.location
    if loc.is_update:
        return False
    person_id = turn.actor.person_id
    check = await turn.uow.checks.open_check(person_id, turn.now)
    if check is None:
        return await _too_late(turn, person_id)
    home = (await approved_homes(turn.uow, [person_id], home_radius_m)).get(person_id)
    outcome, distance = judge(loc.lat, loc.lon, home)
    if not await turn.uow.checks.answer(check.id, at=turn.now, lat=loc.lat, lon=loc.lon, accuracy_m=loc.accuracy_m,
                                        distance_m=distance, outcome=outcome):
        return False
    if outcome is CheckOutcome.OFF_SITE:
        km = f"{distance / 1000:.1f}"
        await turn.uow.flags.raise_many([NewFlag(person_id, check.day, FlagKind.CHECK_OFF_SITE, f"check:{check.id}",
                                                 {"km": km, "asked_at": check.asked_at.isoformat()})], turn.now)
        turn.say(turn.t("check.off_site", km=format_km(distance / 1000, turn.lang)))
    else:
        turn.say(turn.t("check.ok" if outcome is CheckOutcome.OK else "check.answered"))
    if check.selfie_evidence_id is None:
        unit_day = await _unit_day(turn.uow, turn.actor.unit, turn.now)
        if unit_day and unit_day.schedule.presence_selfie:
            turn.say(turn.t("check.selfie_still"))
    return True


async def _too_late(turn: Turn, person_id: int) -> bool:
    """A pin shortly after a check's window closed unanswered: the person thinks they answered, so they are
    told it had closed (the pin is still stored as a fix by the caller); True when they were."""
    late = await turn.uow.checks.closed_unanswered(person_id, turn.now, turn.now - LATE_NOTICE)
    if late is None:
        return False
    zone = turn.actor.timezone
    turn.say(turn.t("check.too_late", asked=format_clock(late.asked_at, zone), closed=format_clock(late.answer_by, zone)))
    return True


async def on_evidence(turn: Turn, evidence_id: int, kind: EvidenceKind) -> bool:
    """A photo sent while a check asking for a selfie is open becomes its selfie; True when it did."""
    if kind not in (EvidenceKind.PHOTO, EvidenceKind.IMAGE_FILE):
        return False
    check = await turn.uow.checks.selfie_wanted(turn.actor.person_id, turn.now)
    if check is None:
        return False
    unit_day = await _unit_day(turn.uow, turn.actor.unit, turn.now)
    if unit_day is None or not unit_day.schedule.presence_selfie:
        return False
    await turn.uow.checks.link_selfie(check.id, evidence_id)
    turn.say(turn.t("check.selfie_received"))
    return True


async def approved_homes(uow, person_ids: list[int], default_radius_m: int) -> dict[int, tuple[float, float, int]]:
    """(lat, lon, radius) of the approved homes, the radius the person's own else `default_radius_m`
    (HOME_RADIUS_M); people without one are absent. Presence checks and the evidence checks share it, so
    both judge a home by the same geofence."""
    homes = await uow.presence.homes(person_ids)
    return {pid: (h.lat, h.lon, h.radius_m if h.radius_m is not None else default_radius_m)
            for pid, h in homes.items() if h.approved}

