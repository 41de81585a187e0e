"""Pending derivatives: a turned photo's upright, metadata-free copy is made here, off the intake path
(the person waiting for "Foto diterima" does not wait for a full-size re-encode); the retention purge
keeps an original until its derivative exists."""

from __future__ import annotations

import logging

from bot.ports import MediaStore, UnitOfWorkFactory

log = logging.getLogger(__name__)

BATCH = 200  # per tick: a turned 12 MP photo costs about a second of CPU
UNMAKEABLE = ""  # the original cannot be read any more: nothing to make, nothing to wait for


async def make_pending(uow_factory: UnitOfWorkFactory, media: MediaStore, *, limit: int = BATCH) -> int:
    """Make up to `limit` pending derivatives; the number made."""
    async with uow_factory() as uow:
        pending = await uow.evidence.pending_derivatives(limit)
    made = 0
    for _, original, sha256 in pending:
        try:
            path = await media.make_derivative(original, sha256)
            made += 1
        except (OSError, ValueError, SyntaxError) as exc:
            log.warning("cannot make the derivative of %s: %s", sha256[:12], type(exc).__name__)
            path = UNMAKEABLE
        async with uow_factory() as uow:
            await uow.evidence.set_derivative(sha256, path)
            await uow.commit()
    return made
