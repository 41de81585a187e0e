"""One turn of the conversation: an inbound event, the person behind it, one unit of work, and what
the bot says back (to them) or tells others (in each recipient's own language)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.day_records import Actor
from bot.domain.leave_period import on_calendar
from bot.domain.org_terms import Channel
from bot.domain.schedule import local_date, local_time
from bot.messages import Attachment, Button, Inbound, Outgoing, Reply, Urgency
from bot.ports import MediaFetcher, UnitOfWork
from bot.services.day_schedule import UnitDate, unit_date_of
from bot.texts import text

UNKNOWN = object()  # a turn's conversation state that has not been read yet

def numbers_after(turn: Turn, start: int, listed: int) -> int:
    """The first number of the turn's next numbered list, after one of `listed` lines starting at `start`.
    On WhatsApp a typed number answers the turn's lists together (the adapter stores one menu for them),
    so the second list goes on where the first ended rather than giving "1" a second meaning; on Telegram
    each list's buttons sit under it and every list starts at 1."""
    return start + listed if turn.inbound.channel is Channel.WHATSAPP else 1


# Builds a message for someone else, given their language.
Notice = Callable[[Callable[..., str]], Reply]


def translator(language: str | None, default: str) -> Callable[..., str]:
    lang = language or default

    def t(key: str, **params) -> str:
        return text(lang, key, **params)

    t.lang = lang  # type: ignore[attr-defined]
    return t


@dataclass
class Turn:
    uow: UnitOfWork
    inbound: Inbound
    actor: Actor
    now: dt.datetime
    fetcher: MediaFetcher | None
    default_language: str
    replies: list[Reply] = field(default_factory=list)
    notices: list[tuple[int, Notice, Urgency]] = field(default_factory=list)
    # Work that opens its own units of work (running a routine step) waits until this turn committed:
    # two open write transactions would wait on each other on SQLite.
    after_commit: list[Callable[[], Awaitable[list[Outgoing]]]] = field(default_factory=list)
    # The conversation state as this turn knows it: UNKNOWN until read, None when there is none. Every
    # change goes through this turn, so once known it stays true for the rest of the turn.
    known_state: tuple[str, dict] | None | object = UNKNOWN
    _unit_date: UnitDate | None = field(default=None, repr=False)

    @property
    def lang(self) -> str:
        return self.actor.language or self.default_language

    @property
    def t(self) -> Callable[..., str]:
        """`turn.t(key, **params)`; also has `.lang`, like every translator handed to renderers."""
        return translator(self.actor.language, self.default_language)

    @property
    def today(self) -> dt.date:
        return local_date(self.now, self.actor.timezone)

    async def unit_date(self) -> UnitDate:
        """Today in the person's unit: its hours and whether it is a workday (read once a turn, only by
        turns that need it)."""
        if self._unit_date is None:
            self._unit_date = await unit_date_of(self.uow, self.actor.unit_id, self.today)
        return self._unit_date

    async def deadline(self) -> dt.datetime:
        """Today's report deadline in the person's unit: Friday's, or Ramadan's, where the schedule says so."""
        return local_time(self.today, (await self.unit_date()).hours.deadline, self.actor.timezone)

    async def work_day(self):
        """Today's work day of the person, made if missing with the mode their unit's day gives (libur
        on a weekend or holiday, a directive's mode), not blindly WFO."""
        existing = await self.uow.day.work_day(self.actor.person_id, self.today)
        if existing is not None:  # once the briefing went out: one read, no calendar
            return existing
        mode = (await self.unit_date()).mode_without_roster
        return await self.uow.day.add_work_day(self.actor.person_id, self.today, mode.value)

    def say(
        self,
        body: str,
        buttons: tuple[tuple[Button, ...], ...] | list = (),
        *,
        attachment: Attachment | None = None,
        edit: bool = False,
    ) -> None:
        self.replies.append(Reply(body, tuple(tuple(r) for r in buttons), attachment, edit))

    def tell(self, person_id: int, notice: Notice, urgency: Urgency = Urgency.NOTICE) -> None:
        self.notices.append((person_id, notice, urgency))

    async def state(self) -> tuple[str | None, dict]:
        if self.known_state is UNKNOWN:
            self.known_state = await self.uow.day.state(self.actor.person_id)
        if self.known_state is None:
            return None, {}
        name, data = self.known_state
        return name, json.loads(json.dumps(data))  # a copy, as a fresh read would give

    async def set_state(self, name: str, **data) -> None:
        await self.uow.day.set_state(self.actor.person_id, name, data, self.now)
        self.known_state = (name, json.loads(json.dumps(data)))

    async def clear_state(self) -> None:
        if self.known_state is not None:  # nothing to delete when the turn knows there is no state
            await self.uow.day.clear_state(self.actor.person_id)
            self.known_state = None


async def deliver(
    uow: UnitOfWork, notices: list[tuple[int, Notice, Urgency]], default_language: str
) -> list[Outgoing]:
    """Render notices for their recipients (language) and address them to every linked account."""
    if not notices:
        return []
    person_ids = sorted({pid for pid, _, _ in notices})
    actors = await uow.people.actors(person_ids)
    by_person: dict[int, list] = {}
    for address in await uow.people.addresses(person_ids):
        by_person.setdefault(address.person_id, []).append(address)
    out: list[Outgoing] = []
    for person_id, notice, urgency in notices:
        recipient = actors.get(person_id)
        if recipient is None or person_id not in by_person:
            continue
        reply = notice(translator(recipient.language, default_language))
        out += [Outgoing(a.channel, a.external_id, reply, urgency, person_id) for a in by_person[person_id]]
    uow.outbox.add(out)  # written to the outbox when the use case commits
    return out


def action(*parts: object) -> str:
    """A button's action: short, colon-separated, at most 64 bytes (Telegram's callback_data limit)."""
    value = ":".join(str(p) for p in parts)
    if len(value.encode()) > 64:
        raise ValueError(f"button action too long: {value!r}")
    return value


# Row ids are PostgreSQL integers: a larger number in a button names nothing, and a query with it fails.
MAX_ID = 2**31 - 1


def numeric(part: str, limit: int | None = MAX_ID) -> bool:
    """Whether a part of a button's action is a number as Apel's buttons carry them: ASCII digits
    (`str.isdigit` also takes '²', which `int` refuses) up to `limit` (ids by default; None: any size)."""
    return part.isascii() and part.isdigit() and (limit is None or int(part) <= limit)


def day_code(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def parse_day(code: str) -> dt.date | None:
    try:
        day = dt.datetime.strptime(code, "%Y%m%d").date()
    except ValueError:
        return None
    return day if on_calendar(day) else None
