"""The WFH/WFO rotation for a period: generated per unit under the rules of `bot.domain.roster`,
written as work days (source "roster"), keeping approved leave and admins' overrides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.domain.schedule import local_date
from bot.domain.roster import PIKET_SHORT, Conflict, Fixed, RosterPerson, RosterUnit, generate
from bot.domain.unit_schedule import resolve
from bot.domain.work_calendar import CalendarEntry, WorkCalendar
from bot.domain.workday import Mode
from bot.ports import UnitOfWork
from bot.services.day_schedule import unit_date_of
from bot.services.errors import ServiceError
from bot.services.org_directory import units_under
from bot.texts import text
from bot.services.routine import chain_of

KEPT_SOURCES = ("leave", "override")
MAX_DAYS = 92


@dataclass
class RosterReport:
    days: int = 0
    written: int = 0
    kept: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # person id -> name, for the conflicts' wording


def conflict_text(conflict: Conflict, lang, names: dict[int, str]) -> str:
    """The conflict as a sentence of `lang` (the domain gives only its numbers and person ids)."""
    detail = dict(conflict.detail)
    if conflict.code == PIKET_SHORT:
        key = "roster.conflict_piket_short"
    elif "people" in detail:
        key = "roster.conflict_critical_wfh" if detail.get("critical") else "roster.conflict_forced_wfh"
        detail["people"] = ", ".join(names.get(pid, str(pid)) for pid in detail["people"])
    else:
        key = "roster.conflict_cap"
    return text(lang, key, **detail)


@dataclass(frozen=True)
class RosterLine:
    day: dt.date
    nip: str
    name: str
    unit: str
    mode: str
    reason: str


async def generate_roster(
    uow: UnitOfWork, *, start: dt.date, end: dt.date, unit: str | None, actor: str, now: dt.datetime,
    progress: Callable[[int, int], None] | None = None,
) -> RosterReport:
    """`progress(units planned, units to plan)` after each unit: a province's roster takes minutes."""
    if end < start or (end - start).days > MAX_DAYS:
        raise ServiceError("roster.bad_period", max=MAX_DAYS)
    units = await uow.org.stored_units()
    scope = await units_under(uow, unit) or set(units)
    layers = await uow.routine.schedule_layers()
    rows = await uow.routine.calendar_entries(start, end)
    entries = [CalendarEntry(day, kind, name, where) for day, kind, name, where in rows]
    people = [p for p in (await uow.org.stored_people()).values() if p.values.active and p.values.unit in scope]
    report = RosterReport()
    calendars: dict[frozenset[int], WorkCalendar] = {}  # by workdays: most units share one
    planned: list[tuple[int, dt.date, str, str | None]] = []
    by_unit: dict[str, list] = {}
    for p in people:
        by_unit.setdefault(p.values.unit, []).append(p)
    staffed = sorted(by_unit)
    for done, unit_name in enumerate(staffed, start=1):
        members = by_unit[unit_name]
        chain = chain_of(unit_name, units)
        mine = [layer for layer in layers if layer.unit in chain]
        # A day that has begun is not re-planned: its people were briefed with their mode (and past days
        # are what the month's export reads). Only the unit's days from today on get a rotation, and a day
        # whose briefing went out keeps its modes. Each day with its own schedule: a period's (Ramadan's)
        # piket_min, wfh_share_pct and workdays count on its days, whenever the roster's period begins.
        today = local_date(now, units[unit_name].timezone)
        days, by_day = [], {}
        day = max(start, today)
        while day <= end:
            schedule = resolve(chain, mine, day)
            if schedule.workdays not in calendars:
                calendars[schedule.workdays] = WorkCalendar(entries, workdays=schedule.workdays)
            kind = calendars[schedule.workdays].day_kind(day, chain)
            if kind.workday and kind.mode is None:
                days.append(day)
                by_day[day] = (schedule.piket_min, schedule.wfh_share_pct / 100)
            day += dt.timedelta(days=1)
        report.days = max(report.days, len(days))
        existing = await uow.day.work_days_between([p.id for p in members], start, end)
        fixed = [Fixed(w.person_id, w.day, Mode(w.mode), w.source) for w in existing
                 if w.source in KEPT_SOURCES or w.briefed_at is not None]
        report.kept += len(fixed)
        result = generate(
            [RosterPerson(p.id, unit_name, p.values.rank.value if p.values.rank else None, p.values.wfh_eligible)
             for p in members],
            [RosterUnit(unit_name, units[unit_name].kind.value, by_day=by_day)],
            days,
            fixed,
        )
        report.conflicts += result.conflicts
        report.names.update({p.id: p.values.name for p in members})
        kept = {(f.person_id, f.day) for f in fixed}
        planned += [(a.person_id, a.day, a.mode.value, a.reason) for a in result.assignments
                    if (a.person_id, a.day) not in kept]
        if progress:
            progress(done, len(staffed))
    if staffed and not report.days:  # weekends, holidays, closures, directives or days past: nothing to plan
        raise ServiceError("roster.no_workdays", start=start, end=end)
    # One write for the whole period: per day and person it took minutes for an office of a few thousand.
    await uow.day.plan_modes(planned, "roster")
    report.written = len(planned)
    await uow.audit.record(now, actor, "roster_generate", {"from": str(start), "to": str(end), "unit": unit,
                                                           "written": report.written, "conflicts": len(report.conflicts)})
    return report


async def override_day(uow: UnitOfWork, *, nip: str, day: dt.date, mode: str, reason: str, actor: str,
                       now: dt.datetime) -> None:
    """One person's day set by an admin; the generator keeps it."""
    try:
        chosen = Mode(mode.lower())
    except ValueError:
        raise ServiceError("roster.bad_mode", modes=", ".join(m.value for m in Mode)) from None
    # The one person only: reading everyone (a province's 100,000) took seconds for one day of one person.
    held = await uow.org.holder_of_nip(nip.strip())
    person = await uow.org.person_by_id(held[0]) if held else None
    if person is None or not person.active:
        raise ServiceError("roster.unknown_person", nip=nip)
    # Nothing of the routine runs on the unit's day off (no briefing, report, reminder or digest), so a
    # mode set for it would be kept and never used: refused, with the way to make it a workday.
    unit = person.unit
    kind = (await unit_date_of(uow, (await uow.org.stored_units())[unit].id, day)).kind
    if not kind.workday:
        raise ServiceError(f"roster.set_day_off_{kind.status}", date=day, unit=unit, name=kind.reason or "")
    await uow.day.set_mode(person.person_id, day, chosen.value, "override", reason or None)
    await uow.audit.record(now, actor, "roster_override", {"nip": nip, "day": str(day), "mode": chosen.value})


async def show_roster(uow: UnitOfWork, *, start: dt.date, end: dt.date, unit: str | None) -> list[RosterLine]:
    if end < start:
        raise ServiceError("roster.bad_period", max=MAX_DAYS)
    scope = await units_under(uow, unit)
    people = await uow.org.list_people(scope, include_inactive=False)
    by_id = {p.id: p for p in people}
    rows = await uow.day.work_days_between(list(by_id), start, end)
    return [
        RosterLine(w.day, by_id[w.person_id].nip, by_id[w.person_id].name, by_id[w.person_id].unit, w.mode,
                   w.reason or w.source)
        for w in rows
    ]
