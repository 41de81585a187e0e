"""The core's buttons within WhatsApp's limits, decided here and not in the core.

Up to 3 short labels: reply buttons (title ≤ 20). Up to 10: a list (row title ≤ 24, the full label as
the row's description). More: a numbered list in the text; the person answers "2" and the adapter maps
it back to the action (the menu is stored per chat). When the core's buttons come in rows of several
(a digest's ✅ 5 ↩️ 5 👁 5 per person, a task's ✅ 2 🔄 2 ⛔ 2 📎 2), the numbers are the rows, each
answered by the number its labels carry — the number of its line in the message, also when lines
without buttons (a task already done) leave gaps — and its buttons follow as a message of their own. A "share my location"
button becomes WhatsApp's location-request message (there is no live location on WhatsApp)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.channels.whatsapp.markup import (
    BUTTON_TITLE_LIMIT,
    ROW_DESCRIPTION_LIMIT,
    ROW_TITLE_LIMIT,
    clip,
)
from bot.messages import TOGGLE_PREFIXES, Reply

MAX_REPLY_BUTTONS = 3
MAX_LIST_ROWS = 10
NUMBER_ANSWER = re.compile(r"\s*(\d{1,3})\s*[.)]?\s*")
MANY_NUMBERS = re.compile(r"\s*\d{1,3}(?:(?:\s*[,;]\s*|\s+)\d{1,3})+\s*\.?\s*")
TRAILING_NUMBER = re.compile(r"\s(\d{1,3})$")
LEADING_NUMBER = re.compile(r"(\d{1,3})(?:\. |$)")
BARE_NUMBER = re.compile(r"\d{1,3}")
# A button that is an icon and a line's number (a digest's lone "👁 14"): it answers that number, also when
# the list it follows began at 14 (the turn's second digest, numbered on from the first).
ICON_NUMBER = re.compile(r"[^\w\s]+\s(\d{1,3})")
# A label that is an amount ("30 menit", "2 jam", "3 hari"): the number a person types means the amount. A
# label of more words ("2 Surat edaran", a task) is not one.
QUANTITY = re.compile(r"(\d{1,2})\s+[^\W\d_]+")


Option = tuple[str, str]  # (action, label as plain text)
# A numbered menu's entry: an action, or a row of (action, label) pairs whose buttons follow the answer;
# None for a number that answers nothing (the line of a task already done).
MenuEntry = str | list[list[str]] | None


@dataclass(frozen=True)
class Choices:
    """How one Reply's buttons go out. `kind`: none, buttons, list, numbered or location."""

    kind: str
    options: list[Option] = field(default_factory=list)
    rows: list[list[Option]] = field(default_factory=list)  # the core's rows of buttons

    @property
    def by_row(self) -> bool:
        """A numbered menu of rows: some row holds more than one button."""
        return self.kind == "numbered" and any(len(row) > 1 for row in self.rows)

    @property
    def numbers(self) -> list[int]:
        """The number that answers each numbered line (a row, or an option when no row has several)."""
        if not self.by_row:
            return option_numbers(self.options)
        return row_numbers(self.rows)

    @property
    def menu(self) -> list[MenuEntry]:
        """What each number answers, as stored for the chat."""
        if not self.by_row:
            menu: list[MenuEntry] = [None] * max(self.numbers)
            for number, (act, _) in zip(self.numbers, self.options, strict=True):
                menu[number - 1] = act
            return menu
        menu = [None] * max(self.numbers)
        for number, row in zip(self.numbers, self.rows, strict=True):
            menu[number - 1] = row[0][0] if len(row) == 1 else [[a, label] for a, label in row]
        return menu


def typed_menu(choices: Choices) -> list[MenuEntry]:
    """What a number typed in answer to a list or reply buttons picks, which WhatsApp shows unnumbered: the
    core's row N where its labels carry numbers ("✅ 2" · "🔄 2": /tugas's task 2; a lone "👁 2"), else the N-th button
    as it appears ("2" after Cuti · Sakit · Dinas luar is Sakit)."""
    numbered_rows = any(TRAILING_NUMBER.search(label) for row in choices.rows if len(row) > 1 for _, label in row)
    rows = choices.rows if numbered_rows else [[option] for option in choices.options]
    menu = Choices("numbered", choices.options, rows).menu
    amounts = {act: int(m.group(1)) for act, label in choices.options if (m := QUANTITY.fullmatch(label))}
    if numbered_rows or len(amounts) < 2:  # one label alike is a name or a title, not a choice of amounts
        return menu
    # "2" after 30 menit · 1 jam · 2 jam is the two hours the person read, not the second button (one hour):
    # a number picks the choice it is the amount of, or one in that place that states no amount ("1" after
    # Hari ini · 2 hari · 3 hari); any other number answers nothing here and reaches the core as typed.
    by_amount: list[MenuEntry] = [None if isinstance(entry, str) and entry in amounts else entry for entry in menu]
    by_amount += [None] * (max(amounts.values()) - len(by_amount))
    for act, amount in amounts.items():
        by_amount[amount - 1] = act
    return by_amount


