"""The core's buttons within WhatsApp's limits, decided here and not in the core.

Up to 3 short labels: reply buttons (title ≤ 20). Up to 10: a list (row title ≤ 24, the full label as
the row's description). More: a numbered list in the text; the person answers "2" and the adapter maps
it back to the action (the menu is stored per chat). A "share my location" button becomes WhatsApp's
location-request message (there is no live location on WhatsApp)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.channels.whatsapp.markup import (
    BUTTON_TITLE_LIMIT,
    ROW_DESCRIPTION_LIMIT,
    ROW_TITLE_LIMIT,
    clip,
    to_whatsapp,
)
from bot.messages import Reply

MAX_REPLY_BUTTONS = 3
MAX_LIST_ROWS = 10
NUMBER_ANSWER = re.compile(r"\s*(\d{1,3})\s*[.)]?\s*")


@dataclass(frozen=True)
class Choices:
    """How one Reply's buttons go out. `kind`: none, buttons, list, numbered or location."""

    kind: str
    options: list[tuple[str, str]] = field(default_factory=list)  # (action, label as plain text)

    @property
    def actions(self) -> list[str]:
        return [a for a, _ in self.options]


def choices_of(reply: Reply) -> Choices:
    flat = [b for row in reply.buttons for b in row]
    if any(b.request_location for b in flat):
        return Choices("location")
    options = [(b.action, to_whatsapp(b.label)) for b in flat if b.action]
    if not options:
        return Choices("none")
    if len(options) <= MAX_REPLY_BUTTONS and all(len(label) <= BUTTON_TITLE_LIMIT for _, label in options):
        return Choices("buttons", options)
    if len(options) <= MAX_LIST_ROWS:
        return Choices("list", options)
    return Choices("numbered", options)


def row_title(label: str) -> tuple[str, str | None]:
    """A list row's title and, when the label does not fit, the whole label as its description."""
    if len(label) <= ROW_TITLE_LIMIT:
        return label, None
    return clip(label, ROW_TITLE_LIMIT), clip(label, ROW_DESCRIPTION_LIMIT)


def button_title(label: str) -> str:
    return clip(label, BUTTON_TITLE_LIMIT)


def numbered_text(options: list[tuple[str, str]], hint: str) -> str:
    lines = [f"{number}. {label}" for number, (_, label) in enumerate(options, start=1)]
    return "\n".join(lines + ["", hint])


def numbered_answer(text: str | None, menu: list[str]) -> str | None:
    """The action a bare number picks from the stored menu, or None when the text is something else."""
    if not text or not menu:
        return None
    match = NUMBER_ANSWER.fullmatch(text)
    if match is None:
        return None
    number = int(match.group(1))
    return menu[number - 1] if 1 <= number <= len(menu) else None
