"""Channel-neutral `Outgoing` → Cloud API calls through pywa, with WhatsApp's rules and failures handled.

- Outside a person's 24-hour window only an approved template may go: the content is held and a template
  sent; `release` sends what was held once the person writes (inbound).
- 131047 (re-engagement required) from Meta: the same, our idea of the window was wrong.
- 131026 (undeliverable): the account is marked unreachable and a flag tells the supervisor's digest.
- 131056 (more than 1 message per 6 s to one person): wait and retry. 130429/4 (throughput): back off.
- A simple per-number limiter (80 messages/s) that the outbox's global limiter can later replace."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import pathlib
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from pywa_async.errors import (
    MessageUndeliverable,
    RateLimitHit,
    ReEngagementMessage,
    ToManyAPICalls,
    TooManyMessages,
    WhatsAppError,
)
from pywa_async.types import Button as WaButton
from pywa_async.types import Section, SectionList, SectionRow
from pywa_async.types.templates import TemplateLanguage

from bot.channels.whatsapp.buttons import button_title, choices_of, numbered_text, row_title, typed_menu
from bot.channels.whatsapp.held import HELD_KEY_PREFIX, reply_from_json, reply_to_json, worth_sending
from bot.channels.whatsapp.markup import CAPTION_LIMIT, INTERACTIVE_BODY_LIMIT, TEXT_LIMIT, clip, split, to_whatsapp
from bot.channels.whatsapp.window import Templates, template_components, window_open
from bot.domain.evidence import EXTENSIONS
from bot.domain.flags import FlagKind, NewFlag
from bot.domain.org_terms import Channel
from bot.messages import DECISION_PREFIXES, TOGGLE_PREFIXES, Button, Outgoing, Reply, Urgency
from bot.texts import format_date, text

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[Any]]
PAIR_WAIT_S = 6.0  # Meta: one message per 6 s to the same person
PAIR_ATTEMPTS = 3
THROTTLE_BACKOFF_S = (1.0, 2.0, 4.0)
TEMPLATE_AGAIN_AFTER = dt.timedelta(hours=20)  # one template per kind and chat per day, however much is held


# The Cloud API takes an upload only as one of the document types it lists; a generic
# application/octet-stream is refused (#100), so an export or invite list would never arrive. The type is the
# one evidence intake names for the extension, when Meta lists it; anything else (a CSV: its name keeps ".csv",
# which the WhatsApp client shows) goes as plain text rather than as a type Meta refuses.
META_DOCUMENT_TYPES = frozenset({
    "text/plain", "application/pdf", "application/msword", "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
})


def document_mime(filename: str) -> str:
    kind = EXTENSIONS.get(pathlib.PurePath(filename).suffix.lower(), "")
    return kind if kind in META_DOCUMENT_TYPES else "text/plain"


REPLY_KEY = re.compile(r"(.+):r\d+")  # conversation._keyed: "<event key>:r<index>"


def turn_of(outgoing: Outgoing) -> str | None:
    """The inbound a reply answers (its event key), None for anything else (a notice, held content)."""
    match = REPLY_KEY.fullmatch(outgoing.key or "") if outgoing.urgency is Urgency.REPLY else None
    return match.group(1) if match else None


class NumberLimiter:
    """At most `per_second` calls from this process's number; the outbox will own the global one later."""

    def __init__(self, per_second: float = 80.0, sleep: Sleep = asyncio.sleep):
        self._gap = 1.0 / per_second
        self._next = 0.0
        self._lock = asyncio.Lock()
        self._sleep = sleep

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            if self._next > now:
                await self._sleep(self._next - now)
            self._next = max(now, self._next) + self._gap


