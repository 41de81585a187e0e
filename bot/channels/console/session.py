"""The console chat: a terminal stand-in for a phone, talking to the same core as Telegram.

Plain text and /commands are typed as they are; what a terminal cannot do is written with a colon:
`:photo PATH`, `:file PATH`, `:location LAT LON`, `:live LAT LON` (start a live location),
`:move LAT LON` (it moves), `:tap N` (press button N of the last message), `:as NIP` (become someone
else), `:briefing` (today's briefing now), `:help`, `:quit`."""

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
    """Turns typed lines into Inbound events for one person, and remembers the last buttons."""

    clock: Clock
    sender: str
    buttons: list[Button] = field(default_factory=list)
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
        if word == "tap" and len(args) == 1 and args[0].isdigit():
            index = int(args[0]) - 1
            if not 0 <= index < len(self.buttons):
                return "console.no_button"
            button = self.buttons[index]
            if button.request_location:
                return "console.location_button"
            return self._event(tap=button.action)
        return "console.unknown"

    def remember(self, outgoing: list[Outgoing]) -> None:
        mine = [o for o in outgoing if o.external_id == self.sender and o.channel is Channel.CONSOLE]
        for o in mine:
            if o.reply.buttons:
                self.buttons = [b for row in o.reply.buttons for b in row]


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


def render(outgoing: Outgoing, *, own: bool, names: dict[int, str], t) -> str:
    """One message as the terminal shows it: buttons numbered for :tap."""
    reply = outgoing.reply
    lines = []
    if not own:
        who = names.get(outgoing.person_id, outgoing.external_id)
        lines.append("[dim]" + t("console.for_other", name=who, channel=outgoing.channel.value) + "[/dim]")
    lines.append(plain(reply.text))
    if reply.attachment:
        lines.append(f"[cyan]📎 {reply.attachment.filename}[/cyan]")
    if reply.buttons and own:
        number = itertools.count(1)
        for row in reply.buttons:
            lines.append("  ".join(f"[magenta][{next(number)}][/magenta] {b.label}" for b in row))
    return "\n".join(lines)
