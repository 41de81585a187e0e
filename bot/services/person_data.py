"""A person's data under UU PDP: everything stored about them (export), and erasure of a deactivated
person's personal data. Erasure keeps what the unit's monthly recaps count (work-day modes, report status
and lateness, evidence counts, flags and presence summaries), under "Dihapus <id>" and a placeholder NIP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from bot.ports import UnitOfWorkFactory
from bot.services.errors import ServiceError
from bot.services.retention import MediaFiles


@dataclass
class PersonExport:
    data: dict  # table name -> rows, JSON-ready
    files: list[tuple[str, str]] = field(default_factory=list)  # (name in the archive, path on disk)


async def export_person(uow_factory: UnitOfWorkFactory, nip: str, *, now: dt.datetime, actor: str,
                        deliver: Callable[[PersonExport], Awaitable[None]] | None = None) -> PersonExport:
    """Everything stored about the person. `deliver` writes it out before the audit entry is stored, so that
    the log holds only exports that happened."""
    async with uow_factory() as uow:
        found = await uow.person_data.find(nip.strip())
        if found is None:
            raise ServiceError("person_data.unknown", nip=nip)
        person_id = found[0]
        export = PersonExport({"exported_at": now.isoformat(), **await uow.person_data.export(person_id)})
        for evidence_id, name, original, derivative, thumb in await uow.person_data.evidence_files(person_id):
            # The original while it is kept (retention removes it), else what others were shown.
            for folder, path in (("originals", original), ("derivatives", derivative or thumb)):
                if path:
                    export.files.append((f"evidence/{folder}/{evidence_id}-{PurePath(name or path).name}", path))
                    break
        if deliver is not None:
            await deliver(export)
        await uow.audit.record(now, actor, "person_export", {"person_id": person_id})
        await uow.commit()
    return export


async def erase_person(uow_factory: UnitOfWorkFactory, files: MediaFiles, nip: str, *, now: dt.datetime,
                       actor: str) -> int:
    """Erase a deactivated person's personal data; the number of files deleted. Refused for an active one:
    deactivate them first (by the org chart import), so that nobody's working day is erased by mistake."""
    async with uow_factory() as uow:
        person_id = await _erasable(uow, nip)
        paths = sorted({p for _, _, original, derivative, thumb in await uow.person_data.evidence_files(person_id)
                        for p in (original, derivative, thumb) if p})
        removable = sorted(set(paths) - await uow.person_data.shared_paths(person_id, paths))
        present = await files.sizes(removable)
        await uow.person_data.erase(person_id, now)
        # Never the NIP or name in the log: the entry must not undo the erasure.
        await uow.audit.record(now, actor, "person_erase", {"person_id": person_id, "files": len(present)})
        await files.remove(removable)  # before the commit: a failed commit is retried and finds them gone
        await uow.commit()
    return len(present)


async def check_erasable(uow_factory: UnitOfWorkFactory, nip: str) -> None:
    """Refuse an unknown or active person before anyone is asked to confirm an erasure that cannot happen."""
    async with uow_factory() as uow:
        await _erasable(uow, nip)


async def _erasable(uow, nip: str) -> int:
    found = await uow.person_data.find(nip.strip())
    if found is None:
        raise ServiceError("person_data.unknown", nip=nip)
    person_id, active, _ = found
    if active:
        raise ServiceError("person_data.still_active", nip=nip)
    return person_id
