"""The core's small HTML (<b>, <i>, <code>, <a>, entities) → WhatsApp's own markup, and its length limits.

WhatsApp has no HTML: *bold*, _italic_, ```mono```; a link is shown as its text and address."""

from __future__ import annotations

import html
import re

TEXT_LIMIT = 4096  # a text message body
INTERACTIVE_BODY_LIMIT = 1024  # the body of buttons, lists and location requests
CAPTION_LIMIT = 1024
BUTTON_TITLE_LIMIT = 20
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72

_TAGS = [
    (re.compile(r"</?(b|strong)>", re.I), "*"),
    (re.compile(r"</?(i|em)>", re.I), "_"),
    (re.compile(r"</?(s|strike|del)>", re.I), "~"),
    (re.compile(r"</?(code|pre)>", re.I), "```"),
]
_LINK = re.compile(r'<a\s+href="([^"]*)"\s*>(.*?)</a>', re.I | re.S)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def to_whatsapp(text: str) -> str:
    """Tags become WhatsApp markers, other tags vanish, entities are unescaped last (so a person's "<b>"
    typed as text, which the core escaped, stays text)."""

    def link(match: re.Match) -> str:
        url, label = html.unescape(match.group(1)), match.group(2)
        return label if html.unescape(label) == url else f"{label} ({url})"

    text = _LINK.sub(link, text)
    for pattern, marker in _TAGS:
        text = pattern.sub(marker, text)
    return html.unescape(_ANY_TAG.sub("", text))


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Parts of at most `limit` characters, cut at a line break where there is one, else at a space."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= limit // 2:
            cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n ")
    if text or not parts:
        parts.append(text)
    return parts
