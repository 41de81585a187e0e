"""Acting officials (Plh, Pelaksana Harian): an admin designates someone to stand in for an official on
their days away (cuti, dinas luar). For those days what would come up to the official — their team's digest,
leave and home requests to decide, the missing list and the "belum menindaklanjuti" notices — goes to the Plh
(`leave_routing.standing_in`, used by `ladder` and `deciders_for`), and the Plh decides with the official's
authority over the people below them (`acts_for`). The official keeps their own authority. Admins designate
with `apel person plh` or, in chat, `/plh` (bot/services/plh_chat.py): `designate_in` and `clear_in` are both's."""

from __future__ import annotations

import datetime as dt

from bot.domain.nip import normalize_nip
from bot.domain.schedule import local_date
from bot.ports import PlhRecord, UnitOfWork, UnitOfWorkFactory
from bot.services.errors import ServiceError

LONGEST = dt.timedelta(days=366)  # a typo in the year (2062 for 2026) should not silently hand over a team


async def designate(uow_factory: UnitOfWorkFactory, official_nip: str, plh_nip: str, first: dt.date, last: dt.date,
                    *, today: dt.date, now: dt.datetime, actor: str) -> tuple[str, str]:
    """`designate_in` in a unit of work of its own (the CLI)."""
    async with uow_factory() as uow:
        names = await designate_in(uow, official_nip, plh_nip, first, last, today=today, now=now, actor=actor)
        await uow.commit()
    return names


async def designate_in(uow: UnitOfWork, official_nip: str, plh_nip: str, first: dt.date, last: dt.date,
                       *, today: dt.date, now: dt.datetime, actor: str) -> tuple[str, str]:
    """Make `plh_nip` the Plh of `official_nip` from `first` to `last` (both included); (official's name, Plh's
    name). Refused (ServiceError) for an unknown or deactivated person, the official themself, an official
    without a team, a period backwards, over or longer than a year, or one overlapping another designation
    of that official (one Plh at a time: the admin clears the old one first)."""
    if last < first:
        raise ServiceError("plh.backwards", first=first, last=last)
    if last < today:
        raise ServiceError("plh.over", last=last)
    if last - first > LONGEST:
        raise ServiceError("plh.too_long", first=first, last=last)
    official = await _active(uow, official_nip)
    plh = await _active(uow, plh_nip)
    if official.person_id == plh.person_id:
        raise ServiceError("plh.self", name=official.name)
    if not official.has_reports:
        raise ServiceError("plh.no_team", name=official.name)
    clash = await uow.plh.overlapping(official.person_id, first, last)
    if clash:
        raise ServiceError("plh.overlap", name=official.name, plh=clash[0].plh_name, first=clash[0].first_day,
                           last=clash[0].last_day, nip=official.nip)
    await uow.plh.add(official.person_id, plh.person_id, first, last, now)
    await uow.audit.record(now, actor, "plh_designate", {"official_id": official.person_id,
                                                         "plh_id": plh.person_id, "from": first.isoformat(),
                                                         "to": last.isoformat()})
    return official.name, plh.name


async def clear(uow_factory: UnitOfWorkFactory, official_nip: str, since: dt.date, *, now: dt.datetime,
                actor: str) -> tuple[str, int]:
    """`clear_in` in a unit of work of its own (the CLI)."""
    async with uow_factory() as uow:
        found = await clear_in(uow, official_nip, since, now=now, actor=actor)
        await uow.commit()
    return found


async def clear_in(uow: UnitOfWork, official_nip: str, since: dt.date, *, now: dt.datetime,
                   actor: str) -> tuple[str, int]:
    """End the official's designations from `since` on (later ones removed, a running one cut to the day
    before); (their name, how many). Also for a deactivated official: their Plh should not outlive them."""
    found = await uow.org.holder_of_nip(normalize_nip(official_nip))
    if found is None:
        raise ServiceError("person_data.unknown", nip=normalize_nip(official_nip))
    count = await uow.plh.cut_from(found[0], since)
    if count:
        await uow.audit.record(now, actor, "plh_clear", {"official_id": found[0], "from": since.isoformat(),
                                                         "count": count})
    return found[1], count


async def listing(uow_factory: UnitOfWorkFactory, today: dt.date) -> list[PlhRecord]:
    """The designations running today or later."""
    async with uow_factory() as uow:
        return await listing_in(uow, today)


async def listing_in(uow: UnitOfWork, today: dt.date) -> list[PlhRecord]:
    return await uow.plh.listing(today)


async def acting_now(uow: UnitOfWork, now: dt.datetime) -> list:
    """The active people standing in for someone today, each's today in their own unit's zone (a
    designation's days are the Plh's working days, as for `officials_of` on their turn's day)."""
    # Indonesia's zones are within a day of UTC: a designation running anywhere today has ended no earlier than yesterday.
    running = await uow.plh.listing(now.date() - dt.timedelta(days=1))
    actors = await uow.people.actors(sorted({r.plh_id for r in running}))
    return [actor for actor in actors.values()
            if any(r.plh_id == actor.person_id and r.first_day <= local_date(now, actor.timezone) <= r.last_day
                   for r in running)]


async def _active(uow: UnitOfWork, nip: str):
    nip = normalize_nip(nip)
    found = await uow.org.holder_of_nip(nip)
    if found is None:
        raise ServiceError("person_data.unknown", nip=nip)
    actor = (await uow.people.actors([found[0]])).get(found[0])
    if actor is None:
        raise ServiceError("plh.inactive", nip=nip, name=found[1])
    return actor


async def acts_for(uow: UnitOfWork, actor_id: int, person_id: int, day: dt.date, *, team: bool = False) -> bool:
    """Whether `actor_id` is, on `day`, the Plh of someone above `person_id` (with `team`: of `person_id`
    themself too, for their team's buttons), and so decides on their things as that official would."""
    officials = await uow.plh.officials_of(actor_id, day)
    if not officials:
        return False
    above = set(await uow.people.chain(person_id))
    return bool(officials & (above | {person_id} if team else above))
