"""Admins read and change unit schedules (CLI `apel schedule`, chat `/jadwal`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.unit_schedule import DEFAULTS, FIELDS, ScheduleValueError, parse_value, resolve, show_value, to_json
from bot.ports import UnitOfWork
from bot.services.errors import ServiceError
from bot.services.org_directory import find_unit
from bot.services.routine import chain_of


@dataclass(frozen=True)
class ScheduleLine:
    field: str
    value: str
    source: str  # the unit that sets it, "override <unit> <from>–<to>", or "default"


async def show(uow: UnitOfWork, unit: str | None, day: dt.date) -> tuple[str, list[ScheduleLine]]:
    units = await uow.org.stored_units()
    name = find_unit(units, unit) if unit else _root(units)
    chain = chain_of(name, units)
    layers = await uow.routine.schedule_layers()
    effective = resolve(chain, layers, day)
    lines = []
    for field_name in FIELDS:
        source = "default"
        ranked = sorted(
            (layer for layer in layers if layer.unit in chain and layer.in_force(day) and field_name in layer.values),
            key=lambda layer: (0 if layer.is_override else 1, chain.index(layer.unit)),
        )
        if ranked:
            top = ranked[0]
            source = top.unit if not top.is_override else f"{top.unit} {top.valid_from}–{top.valid_to or top.valid_from}"
        lines.append(ScheduleLine(field_name, show_value(getattr(effective, field_name)), source))
    return name, lines


async def set_field(
    uow: UnitOfWork, *, unit: str | None, field: str, value: str, valid_from: dt.date | None, valid_to: dt.date | None,
    actor: str, now: dt.datetime,
) -> str:
    units = await uow.org.stored_units()
    name = find_unit(units, unit) if unit else _root(units)
    try:
        parsed = parse_value(field, value)
    except ScheduleValueError as exc:
        raise ServiceError(exc.code, **exc.params) from None
    if valid_to is not None and (valid_from is None or valid_to < valid_from):
        raise ServiceError("schedule.bad_range")
    await uow.routine.set_schedule(units[name].id, to_json({field: parsed}), valid_from, valid_to, now)
    await uow.audit.record(now, actor, "schedule_set", {"unit": name, "field": field, "value": show_value(parsed),
                                                        "from": str(valid_from or ""), "to": str(valid_to or "")})
    return name


def _root(units) -> str:
    roots = sorted(u.name for u in units.values() if u.parent is None)
    if not roots:
        raise ServiceError("cli.org_empty")
    return roots[0]


__all__ = ["DEFAULTS", "ScheduleLine", "set_field", "show"]
