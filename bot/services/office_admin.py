"""Admins set each unit's office geofence (centre and radius) for WFO check-ins, and list them."""

from __future__ import annotations

import datetime as dt

from bot.presence_records import OfficeRecord
from bot.services.errors import ServiceError
from bot.services.presence import valid_coordinates

MIN_RADIUS_M, MAX_RADIUS_M = 10, 5000


async def set_office(uow_factory, *, now: dt.datetime, unit: str, lat: float | None, lon: float | None,
                     radius_m: int | None, actor: str) -> None:
    """All three values, or none of them to clear the geofence."""
    values = (lat, lon, radius_m)
    if any(v is None for v in values) and any(v is not None for v in values):
        raise ServiceError("cli.office_incomplete")
    if lat is not None and not valid_coordinates(lat, lon):
        raise ServiceError("cli.office_bad_coordinates")
    if radius_m is not None and not MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M:
        raise ServiceError("cli.office_bad_radius", low=MIN_RADIUS_M, high=MAX_RADIUS_M)
    async with uow_factory() as uow:
        if not await uow.presence.set_office(unit, lat, lon, radius_m, now):
            raise ServiceError("unit.unknown", unit=unit)
        await uow.audit.record(now, actor, "org_office", {"unit": unit, "lat": lat, "lon": lon, "radius_m": radius_m})
        await uow.commit()


async def offices(uow_factory, unit: str | None) -> list[OfficeRecord]:
    async with uow_factory() as uow:
        found = list((await uow.presence.offices()).values())
    if unit is not None:
        found = [o for o in found if o.unit == unit]
        if not found:
            raise ServiceError("unit.unknown", unit=unit)
    return found
