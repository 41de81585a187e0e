"""Use case: list the org chart, whole or one unit's subtree."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bot.domain.org_sync import StoredUnit
from bot.domain.org_tree import depth_first, subtree
from bot.ports import PersonRow, UnitOfWork, UnitOfWorkFactory
from bot.services.errors import ServiceError


@dataclass(frozen=True)
class OrgListing:
    units: list[tuple[int, StoredUnit]]  # (depth, unit) in tree order
    people: list[PersonRow]


async def units_under(uow: UnitOfWork, unit: str | None) -> set[str] | None:
    """The names of `unit` and its sub-units; None (no filter) when no unit is asked for."""
    if unit is None:
        return None
    stored = await uow.org.stored_units()
    match = find_unit(stored, unit)
    return subtree({u.name: u.parent for u in stored.values()}, match)


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def find_unit(stored: dict[str, StoredUnit], asked: str) -> str:
    """The unit as typed, in any case and with any spacing ("seksi  timur "); refused with the nearest
    names when it is misspelt ("Seksi Timr": "Maksud Anda: Seksi Timur?")."""
    if asked in stored:
        return asked
    folded = {_folded(name): name for name in stored}
    if _folded(asked) in folded:
        return folded[_folded(asked)]
    near = difflib.get_close_matches(_folded(asked), list(folded), n=3, cutoff=0.75)
    if near:
        raise ServiceError("unit.unknown_near", unit=asked, near=", ".join(folded[n] for n in near))
    raise ServiceError("unit.unknown", unit=asked)


async def list_org(uow_factory: UnitOfWorkFactory, *, unit: str | None, include_inactive: bool = False) -> OrgListing:
    async with uow_factory() as uow:
        stored = await uow.org.stored_units()
        parent_of = {u.name: u.parent for u in stored.values()}
        roots = [find_unit(stored, unit)] if unit is not None else None
        ordered = depth_first(parent_of, roots)
        names = {name for _, name in ordered}
        people = await uow.org.list_people(names, include_inactive=include_inactive)
    return OrgListing([(depth, stored[name]) for depth, name in ordered], people)
