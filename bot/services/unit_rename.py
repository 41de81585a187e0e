"""A unit renamed by a new SOTK (organisation structure decree): the stored unit takes the new name, so the
next import matches it and its schedule, office geofence, local days off and invites stay its own. Without
it an import sees a new unit (with none of those) and leaves the old one behind, empty."""

from __future__ import annotations

import datetime as dt

from bot.domain.orgchart import MAX_TEXT_LENGTH
from bot.domain.plain_text import without_controls
from bot.ports import UnitOfWorkFactory
from bot.services.errors import ServiceError
from bot.services.org_directory import find_unit


async def rename_unit(uow_factory: UnitOfWorkFactory, old: str, new: str, *, now: dt.datetime, actor: str) -> str:
    """Give the unit `old` the name `new`; the old name as stored. Refused (ServiceError) for an unknown unit,
    an empty or over-long name, or a name another unit has."""
    new = " ".join((without_controls(new) or "").split())
    if not new or len(new) > MAX_TEXT_LENGTH:
        raise ServiceError("unit.bad_name", limit=MAX_TEXT_LENGTH)
    async with uow_factory() as uow:
        stored = await uow.org.stored_units()
        name = find_unit(stored, old)
        taken = {n.casefold(): n for n in stored if n != name}.get(new.casefold())
        if taken is not None:
            raise ServiceError("unit.name_taken", unit=taken)
        if new != name:
            await uow.org.rename_unit(stored[name].id, new, now)
            await uow.audit.record(now, actor, "unit_rename", {"unit_id": stored[name].id, "old": name, "new": new})
            await uow.commit()
    return name