def row_numbers(rows: list[list[Option]]) -> list[int]:
    """Each row's number: the one all its labels end with ("✅ 3", "🔄 3", or a lone "👁 3": line 3 of
    the message), so the person answers the number they read; rows without one (➕ Tambah tugas) follow
    the highest. When that does not give distinct numbers in a plausible span, the rows are simply counted."""
    keys = []
    for row in rows:
        found = [m.group(1) if (m := TRAILING_NUMBER.search(label)) else None for _, label in row]
        keys.append(int(found[0]) if None not in found and len(set(found)) == 1 else None)
    return _numbered(keys)


def option_numbers(options: list[Option]) -> list[int]:
    """Each option's number: the one its label starts with ("91. Name" on a page of /tim's buttons) or is
    ("31", a task's number; "👁 14", a digest's lone button), so a page answers the numbers it shows; options
    without one (◀ / ▶) follow; else they are counted."""
    return _numbered([int(m.group(1)) if (m := LEADING_NUMBER.match(label) or ICON_NUMBER.fullmatch(label)) else None
                      for _, label in options])


def _numbered(keys: list[int | None]) -> list[int]:
    taken = [k for k in keys if k is not None]
    # A page of a large digest starts at its first person's number (31, 32, …), hence a span, not a maximum.
    if len(set(taken)) != len(taken) or 0 in taken or (taken and max(taken) - min(taken) >= 2 * len(keys)):
        return list(range(1, len(keys) + 1))
    numbers, after = [], max(taken, default=0)
    for key in keys:
        if key is None:
            after += 1
        numbers.append(key if key is not None else after)
    return numbers


def choices_of(reply: Reply) -> Choices:
    flat = [b for row in reply.buttons for b in row]
    if any(b.request_location for b in flat):
        return Choices("location")
    # Labels are plain text (Telegram shows them as typed), not the core's HTML: "<RKA>" is a word, not a tag.
    rows = [[(b.action, b.label) for b in row if b.action] for row in reply.buttons]
    rows = [row for row in rows if row]
    # A row of bare numbers (/tugas's "1 2 … 8" when there are too many tasks for four buttons each) is a
    # keypad, not one thing's buttons: each number answers itself, as the text around it says.
    rows = [[option] for row in rows for option in row] if any(
        BARE_NUMBER.fullmatch(label) for row in rows for _, label in row) else rows
    options = [option for row in rows for option in row]
    if not options:
        return Choices("none")
    if len(options) <= MAX_REPLY_BUTTONS and all(len(label) <= BUTTON_TITLE_LIMIT for _, label in options):
        return Choices("buttons", options, rows)
    if len(options) <= MAX_LIST_ROWS:
        return Choices("list", options, rows)
    return Choices("numbered", options, rows)


def row_title(label: str) -> tuple[str, str | None]:
    """A list row's title and, when the label does not fit, the whole label as its description."""
    if len(label) <= ROW_TITLE_LIMIT:
        return label, None
    return clip(label, ROW_TITLE_LIMIT), clip(label, ROW_DESCRIPTION_LIMIT)


def button_title(label: str) -> str:
    return clip(label, BUTTON_TITLE_LIMIT)


def numbered_text(choices: Choices, hint: str) -> str:
    lines = choices.rows if choices.by_row else [[option] for option in choices.options]
    shown = []
    for number, row in zip(choices.numbers, lines, strict=True):
        labels = " · ".join(label for _, label in row)
        if labels == str(number):
            continue  # a bare number: the message's own numbered lines already say what it answers
        # A label that already carries its number (/tim's "3. Name") is not numbered twice.
        shown.append(labels if labels.startswith(f"{number}. ") else f"{number}. {labels}")
    return "\n".join(shown + ["", hint])


def answered_number(text: str | None) -> int | None:
    """The number a bare-number message answers ("2", " 2. "), or None."""
    match = NUMBER_ANSWER.fullmatch(text) if text else None
    return int(match.group(1)) if match else None


def toggled_together(text: str | None, menu: list[MenuEntry]) -> str | None:
    """'2 5 7' (or '2, 5, 7') answering a numbered menu whose lines each toggle one choice (TOGGLE_PREFIXES):
    the one tap that toggles them all; None for anything else (a lone number, a number of another line)."""
    if not text or not menu or not MANY_NUMBERS.fullmatch(text):
        return None
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    entries = [menu[n - 1] if 1 <= n <= len(menu) else None for n in numbers]
    prefixes = {next((p for p in TOGGLE_PREFIXES if isinstance(e, str) and e.startswith(p)), None) for e in entries}
    if len(numbers) < 2 or len(prefixes) != 1 or None in prefixes:
        return None
    (prefix,) = prefixes
    return prefix + ":".join(dict.fromkeys(e[len(prefix):] for e in entries))


def numbered_answer(text: str | None, menu: list[MenuEntry]) -> MenuEntry | None:
    """The entry a bare number picks from the stored menu (an action, or a row whose buttons are to be
    offered), or None when the text is something else."""
    number = answered_number(text)
    if number is None or not menu:
        return None
    return menu[number - 1] if 1 <= number <= len(menu) else None