class WhatsAppSender:
    def __init__(self, wa, store, conversation, *, templates: Templates, default_language: str,
                 sleep: Sleep = asyncio.sleep, per_second: float = 80.0):
        self.wa, self.store, self._conversation = wa, store, conversation
        self.templates, self.default_language = templates, default_language
        self._sleep = sleep
        self._limiter = NumberLimiter(per_second, sleep)
        self._clock = conversation.clock

    async def send(self, outgoing: Outgoing, origin: object = None) -> bool:
        """True when the content (or, outside the window, its template) was accepted by the Cloud API."""
        if outgoing.channel != Channel.WHATSAPP:
            raise ValueError(f"not a WhatsApp message: {outgoing.channel}")
        to, now = outgoing.external_id, self._clock.now()
        try:
            # A reply answers a message that just opened the window; anything else checks it first.
            if outgoing.urgency is not Urgency.REPLY and not window_open(await self.store.last_inbound(to), now):
                return await self._hold_and_template(outgoing)
            try:
                await self._render(outgoing)
                return True
            except ReEngagementMessage:
                log.info("whatsapp window of %s is closed (131047); holding and sending a template", to)
                await self.store.close_window(to)
                return await self._hold_and_template(outgoing)
        except MessageUndeliverable:
            await self.undeliverable(to, outgoing.person_id)
        except WhatsAppError as exc:
            log.error("whatsapp send to %s dropped: %s %s", to, exc.code, exc.message)
        except (httpx.HTTPError, OSError) as exc:
            log.error("whatsapp send to %s dropped: %s", to, type(exc).__name__)
        return False

    async def release(self, external_id: str, zone: str) -> tuple[int, int]:
        """The person wrote: what was held for them and is still worth sending goes now, oldest first (`zone`:
        theirs, which says which day a briefing was of). Returns how many went and how many were dropped."""
        now = self._clock.now()
        claimed = await self.store.release_held(external_id, now)
        worth = worth_sending(claimed, now, zone)
        sent = 0
        for _, person_id, _kind, payload, _at in worth:
            outgoing = Outgoing(Channel.WHATSAPP, external_id, reply_from_json(payload), Urgency.REPLY, person_id,
                                key=HELD_KEY_PREFIX)
            sent += await self.send(outgoing)
        return sent, len(claimed) - len(worth)

    # -- rendering -----------------------------------------------------------------------------------

    async def offer_row(self, to: str, number: int, row: list[list[str]]) -> None:
        """A number answered a row of a numbered menu: that row's buttons, as a message of their own. The
        numbered menu stays in force, so the next number still answers it."""
        async with self._conversation.uow_factory() as uow:
            person_id = await uow.people.account_person(Channel.WHATSAPP, to)
        t = await self._words(person_id)
        reply = Reply(t("whatsapp.row_pick", number=number), (tuple(Button(label, action) for action, label in row),))
        await self._render(Outgoing(Channel.WHATSAPP, to, reply, Urgency.REPLY, person_id), keep_menu=True)

    async def say(self, to: str, key: str, **params: object) -> None:
        """One line of the adapter's own, in the person's language, in answer to what they wrote."""
        async with self._conversation.uow_factory() as uow:
            person_id = await uow.people.account_person(Channel.WHATSAPP, to)
        t = await self._words(person_id)
        await self._render(Outgoing(Channel.WHATSAPP, to, Reply(t(key, **params)), Urgency.REPLY, person_id))

    async def _render(self, outgoing: Outgoing, *, keep_menu: bool = False) -> None:
        to, reply = outgoing.external_id, outgoing.reply
        # A menu's time is when its first message went: a reply to anything sent before it is to an older list.
        started = self._clock.now()
        body = to_whatsapp(reply.text)
        choices = choices_of(reply)
        record = (outgoing.person_id, reply.kind)
        if reply.attachment is not None:
            caption = body if choices.kind == "none" and len(body) <= CAPTION_LIMIT else None
            await self._attachment(to, reply, caption, record)
            if caption is not None:
                body = ""
        if choices.kind == "none":
            for part in split(body, TEXT_LIMIT) if body else []:
                await self._call(to, record, lambda p=part: self.wa.send_message(to=to, text=p))
            return
        t = await self._words(outgoing.person_id)
        if choices.kind == "numbered":
            toggles = any(act.startswith(TOGGLE_PREFIXES) for act, _ in choices.options)
            hint = t("whatsapp.numbered_many_hint" if toggles else
                     "whatsapp.numbered_rows_hint" if choices.by_row else "whatsapp.numbered_hint")
            full = (body + "\n\n" if body else "") + numbered_text(choices, hint)
            for part in split(full, TEXT_LIMIT):
                await self._call(to, record, lambda p=part: self.wa.send_message(to=to, text=p))
            await self._store_menu(outgoing, choices.menu, started)
            return
        # Interactive bodies are shorter than texts: what does not fit goes first as plain text.
        parts = split(body, INTERACTIVE_BODY_LIMIT) if body else [t("whatsapp.no_text")]
        for part in parts[:-1]:
            await self._call(to, record, lambda p=part: self.wa.send_message(to=to, text=p))
        last = parts[-1]
        if choices.kind == "location":
            await self._call(to, record, lambda: self.wa.request_location(to=to, text=last))
            return
        if choices.kind == "buttons":
            markup: Any = [WaButton(title=button_title(label), callback_data=action) for action, label in choices.options]
        else:
            rows = []
            for action, label in choices.options:
                title, description = row_title(label)
                rows.append(SectionRow(title=title, callback_data=action, description=description))
            markup = SectionList(button_title=clip(t("whatsapp.list_button"), 20),
                                 sections=[Section(title=clip(t("whatsapp.list_section"), 24), rows=rows)])
        await self._call(to, record, lambda: self.wa.send_message(to=to, text=last, buttons=markup))
        if any(act.startswith(DECISION_PREFIXES) for act, _ in choices.options):
            # /tim lists the team, then each waiting request with ✅ / ❌: "1" typed for the first person of the
            # list approved the last request. A decision is tapped; the list keeps its numbers.
            keep_menu = True
        if not keep_menu:
            # People answer a list or buttons with a number too ("2" for the second); in answer to their own
            # message that number picks what they see. A notice pushed to them (a leave to approve, also one
            # held and released) answers no number, so a "1" typed for their own earlier list cannot approve it.
            answers_them = outgoing.urgency is Urgency.REPLY and not (outgoing.key or "").startswith(HELD_KEY_PREFIX)
            menu = typed_menu(choices) if answers_them else None
            await self._store_menu(outgoing, menu, started)

    async def _store_menu(self, outgoing: Outgoing, menu: list | None, started: dt.datetime) -> None:
        """The menu a typed number answers from now on. A later list of the same turn (/tim of a Plh: their
        own team, then the official's; the core numbers it on from the first) joins the stored one rather
        than replacing it, so every line the person sees answers its number; where numbers meet, the later
        list's win, as they did. The joined menu keeps the time of its first message (the older-list check)."""
        to, turn = outgoing.external_id, turn_of(outgoing)
        if menu and turn is not None:
            earlier, shown_at, earlier_turn = await self.store.menu_of_turn(to)
            if earlier and earlier_turn == turn and shown_at is not None:
                joined = list(earlier) + [None] * (len(menu) - len(earlier))
                for place, entry in enumerate(menu):
                    if entry is not None:
                        joined[place] = entry
                menu, started = joined, shown_at
        await self.store.set_menu(to, menu, started, turn=turn)

    async def _attachment(self, to: str, reply: Reply, caption: str | None, record) -> None:
        a = reply.attachment
        media: Any = a.content if a.content is not None else pathlib.Path(a.path)
        if a.is_photo:
            mime = "image/png" if a.filename.lower().endswith(".png") else "image/jpeg"
            await self._call(to, record, lambda: self.wa.send_image(to=to, image=media, caption=caption, mime_type=mime))
        else:
            await self._call(to, record, lambda: self.wa.send_document(
                to=to, document=media, filename=a.filename, caption=caption, mime_type=document_mime(a.filename)))

    async def _call(self, to: str, record, make: Callable[[], Awaitable[Any]]) -> Any:
        """One Cloud API call with the waits Meta asks for; records the accepted message id."""
        pair = throttled = 0
        while True:
            await self._limiter.wait()
            try:
                sent = await make()
                break
            except TooManyMessages:
                pair += 1
                if pair >= PAIR_ATTEMPTS:
                    raise
                await self._sleep(PAIR_WAIT_S)
            except (RateLimitHit, ToManyAPICalls):
                throttled += 1
                if throttled > len(THROTTLE_BACKOFF_S):
                    raise
                await self._sleep(THROTTLE_BACKOFF_S[throttled - 1])
        wamid = getattr(sent, "id", None)
        if wamid:
            person_id, kind = record
            await self.store.record_sent(wamid, to, person_id, kind, self._clock.now())
        return sent

    # -- the window, unreachable people ----------------------------------------------------------------

    async def _hold_and_template(self, outgoing: Outgoing) -> bool:
        to, reply, now = outgoing.external_id, outgoing.reply, self._clock.now()
        first = await self.store.hold(to, outgoing.person_id, reply.kind, reply_to_json(reply), now,
                                      template_unless_since=now - TEMPLATE_AGAIN_AFTER)
        if not first:
            return True  # a template for this kind already asked the person to open their window
        actor = await self._actor(outgoing.person_id)
        zone = actor.timezone if actor else "Asia/Jakarta"
        # The date goes into the registered template's text, so it is written in the template's language
        # ("id", "en", "en_US"), not in the person's: one template language serves everyone.
        day = format_date(now.astimezone(ZoneInfo(zone)).date(), self.templates.language.split("_")[0].lower())
        name = self.templates.name_for(reply.kind)
        components = template_components(actor.name if actor else "", day)
        await self._call(to, (outgoing.person_id, f"t:{reply.kind or 'notice'}"), lambda: self.wa.send_template(
            to=to, name=name, language=TemplateLanguage(self.templates.language), params=components))
        return True

    async def undeliverable(self, external_id: str, person_id: int | None) -> None:
        """131026: stop writing to the account; the flag puts it in the supervisor's digest."""
        log.info("whatsapp user %s is undeliverable (131026); marking", external_id)
        await self._conversation.mark_unreachable(Channel.WHATSAPP, external_id)
        if person_id is None:
            return
        now = self._clock.now()
        async with self._conversation.uow_factory() as uow:
            actor = await uow.people.actor(person_id)
            zone = actor.timezone if actor else "Asia/Jakarta"
            flag = NewFlag(person_id, now.astimezone(ZoneInfo(zone)).date(), FlagKind.UNREACHABLE,
                           ref=Channel.WHATSAPP.value, detail={"channel": "WhatsApp"})  # as the outbox sender raises it
            await uow.flags.raise_many([flag], now)
            await uow.commit()

    async def _actor(self, person_id: int | None):
        if person_id is None:
            return None
        async with self._conversation.uow_factory() as uow:
            return await uow.people.actor(person_id)

    async def _words(self, person_id: int | None):
        actor = await self._actor(person_id)
        lang = (actor.language if actor else None) or self.default_language
        return lambda key, **params: text(lang, key, **params)
