"""A NIP corrected by the HR office (a typo in Simpeg, fixed by a decree): the stored person takes the new
NIP, so that the next import matches them and their chat links, history and home stay theirs. Without it an
import sees a person who left (the old NIP, deactivated) and a new one (the right NIP, unlinked)."""

from __future__ import annotations

import datetime as dt

from bot.domain.nip import NipError, normalize_nip, parse_nip
from bot.ports import UnitOfWorkFactory
from bot.services.errors import ServiceError


async def correct_nip(uow_factory: UnitOfWorkFactory, old: str, new: str, *, now: dt.datetime, actor: str) -> str:
    """Give the person with NIP `old` the NIP `new`; their name. Refused (ServiceError) when `new` is not a
    valid NIP, belongs to someone already, or nobody holds `old`."""
    old, raw_new = normalize_nip(old), new
    try:
        new = parse_nip(raw_new)
    except NipError as exc:
        raise ServiceError(exc.code, value=raw_new) from None
    async with uow_factory() as uow:
        found = await uow.org.holder_of_nip(old)
        if found is None:
            raise ServiceError("person_data.unknown", nip=old)
        taken = await uow.org.holder_of_nip(new)
        if taken is not None:
            raise ServiceError("person_nip.taken", nip=new, name=taken[1])
        person_id, name = found
        await uow.org.set_nip(person_id, new, now)
        await uow.audit.record(now, actor, "person_nip", {"person_id": person_id})
        await uow.commit()
    return name
