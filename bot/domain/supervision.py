"""Supervision levels: who digests when. Level 1 supervises only people who supervise nobody (section
heads); each level above supervises someone of the level below (division heads 2, head of office 3…)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def levels(pairs: Iterable[tuple[int, int | None]]) -> dict[int, int]:
    """`pairs`: (person, their supervisor). Returns supervisor -> level; cycles cannot occur (the import
    refuses them) but are cut rather than looped on."""
    reports: dict[int, list[int]] = defaultdict(list)
    for person, boss in pairs:
        if boss is not None:
            reports[boss].append(person)
    level: dict[int, int] = {}

    def of(boss: int, seen: frozenset) -> int:
        if boss in level:
            return level[boss]
        below = [of(r, seen | {boss}) for r in reports[boss] if r in reports and r not in seen]
        level[boss] = 1 + max(below, default=0)
        return level[boss]

    for boss in list(reports):
        of(boss, frozenset())
    return level
