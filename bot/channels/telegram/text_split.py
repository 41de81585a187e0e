"""Splitting long HTML texts into messages Telegram accepts.

Telegram refuses texts over 4096 characters (captions: 1024), counted after entity parsing: tags count
nothing and `&lt;` counts as the one `<` it shows. We count that visible text in UTF-16 code units (an emoji
outside the BMP twice), never less than Telegram's count. Counting the raw HTML instead cut messages that fit:
a 3,000-character announcement with `<`, `>` and `&` in it came as three pieces cut mid-word. Splits fall at
line ends; a single over-long line is cut at a space, never inside a tag or an entity; a <b>/<i>/<code>
open across a cut is closed at the end of one part and reopened in the next, so each part is valid HTML on
its own."""

from __future__ import annotations

import html
import re

from bot.domain.html import utf16_len

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# Room for closing and reopening the tags open at a cut ("<b><i><code>" + "</code></i></b>" and more).
TAG_RESERVE = 64

_ATOM = re.compile(r"<[^>]*>|&#?\w+;|.", re.DOTALL)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")


tg_len = utf16_len  # length as Telegram counts it


def visible_len(text: str) -> int:
    """The length Telegram checks against its limits: the text without tags, entities decoded, in UTF-16 units."""
    return tg_len(html.unescape(_TAG.sub("", text)))


def _atom_len(atom: str) -> int:
    if atom.startswith("<") and len(atom) > 1:
        return 0
    return tg_len(html.unescape(atom)) if atom.startswith("&") else tg_len(atom)


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    if visible_len(text) <= limit:
        return [text]
    budget = limit - TAG_RESERVE
    units: list[tuple[str, str]] = []  # (separator before it, piece)
    for i, line in enumerate(text.split("\n")):
        for j, piece in enumerate(_hard_split(line, budget)):
            units.append(("\n" if i and not j else "", piece))
    chunks: list[str] = []
    current: str | None = None
    size = 0  # visible_len(current)
    for sep, piece in units:
        length = visible_len(piece)
        if current is None:
            current, size = piece, length
        elif size + tg_len(sep) + length > budget:
            chunks.append(current)
            current, size = piece, length  # the newline at a cut is the message break itself
        else:
            current += sep + piece
            size += tg_len(sep) + length
    if current is not None:
        chunks.append(current)
    return _balance(chunks)


def _hard_split(line: str, budget: int) -> list[str]:
    """A line that fits stays whole; a longer one is cut between atoms, at a space when one is near."""
    if visible_len(line) <= budget:
        return [line]
    pieces: list[str] = []
    atoms = _ATOM.findall(line)
    start = 0
    while start < len(atoms):
        size = 0
        end = start
        last_space = -1
        while end < len(atoms) and size + _atom_len(atoms[end]) <= budget:
            size += _atom_len(atoms[end])
            if atoms[end] == " ":
                last_space = end
            end += 1
        if end < len(atoms) and last_space > start + (end - start) // 2:
            end = last_space + 1  # keep words whole unless that wastes more than half a message
        end = max(end, start + 1)
        pieces.append("".join(atoms[start:end]))
        start = end
    return pieces


def _balance(chunks: list[str]) -> list[str]:
    """Close the tags left open at each cut and reopen them at the start of the next part."""
    result: list[str] = []
    carried: list[tuple[str, str]] = []  # (tag name, its opening tag as written)
    for chunk in chunks:
        body = "".join(opening for _, opening in carried) + chunk
        stack = list(carried)
        for match in _TAG.finditer(chunk):
            closing, name = match.group(1), match.group(2).lower()
            if not closing:
                stack.append((name, match.group(0)))
            elif stack and stack[-1][0] == name:
                stack.pop()
        body += "".join(f"</{name}>" for name, _ in reversed(stack))
        carried = stack
        # Telegram refuses a message that is empty once tags are removed (blank lines at a cut).
        if _TAG.sub("", body).strip():
            result.append(body)
    return result
