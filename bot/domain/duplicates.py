"""Near-duplicate images, in two stages.

First, their 64-bit perceptual hash (stored as 16 hex digits). Lookup at scale (millions of rows) uses
the pigeonhole principle: the hash is cut into BANDS bands; two hashes that differ in at most
BANDS - 1 bits agree exactly on at least one band. Each band is an indexed column, so the database
returns only rows sharing a band with one of the probes, and the exact distance is computed here for
those few candidates.

64 bits are too coarse to tell apart different screenshots of apps that share a layout (about 1 pair
in 1,300 came within 4 bits), so a match of the first stage is only a suspicion: it is confirmed by a
256-bit hash of the same crop computed from both thumbnails (the port's `resemble`), which puts those
pairs 48 bits and more apart while true copies stay within 18 (DESIGN.md "Near-duplicate threshold")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

BANDS = 5
# 64 bits cut into 13+13+13+13+12: the widest bands (most selective) that BANDS allows.
_WIDTHS = (13, 13, 13, 13, 12)
MAX_DISTANCE = BANDS - 1  # a larger tolerance would let near-duplicates slip past the band lookup
# The second opinion: bits of 256 within which a first-stage match is the same picture. Measured
# (tests/test_evidence_duplicates.py): true copies 0–18; different screenshots that collided at 64 bits
# 48 and more, any two different screenshots 32 and more. 24 leans towards not accusing.
CONFIRM_DISTANCE = 24
# First-stage matches given a second opinion, nearest first. Each costs one thumbnail decode (~6 ms);
# a pathological picture (a blank screen) may match thousands at 64 bits. Nearest, not earliest: in a
# large history the earliest few suspects may all be collisions while the true copy, closer (0–2 bits
# for most copies, 4 for the collisions mostly), came later.
MAX_SECOND_OPINIONS = 20


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
    thumb_path: str | None = None  # for the second opinion; None once erased (or a document)


def within(probes: Iterable[str], candidates: Iterable[Candidate], max_distance: int) -> list[tuple[Candidate, int]]:
    """The candidates within `max_distance` of any probe, with their distance, earliest (day, id) first."""
    probes = list(probes)
    found = []
    for c in candidates:
        best = min(distance(p, c.phash) for p in probes)
        if best <= max_distance:
            found.append((c, best))
    return sorted(found, key=lambda f: (f[0].day, f[0].evidence_id))


def suspects(probes: Iterable[str], candidates: Iterable[Candidate], max_distance: int,
             limit: int = MAX_SECOND_OPINIONS) -> list[Candidate]:
    """Up to `limit` candidates within `max_distance` of any probe, nearest first, then earliest."""
    found = within(probes, candidates, max_distance)
    return [c for c, _ in sorted(found, key=lambda f: (f[1], f[0].day, f[0].evidence_id))[:limit]]


def nearest(probes: Iterable[str], candidates: Iterable[Candidate], max_distance: int) -> tuple[Candidate, int] | None:
    """The earliest candidate (by day, then id) within `max_distance` of any probe, and its distance."""
    found = within(probes, candidates, max_distance)
    return found[0] if found else None
