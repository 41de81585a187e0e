"""Replies are a small HTML subset; everything a person typed must be escaped before it enters one."""

from __future__ import annotations

import html


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def utf16_len(text: str) -> int:
    """Length as Telegram and WhatsApp measure their limits: UTF-16 code units (an emoji beyond the BMP is two)."""
    return len(text.encode("utf-16-le")) // 2


def clip_utf16(value: str, limit: int) -> str:
    """`clip` for a limit counted in UTF-16 code units."""
    if utf16_len(value) <= limit:
        return value
    while utf16_len(value) > limit - 1:
        value = value[:-max(1, (utf16_len(value) - limit) // 2)]
    return value + "…"


def sentence(name: str) -> str:
    """A name at the end of a sentence: 'Rahmat, S.E.' keeps its own full stop, others get one."""
    return name if name.endswith(".") else name + "."
