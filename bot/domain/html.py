"""Replies are a small HTML subset; everything a person typed must be escaped before it enters one."""

from __future__ import annotations

import html


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def sentence(name: str) -> str:
    """A name at the end of a sentence: 'Rahmat, S.E.' keeps its own full stop, others get one."""
    return name if name.endswith(".") else name + "."
