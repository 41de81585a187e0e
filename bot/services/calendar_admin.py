"""Admins list and add days off and directives (CLI `apel calendar`, chat `/libur`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.html import esc
from bot.domain.schedule import local_date
from bot.domain.work_calendar import ALL_WFH, ALL_WFO, HOLIDAY, KINDS, OFFICE_CLOSED, CalendarEntry, national_holidays
from bot.messages import Reply, Urgency
from bot.ports import UnitOfWork
from bot.services.errors import ServiceError
from bot.services.org_directory import find_unit, units_under
from bot.services.turn import deliver
from bot.texts import format_date, text

MAX_NAME = 200
# What admins type, in chat (/libur) and in the CLI (calendar add) alike: the words each language's usage
# shows (libur/tutup, holiday/closed), and the stored codes (what JSON/CSV listings give back) for scripts.
KIND_WORDS = {"libur": HOLIDAY, "tutup": OFFICE_CLOSED, "wfh": ALL_WFH, "wfo": ALL_WFO, "closed": OFFICE_CLOSED,
              **{kind: kind for kind in KINDS}}


def kind_code(word: str) -> str:
    """The stored kind for a word an admin typed; refused with the words of the admin's language as the choices."""
    kind = KIND_WORDS.get(word.strip().lower())
    if kind is None:
        raise ServiceError("calendar.bad_kind", value=word)
    return kind


def kind_label(kind: str, lang) -> str:
    """How a kind reads to people ("hari libur", "semua WFH"); listings for scripts keep the code."""
    return text(lang, f"calendar.kind_{kind}") if kind in KINDS else kind


async def entries_between(uow: UnitOfWork, start: dt.date, end: dt.date) -> list[CalendarEntry]:
    """National holidays and cuti bersama, then the deployment's own entries, in date order."""
    if end < start:  # an empty listing would read as "no holidays"; the roster refuses the same way
        raise ServiceError("calendar.bad_period")
    national = [e for year in range(start.year, end.year + 1) for e in national_holidays(year) if start <= e.day <= end]
    own = [CalendarEntry(day, kind, name, scope) for day, kind, name, scope in await uow.routine.calendar_entries(start, end)]
    return sorted(national + own, key=lambda e: (e.day, e.scope or "", e.name))


@dataclass(frozen=True)
class Added:
    entry: CalendarEntry
    outcome: str  # "added" | "renamed" | "unchanged"
    old_name: str | None = None
    withdrawn: int = 0  # briefings of that day still queued, taken back
    told: int = 0  # people already briefed to work that day, now told it is off

    @property
    def message(self) -> str:
        return {"added": "calendar.added", "renamed": "calendar.renamed"}.get(self.outcome, "calendar.exists")


async def add_entry(uow: UnitOfWork, *, day: dt.date, kind: str, name: str, unit: str | None, actor: str,
                    now: dt.datetime, default_language: str = "id") -> Added:
    """Adds an entry, or renames the one with the same day, kind and unit; the same name again changes nothing."""
    kind = kind_code(kind)
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise ServiceError("calendar.bad_name", limit=MAX_NAME)
    unit_id, scope = None, None
    if unit:
        units = await uow.org.stored_units()
        scope = find_unit(units, unit)
        unit_id = units[scope].id
    # The same day, kind and unit again is the same entry: adding it twice made two identical rows
    # (and two lines in every listing). A new name replaces the old one, so a typo can be fixed.
    outcome, old = await uow.routine.put_calendar_entry(day, kind, name, unit_id, now)
    withdrawn, told = 0, 0
    if outcome == "added" and kind in (HOLIDAY, OFFICE_CLOSED):
        entry = CalendarEntry(day, kind, name, scope)
        withdrawn, told = await _day_off(uow, entry, now, default_language)
    elif outcome == "added":
        # A directive added after the roster: the roster's modes of that day go (not those already told), as
        # when the directive came first, so /status and `apel roster show` read the directive's mode before apel.
        people = await uow.org.list_people(await units_under(uow, scope) if scope else None, include_inactive=False)
        await uow.day.forget_planned([p.id for p in people], day, unbriefed_only=True)
    if outcome != "unchanged":
        detail = {"day": str(day), "kind": kind, "name": name, "unit": scope} | ({"old_name": old} if old else {})
        if withdrawn or told:
            detail |= {"briefings_withdrawn": withdrawn, "told": told}
        await uow.audit.record(now, actor, "calendar_add" if outcome == "added" else "calendar_rename", detail)
    return Added(CalendarEntry(day, kind, name, scope), outcome, old, withdrawn, told)


async def _day_off(uow: UnitOfWork, entry: CalendarEntry, now: dt.datetime, default_language: str) -> tuple[int, int]:
    """A day off declared after the roster, or on the morning itself (a flood closes the office at 06.30):
    the briefings of that day still queued are taken back, whoever was already briefed to work is told the
    day is off, and the planned modes go, so that `/status`, the roster listing and the digests read it as
    the day off the routine keeps it. (withdrawn, told)"""
    people = await uow.org.list_people(await units_under(uow, entry.scope) if entry.scope else None,
                                       include_inactive=False)
    ids = [p.id for p in people]
    withdrawn = await uow.outbox.withdraw_briefings(entry.day, ids if entry.scope else None,
                                                   reason=f"{entry.kind} declared: {entry.name}")
    taken_back = set(withdrawn)
    briefed = [pid for pid in await uow.day.briefed_to_work(ids, entry.day) if pid not in taken_back]
    actors = await uow.people.actors(briefed)
    # A day off declared for a day already past is a correction of the record: nobody needs telling.
    told = [pid for pid in briefed if pid in actors and local_date(now, actors[pid].timezone) <= entry.day]

    def notice(t) -> Reply:
        return Reply(t("calendar.day_off_notice", date=format_date(entry.day, t.lang), kind=kind_label(entry.kind, t.lang),
                       name=esc(entry.name)))

    await deliver(uow, [(pid, notice, Urgency.NOTICE) for pid in told], default_language)
    await uow.day.forget_planned(ids, entry.day)
    return len(withdrawn), len(told)
