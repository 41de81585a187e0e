"""What the evidence checks read: earlier images that may be the same picture; pending derivatives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.duplicates import BANDS, Candidate, bands
from storage.day_tables import Evidence

BAND_COLUMNS = tuple(getattr(Evidence, f"phash_b{i}") for i in range(BANDS))
MAX_CANDIDATES = 5000  # a pathological hash (a blank screen) must not pull half the table


# Built once (every photo asks): the band values go in as expanding parameters band0…band4, so a new
# number of them renders a new IN list without building and keying a new statement.
_SIMILAR = (
    select(Evidence.id, Evidence.person_id, Evidence.day, Evidence.phash, Evidence.thumb_path)
    .where(or_(*(column.in_(bindparam(f"band{i}", expanding=True)) for i, column in enumerate(BAND_COLUMNS))))
    .where(~and_(Evidence.person_id == bindparam("person_id"), Evidence.day == bindparam("day")))
    .order_by(Evidence.day, Evidence.id)
    .limit(MAX_CANDIDATES)
)
_SIMILAR_BEFORE = _SIMILAR.where(Evidence.id < bindparam("before_id"))


def band_values(phash: str | None) -> dict[str, int | None]:
    """The band columns of a new evidence row."""
    values = bands(phash) if phash else (None,) * BANDS
    return {f"phash_b{i}": v for i, v in enumerate(values)}


class SqlEvidenceRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def similar(self, probes: Sequence[str], *, person_id: int, day: dt.date,
                      before_id: int | None = None) -> list[Candidate]:
        """Images sharing a band with any probe, except the person's own of that same day (sending one
        screenshot for two tasks is fine). Index lookups only; the caller measures the distance."""
        if not probes:
            return []
        probe_bands = [bands(p) for p in probes]
        params = {f"band{i}": sorted({b[i] for b in probe_bands}) for i in range(BANDS)}
        params |= {"person_id": person_id, "day": day, "before_id": before_id}
        rows = await self.session.execute(_SIMILAR_BEFORE if before_id is not None else _SIMILAR, params)
        return [Candidate(i, p, d, h, t) for i, p, d, h, t in rows if h]

    async def same_file(self, sha256: str, *, person_id: int, day: dt.date) -> Candidate | None:
        """The earliest identical file (documents have no perceptual hash), other than today's own."""
        row = (await self.session.execute(
            select(Evidence.id, Evidence.person_id, Evidence.day, Evidence.sha256)
            .where(Evidence.sha256 == sha256, ~and_(Evidence.person_id == person_id, Evidence.day == day))
            .order_by(Evidence.day, Evidence.id).limit(1)
        )).first()
        return Candidate(*row) if row else None

    async def pending_derivatives(self, limit: int) -> list[tuple[int, str, str]]:
        """(id, original path, sha256) of images whose derivative is still to be made."""
        rows = await self.session.execute(
            select(Evidence.id, Evidence.path, Evidence.sha256)
            .where(Evidence.thumb_path.is_not(None), Evidence.derivative_path.is_(None),
                   Evidence.original_purged_at.is_(None))
            .order_by(Evidence.id).limit(limit))
        return [tuple(r) for r in rows]

    async def set_derivative(self, sha256: str, path: str) -> None:
        """Every row of this file (content-addressed) gets the derivative."""
        await self.session.execute(
            update(Evidence).where(Evidence.sha256 == sha256, Evidence.derivative_path.is_(None))
            .values(derivative_path=path))

