"""The unit tree: who is under whom, for `--unit` filters and tree listings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping


def children_of(parent_of: Mapping[str, str | None]) -> dict[str | None, list[str]]:
    children: dict[str | None, list[str]] = defaultdict(list)
    for unit, parent in parent_of.items():
        children[parent if parent in parent_of else None].append(unit)
    return children


def subtree(parent_of: Mapping[str, str | None], root: str) -> set[str]:
    """`root` and every unit below it."""
    children = children_of(parent_of)
    found, stack = set(), [root]
    while stack:
        unit = stack.pop()
        if unit in found:
            continue
        found.add(unit)
        stack.extend(children.get(unit, ()))
    return found


def depth_first(parent_of: Mapping[str, str | None], roots: list[str] | None = None) -> list[tuple[int, str]]:
    """(depth, unit) in display order: each unit followed by its sub-units, siblings in name order."""
    children = children_of(parent_of)
    out: list[tuple[int, str]] = []
    stack = [(0, r) for r in sorted(roots if roots is not None else children.get(None, []), reverse=True)]
    seen: set[str] = set()
    while stack:
        depth, unit = stack.pop()
        if unit in seen:
            continue
        seen.add(unit)
        out.append((depth, unit))
        stack.extend((depth + 1, c) for c in sorted(children.get(unit, []), reverse=True))
    return out
