"""Records of presence as the core sees them (the presence repository returns these, never rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HomeRecord:
    """A person's home: the approved point in force (imported or approved in chat) and one waiting."""

    person_id: int
    lat: float | None
    lon: float | None
    radius_m: int | None
    pending_lat: float | None
    pending_lon: float | None
    pending_at: dt.datetime | None

    @property
    def approved(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def pending(self) -> bool:
        return self.pending_lat is not None and self.pending_lon is not None and self.pending_at is not None


@dataclass(frozen=True)
class OfficeRecord:
    unit_id: int
    unit: str
    lat: float | None
    lon: float | None
    radius_m: int | None

    @property
    def set(self) -> bool:
        return self.lat is not None and self.lon is not None and self.radius_m is not None


@dataclass(frozen=True)
class SummaryRecord:
    person_id: int
    day: dt.date
    mode: str
    expected_minutes: int = 0
    covered_minutes: int = 0
    coverage_pct: float | None = None
    first_fix_at: dt.datetime | None = None
    last_fix_at: dt.datetime | None = None
    fixes: int = 0
    gaps: list = field(default_factory=list)  # [[start_iso, end_iso], ...]
    stopped_early: bool = False
    checkin_at: dt.datetime | None = None
    computed_at: dt.datetime | None = None
