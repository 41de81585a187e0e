"""Admins read and change unit schedules (CLI `apel schedule`, chat `/jadwal`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.domain.org_tree import subtree
from bot.domain.schedule import local_date
from bot.domain.unit_schedule import (
    DEFAULTS, FIELDS, FROM_THEN_ON, WEEKDAY_NAMES, ScheduleLayer, ScheduleValueError, parse_value, resolve, show_value,
    to_json,
)
from bot.ports import UnitOfWork
from bot.services.errors import ServiceError
from bot.services.org_directory import find_unit
from bot.texts import format_date, format_weekday_short, text
from bot.services.routine import chain_of


@dataclass(frozen=True)
class ScheduleLine:
    field: str
    value: str
    source: str  # the unit that sets it, "<unit> <from>–<to>" for an override, or "default"
    unit: str | None = None  # None: the default
    valid_from: dt.date | None = None  # an override's period
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class Saved:
    unit: str
    value: str  # as /jadwal and `schedule show` display it (07.15, not the 07:15 typed)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


def worded(value: str, source_unit: str | None, valid_from: dt.date | None, valid_to: dt.date | None,
           lang) -> tuple[str, str]:
    """(value, source) for people: "ya"/"tidak" rather than yes/no, "bawaan" rather than default, an
    override's period in Indonesian dates, weekdays as "sen,sel" (which the parser reads back). JSON/CSV
    keep the codes."""
    shown = text(lang, "cli.yes") if value == "yes" else text(lang, "cli.no") if value == "no" else value
    shown = _WEEKDAY_CODE.sub(lambda m: _weekday_word(m.group(0), lang), shown)
    if source_unit is None:
        return shown, text(lang, "schedule.source_default")
    if valid_from is None:
        return shown, source_unit
    if valid_to == FROM_THEN_ON:
        return shown, text(lang, "schedule.source_since", unit=source_unit, start=format_date(valid_from, lang))
    return shown, text(lang, "schedule.source_override", unit=source_unit, start=format_date(valid_from, lang),
                       end=format_date(valid_to or valid_from, lang))


async def show(uow: UnitOfWork, unit: str | None, day: dt.date) -> tuple[str, list[ScheduleLine]]:
    units = await uow.org.stored_units()
    name = find_unit(units, unit) if unit else _root(units)
    chain = chain_of(name, units)
    layers = await uow.routine.schedule_layers()
    effective = resolve(chain, layers, day)
    rank = {u: i for i, u in enumerate(chain)}
    lines = []

    def deciding(field_name: str):
        return sorted(
            (layer for layer in layers if layer.unit in chain and layer.in_force(day) and field_name in layer.values),
            key=lambda layer: layer.precedence(rank),
        )

    for field_name in FIELDS:
        source, top = "default", None
        ranked = deciding(field_name)
        if field_name == "deadline_by_weekday" and ranked and not effective.deadline_by_weekday:
            ranked = deciding("deadline")  # a period's deadline set the usual weekday deadlines aside (`resolve`)
        if ranked:
            top = ranked[0]
            source = (f"{top.unit} {top.valid_from}–" if top.from_then_on else
                      f"{top.unit} {top.valid_from}–{top.valid_to or top.valid_from}" if top.is_override else top.unit)
        lines.append(ScheduleLine(field_name, show_value(getattr(effective, field_name)), source,
                                  top.unit if top else None, top.valid_from if top else None,
                                  (top.valid_to or top.valid_from) if top and top.valid_from else None))
    return name, lines


async def set_field(
    uow: UnitOfWork, *, unit: str | None, field: str, value: str, valid_from: dt.date | None, valid_to: dt.date | None,
    actor: str, now: dt.datetime,
) -> Saved:
    units = await uow.org.stored_units()
    name = find_unit(units, unit) if unit else _root(units)
    try:
        parsed = parse_value(field, value)
    except ScheduleValueError as exc:
        raise ServiceError(exc.code, **exc.params) from None
    # --from alone is "from that day on": the unit's own value changes that day (it used to be refused; before
    # that, read as a one-day override). --to alone means nothing.
    if valid_from is None and valid_to is not None:
        raise ServiceError("schedule.period_needs_both")
    if valid_from is not None and valid_to is None:
        if valid_from <= local_date(now, units[name].timezone):
            raise ServiceError("schedule.since_not_ahead", start=valid_from.isoformat())
        valid_to = FROM_THEN_ON
    if valid_to is not None and valid_to < valid_from:
        raise ServiceError("schedule.bad_range")
    if field in ("apel", "deadline", "deadline_by_weekday"):
        await _refuse_deadline_before_apel(uow, units, name, field, parsed, valid_from, valid_to, now)
    if valid_from is None:
        # Set now, it replaces what a dated change already in force set: that change is history now.
        await uow.routine.drop_from_dated_changes(units[name].id, field, local_date(now, units[name].timezone))
    await uow.routine.set_schedule(units[name].id, to_json({field: parsed}), valid_from, valid_to, now)
    await uow.audit.record(now, actor, "schedule_set", {"unit": name, "field": field, "value": show_value(parsed),
                                                        "from": str(valid_from or ""), "to": str(valid_to or "")})
    return Saved(name, show_value(parsed), valid_from, valid_to)


async def _refuse_deadline_before_apel(uow: UnitOfWork, units, name: str, field: str, parsed, valid_from, valid_to,
                                       now: dt.datetime) -> None:
    """A deadline typed as 07:00 for 17:00 (or one meant after midnight) would leave the unit's days without a
    briefing, the reminders before apel and the escalation at breakfast: refused before anything is saved, for
    the week the change takes effect (each weekday's deadline). The units below inherit the change, so theirs
    are checked too: a Friday of 11.00 for the office ended a shift unit's Friday (apel 13.00) before apel."""
    change = ScheduleLayer(name, {field: parsed}, valid_from, valid_to)
    layers = [change] + list(await uow.routine.schedule_layers())  # first: it wins over what it replaces
    # Only those with values of their own can differ from `name` (the others resolve as their parent does).
    below = subtree({u.name: u.parent for u in units.values()}, name) & {layer.unit for layer in layers}
    for unit in [name] + sorted(below - {name}):
        chain = chain_of(unit, units)
        start = valid_from or local_date(now, units[unit].timezone)
        last = min(valid_to or start + dt.timedelta(days=6), start + dt.timedelta(days=6))
        day = start
        while day <= last:
            hours = resolve(chain, layers, day).day(day)
            if hours.deadline <= hours.apel:
                key = "schedule.deadline_before_apel" if unit == name else "schedule.deadline_before_apel_below"
                raise ServiceError(key, deadline=show_value(hours.deadline), apel=show_value(hours.apel), unit=unit)
            day += dt.timedelta(days=1)


_WEEKDAY_CODE = re.compile(r"\b(?:" + "|".join(WEEKDAY_NAMES) + r")\b")


def _weekday_word(code: str, lang) -> str:
    return format_weekday_short(WEEKDAY_NAMES.index(code), lang).lower()


def _root(units) -> str:
    roots = sorted(u.name for u in units.values() if u.parent is None)
    if not roots:
        raise ServiceError("cli.org_empty")
    return roots[0]


__all__ = ["DEFAULTS", "Saved", "ScheduleLine", "set_field", "show", "worded"]
