"""After a unit's deadline: each WFH / WFO / piket person's presence summary for the day (coverage of
working hours inside the home or office geofence, gaps, first and last fix, check-in), and the flags a
superior should see: away from home, low coverage, live sharing stopped early, no WFO check-in.

The database decides what is due: a person whose summary was computed at or after that day's deadline
is done, so running the step again stores nothing new (summaries are upserted, flags are insert-if-
absent). An admin may force it earlier; a later tick then computes the whole day again."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from bot.domain.coverage import Coverage, Fence, coverage, subtract
from bot.domain.flags import FlagKind, NewFlag
from bot.domain.workday import DEFAULT_MODE, Mode
from bot.ports import UnitOfWork
from bot.presence_records import SummaryRecord

DEFAULT_HOME_RADIUS_M = 200
AT_HOME = frozenset({Mode.WFH})
AT_OFFICE = frozenset({Mode.WFO, Mode.PIKET})


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


async def compute(uow: UnitOfWork, unit_days: dict, now: dt.datetime, scope, force: bool, *,
                  home_radius_m: int = DEFAULT_HOME_RADIUS_M) -> list:
    """A routine step (see `Routine._after_deadline`); it sends nothing, so it returns no notices."""
    due = {name: u for name, u in unit_days.items()
           if u.kind.workday and (scope is None or name in scope) and (force or u.due(u.deadline_at, now))}
    if not due:
        return []
    people = await uow.org.list_people(set(due), include_inactive=False)
    by_day: dict[dt.date, list] = defaultdict(list)
    for person in people:
        by_day[due[person.unit].day].append(person)
    offices = await uow.presence.offices([u.unit.id for u in due.values()])
    for day, group in by_day.items():
        ids = [p.id for p in group]
        done = await uow.presence.summaries_for(ids, day)
        todo = [p for p in group
                if p.id not in done or done[p.id].computed_at is None
                or done[p.id].computed_at < due[p.unit].deadline_at or force]
        if not todo:
            continue
        work_days = await uow.day.work_days_for([p.id for p in todo], day)
        modes = {p.id: Mode(work_days[p.id].mode) if p.id in work_days else DEFAULT_MODE for p in todo}
        todo = [p for p in todo if modes[p.id] in AT_HOME | AT_OFFICE]
        todo_ids = [p.id for p in todo]
        home_ids = [p.id for p in todo if modes[p.id] in AT_HOME]
        fixes = await uow.presence.fixes_for(todo_ids, day)
        homes = await uow.presence.homes(home_ids)
        permits = {}
        if home_ids:  # approved izin windows anywhere in these units' working hours
            home_set = set(home_ids)
            at_home = [p for p in todo if p.id in home_set]
            permits = await uow.leave.approved_windows(home_ids, min(due[p.unit].apel_at for p in at_home),
                                                       max(due[p.unit].deadline_at for p in at_home))
        summaries, flags = [], []
        for p in todo:
            unit_day = due[p.unit]
            start, end = unit_day.apel_at, unit_day.deadline_at
            mode = modes[p.id]
            if mode in AT_HOME:
                home = homes.get(p.id)
                fence = (Fence(home.lat, home.lon, home.radius_m or home_radius_m)
                         if home is not None and home.approved else None)
                summary, raised = _at_home(p.id, day, fixes.get(p.id, []), fence, start, end,
                                           permits.get(p.id, []), unit_day.schedule.coverage_min_pct)
            else:
                office = offices.get(unit_day.unit.id)
                fence = Fence(office.lat, office.lon, office.radius_m) if office is not None and office.set else None
                summary, raised = _at_office(p.id, day, mode, fixes.get(p.id, []), fence, start, end)
            summaries.append(summary)
            flags += raised
        await uow.presence.save_summaries(summaries, now)
        await uow.flags.raise_many(flags, now)
    return []


def _summary(person_id: int, day: dt.date, mode: Mode, c: Coverage, *, with_coverage: bool,
             checkin: dt.datetime | None = None) -> SummaryRecord:
    return SummaryRecord(
        person_id, day, mode.value,
        expected_minutes=c.expected_minutes,
        covered_minutes=c.covered_minutes if with_coverage else 0,
        coverage_pct=c.coverage_pct if with_coverage else None,
        first_fix_at=c.first_fix_at, last_fix_at=c.last_fix_at, fixes=c.fixes,
        gaps=[[_iso(a), _iso(b)] for a, b in c.gaps],
        stopped_early=c.stopped_early, checkin_at=checkin,
    )


# Without an approved home or an office geofence nothing can be judged inside or outside; the fixes,
# gaps and stopping still can (any point will do as the fence for those).
_NOWHERE = Fence(0.0, 0.0, 0.0)


def _at_home(person_id, day, fixes, fence, start, end, permits, min_pct):
    c = coverage(fixes, fence or _NOWHERE, start, end)
    summary = _summary(person_id, day, Mode.WFH, c, with_coverage=fence is not None)
    flags = []
    if c.stopped_at is not None:
        flags.append(NewFlag(person_id, day, FlagKind.SHARING_STOPPED, "", {"stopped_at": _iso(c.stopped_at)}))
    if fence is None:
        return summary, flags
    for interval in c.away:
        excused, not_excused = subtract(interval, permits)
        for a, b in excused:
            permit = next(w for w in permits if w[0] <= a and b <= w[1])
            flags.append(_away(person_id, day, a, b, excused=True,
                               permit_from_at=_iso(permit[0]), permit_until_at=_iso(permit[1])))
        flags += [_away(person_id, day, a, b) for a, b in not_excused]
    if min_pct and c.coverage_pct < min_pct:
        flags.append(NewFlag(person_id, day, FlagKind.LOW_COVERAGE, "",
                             {"pct": f"{c.coverage_pct:.0f}", "min_pct": str(min_pct)}))
    return summary, flags


def _away(person_id, day, a, b, *, excused=False, **detail):
    minutes = round((b - a).total_seconds() / 60)
    return NewFlag(person_id, day, FlagKind.AWAY_FROM_HOME, f"away:{a.astimezone(dt.UTC):%H%M%S}",
                   {"from_at": _iso(a), "until_at": _iso(b), "minutes": str(minutes), **detail}, excused)


def _at_office(person_id, day, mode, fixes, fence, start, end):
    c = coverage(fixes, fence or _NOWHERE, start, end)
    checkin = c.first_inside_at if fence is not None else None
    summary = _summary(person_id, day, mode, c, with_coverage=False, checkin=checkin)
    # Without an office geofence a check-in is impossible: flagging everyone would only be noise.
    if fence is not None and checkin is None:
        return summary, [NewFlag(person_id, day, FlagKind.NO_CHECKIN, "", {})]
    return summary, []
