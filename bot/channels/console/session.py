"""The console chat: a terminal stand-in for a phone, talking to the same core as Telegram.

Plain text and /commands are typed as they are; what a terminal cannot do is written with a colon:
`:photo PATH`, `:file PATH`, `:location LAT LON`, `:live LAT LON` (start a live location),
`:move LAT LON` (it moves), `:tap N` (press button N), `:as NIP` (become someone else), `:briefing`
(today's briefing now), `:help`, `:quit`.

Each person has their own session, and so their own buttons: the console is everybody's phone at once,
and a request for a supervisor must still be there to tap when the terminal user becomes them."""

from __future__ import annotations

import itertools
import mimetypes
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from bot.domain.org_terms import Channel
from bot.messages import Button, Inbound, LocationIn, MediaIn, Outgoing
from bot.ports import Clock



class PathFetcher:
    """Files 'sent' from the console are read from disk."""

    async def fetch(self, file_ref: str) -> bytes:
        return Path(file_ref).read_bytes()


@dataclass
class ConsoleSession:
    """Turns typed lines into Inbound events for one person, and holds the messages whose buttons
    `:tap N` presses for them, numbered on through all of them."""

    clock: Clock
    sender: str
    waiting: list[Outgoing] = field(default_factory=list)
    answered: bool = False  # `waiting` holds the answer to this person's own line, not messages from others
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    live_key: str | None = None

    def _event(self, **kw) -> Inbound:
        return Inbound(
            channel=Channel.CONSOLE,
            sender=self.sender,
            event_key=f"console:{self.sender}:{self.clock.now().timestamp()}:{next(self.counter)}",
            at=self.clock.now(),
            **kw,
        )

    def parse(self, line: str) -> Inbound | str | None:
        """An Inbound to handle, a catalog key of a hint for the terminal user (str), or None."""
        line = line.strip()
        if not line:
            return None
        if not line.startswith(":"):
            return self._event(text=line)
        try:
            word, *args = shlex.split(line[1:])
        except ValueError:
            return "console.unclosed_quote"
        if word in ("photo", "file") and len(args) == 1:
            path = Path(args[0]).expanduser()
            if not path.is_file():
                return "console.no_file"
            mime = mimetypes.guess_type(path.name)[0]
            media = MediaIn(str(path), path.name, mime, path.stat().st_size, is_photo=word == "photo")
            return self._event(media=media)
        if word in ("location", "live", "move") and len(args) == 2:
            try:
                lat, lon = float(args[0].replace(",", ".")), float(args[1].replace(",", "."))
            except ValueError:
                return "console.bad_coordinates"
            if word == "location":
                return self._event(location=LocationIn(lat, lon))
            if word == "live":
                self.live_key = f"console-live-{next(self.counter)}"
                return self._event(location=LocationIn(lat, lon, live_period_s=8 * 3600, live_key=self.live_key))
            if self.live_key is None:
                return "console.live_first"
            return self._event(location=LocationIn(lat, lon, live_key=self.live_key, is_update=True))
        if word == "tap":
            if len(args) != 1 or not args[0].isdigit():
                return "console.tap_usage"
            index = int(args[0]) - 1
            if not 0 <= index < len(self.buttons):
                return "console.no_button"
            button = self.buttons[index]
            if button.request_location:
                return "console.location_button"
            return self._event(tap=button.action)
        return "console.unknown"

    @property
    def buttons(self) -> list[Button]:
        return [b for o in self.waiting for row in o.reply.buttons for b in row]

    def take(self, outgoing: Outgoing, *, own: bool, start_over: bool) -> int:
        """Keep a message with buttons for this person; the number its first button gets.

        `own`: it answers what this person just did; `start_over` for the first such message of a turn.
        On a phone they would tap that answer, so older buttons go. Messages that arrive while someone
        else speaks pile up after each other (a supervisor may find two requests when the terminal user
        becomes them), but not after the buttons of a conversation the person had left."""
        if start_over or (not own and self.answered):
            self.waiting = []
        self.answered = own
        first = len(self.buttons) + 1
        self.waiting.append(outgoing)
        return first


_TAGS = re.compile(r"</?(b|i|code)>")


def plain(html_text: str) -> str:
    """The core's small HTML subset as terminal text (rich markup for bold and italics)."""
    import html

    from rich.markup import escape

    text = escape(html.unescape(_TAGS.sub(lambda m: "\x00" + m.group(0) + "\x00", html_text)))
    return (
        text.replace("\x00<b>\x00", "[bold]").replace("\x00</b>\x00", "[/bold]")
        .replace("\x00<i>\x00", "[italic]").replace("\x00</i>\x00", "[/italic]")
        .replace("\x00<code>\x00", "").replace("\x00</code>\x00", "")
    )


def render(outgoing: Outgoing, *, own: bool, names: dict[int, str], t, first: int | None = None) -> str:
    """One message as the terminal shows it: its buttons numbered from `first` for :tap (None: buttons
    of a message on another channel, which the console cannot press, are not shown)."""
    reply = outgoing.reply
    lines = []
    if not own:
        who = names.get(outgoing.person_id, outgoing.external_id)
        lines.append("[dim]" + t("console.for_other", name=who, channel=outgoing.channel.value) + "[/dim]")
    lines.append(plain(reply.text))
    if reply.attachment:
        lines.append(f"[cyan]📎 {reply.attachment.filename}[/cyan]")
    if reply.buttons and first is not None:
        number = itertools.count(first)
        for row in reply.buttons:
            lines.append("  ".join(f"[magenta][{next(number)}][/magenta] {b.label}" for b in row))
    return "\n".join(lines)
