"""Near-duplicate images by their 64-bit perceptual hash (stored as 16 hex digits).

Lookup at scale (millions of rows) uses the pigeonhole principle: the hash is cut into BANDS bands;
two hashes that differ in at most BANDS - 1 bits agree exactly on at least one band. Each band is an
indexed column, so the database returns only rows sharing a band with one of the probes, and the
exact distance is computed here for those few candidates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

BANDS = 5
# 64 bits cut into 13+13+13+13+12: the widest bands (most selective) that BANDS allows.
_WIDTHS = (13, 13, 13, 13, 12)
MAX_DISTANCE = BANDS - 1  # a larger tolerance would let near-duplicates slip past the band lookup


def bands(phash: str) -> tuple[int, ...]:
    """The hash's band values, most significant bits first."""
    value, shift, out = int(phash, 16), 64, []
    for width in _WIDTHS:
        shift -= width
        out.append((value >> shift) & ((1 << width) - 1))
    return tuple(out)


def distance(a: str, b: str) -> int:
    """Hamming distance between two hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


@dataclass(frozen=True)
class Candidate:
    evidence_id: int
    person_id: int
    day: object  # dt.date
    phash: str


def nearest(probes: Iterable[str], candidates: Iterable[Candidate], max_distance: int) -> tuple[Candidate, int] | None:
    """The earliest candidate (by day, then id) within `max_distance` of any probe, and its distance."""
    probes = list(probes)
    found = []
    for c in candidates:
        best = min(distance(p, c.phash) for p in probes)
        if best <= max_distance:
            found.append((c.day, c.evidence_id, c, best))
    if not found:
        return None
    _, _, candidate, best = min(found, key=lambda f: (f[0], f[1]))
    return candidate, best
