"""One webhook payload → per message: the window is opened, held content released, a numbered answer
mapped back to its action, the core's turn taken and its Outgoings sent; per status: recorded."""

from __future__ import annotations

import datetime as dt
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

import httpx
from pywa_async.errors import WhatsAppError

from bot.channels.whatsapp.buttons import answered_number, numbered_answer, toggled_together
from bot.channels.whatsapp.held import HELD_KEY_PREFIX, reply_from_json, worth_sending
from bot.channels.whatsapp.inbound import MessageIn, StatusIn, single_updates, to_message, to_status, utc_now
from bot.domain.org_terms import Channel
from bot.messages import Inbound, Outgoing, Urgency

if TYPE_CHECKING:
    from bot.channels.whatsapp.outbound import WhatsAppSender
    from bot.services.conversation import Conversation

log = logging.getLogger(__name__)

OtherChannels = Callable[[Outgoing], Awaitable[None] | None]
AfterTurn = Callable[[list[Outgoing]], Awaitable[None]]
UNDELIVERABLE, REENGAGE = 131026, 131047
# A number typed a day or more after its list was shown answers the conversation of the 24-hour window, not a
# list from a conversation that has ended (last Friday's digest, last week's tasks): it is refused, not run.
MENU_LIFETIME = dt.timedelta(hours=24)


class GraphMediaFetcher:
    """`MediaFetcher` over the media API: media id → short-lived URL → bytes (pywa sends the token)."""

    def __init__(self, wa):
        self._wa = wa

    async def fetch(self, file_ref: str) -> bytes:
        try:
            media = await self._wa.get_media_url(file_ref)
            return await self._wa.get_media_bytes(media.url)
        except WhatsAppError as exc:  # e.g. an expired media id; the core answers "please send it again"
            raise OSError(f"whatsapp media unavailable: error {exc.code}") from exc
        except httpx.HTTPError as exc:
            raise OSError(f"whatsapp media download failed: {type(exc).__name__}") from exc


async def _drop_other_channel(outgoing: Outgoing) -> None:
    log.warning("no sender for channel %s here; dropped a message to %s", outgoing.channel, outgoing.external_id)


class WhatsAppChannel:
    def __init__(self, conversation: Conversation, wa, store, sender: WhatsAppSender, *,
                 other_channels: OtherChannels | None = None, now: Callable[[], dt.datetime] | None = None,
                 after_turn: AfterTurn | None = None):
        self.conversation, self.wa, self.store, self.sender = conversation, wa, store, sender
        self._forward = other_channels or _drop_other_channel
        # In the bot the core has written the turn's messages to the outbox: this only wakes the sender.
        # Without it (adapter tests) they are sent at once through `deliver`.
        self._after_turn = after_turn
        clock = getattr(conversation, "clock", None)
        self._now = now or (clock.now if clock is not None else utc_now)
        self._fetcher = GraphMediaFetcher(wa)

    async def handle_payload(self, payload: dict) -> None:
        """Errors of the core propagate (the webhook answers 500 and Meta redelivers; the core dedupes)."""
        for field, update in single_updates(payload):
            try:
                item = to_message(self.wa, update, now=self._now) if field == "messages" else to_status(self.wa, update)
            except (LookupError, ValueError, TypeError, AttributeError):
                # Redelivery cannot fix a payload we cannot read; acknowledge it and say so in the log.
                log.warning("ignored an unreadable whatsapp %s update", field)
                continue
            if isinstance(item, StatusIn):
                await self._status(item)
            else:
                await self._message(item)

    async def _message(self, item: MessageIn) -> None:
        await self.store.saw_inbound(item.sender, item.wa_id, self._now())
        inbound = item.inbound
        row = None
        if inbound is not None and inbound.text is not None:
            menu, shown_at = await self.store.menu(item.sender)
            tap = toggled_together(inbound.text, menu) or numbered_answer(inbound.text, menu)
            if tap is not None and not await self._serves(item.sender):
                tap = None  # deactivated since: the core says Apel no longer serves them, not a menu of theirs
            stale = None
            if tap is not None and shown_at is not None:
                stale = ("whatsapp.older_list" if await self._to_older_list(item, shown_at)
                         else "whatsapp.menu_expired" if self._now() >= shown_at + MENU_LIFETIME else None)
            elif tap is None and await self._answers_nothing(item, menu, shown_at):
                stale = "whatsapp.no_such_number"
            if stale is not None:
                await self._release(item.sender)
                if await self._first_time(inbound):
                    await self.sender.say(item.sender, stale, number=answered_number(inbound.text))
                return
            if isinstance(tap, str):
                inbound = replace(inbound, text=None, tap=tap)
            elif tap is not None:
                row = tap
        released = await self._release(item.sender)  # the window is open again: held content first
        if inbound is None:
            return
        if item.button_payload is not None and released is not None:
            # "Tampilkan" again on an old template, with nothing held any more, or only a day gone by's briefing:
            # said once, rather than nothing.
            sent, dropped = released
            if await self._first_time(inbound) and not sent:
                await self.sender.say(item.sender, "whatsapp.held_past" if dropped else "whatsapp.nothing_held")
            return
        if row is not None:  # a row of the numbered menu: its buttons, the core is asked nothing yet
            if await self._first_time(inbound):
                await self.sender.offer_row(item.sender, answered_number(inbound.text), row)
            return
        outgoings = await self.conversation.handle(inbound, self._fetcher)
        if self._after_turn is not None:
            await self._after_turn(outgoings)
        else:
            await self.deliver(outgoings)

    async def _answers_nothing(self, item: MessageIn, menu: list | None, shown_at: dt.datetime | None) -> bool:
        """A bare number that is no line of the person's current list ("14" under a digest of 13 lines), typed
        while nothing else waits for their words: the core would take it for a chat message ("Pesan diterima"),
        as if it had been acted on. Answering a step that waits for text (a duration, a reason), it is theirs."""
        if not menu or shown_at is None or answered_number(item.inbound.text) is None \
                or self._now() >= shown_at + MENU_LIFETIME:
            return False
        async with self.conversation.uow_factory() as uow:
            found = await uow.people.account_actor(Channel.WHATSAPP, item.sender)
        return found is not None and found.state is None

    async def _serves(self, sender: str) -> bool:
        """Whether the chat is linked to an active person (an import may have deactivated them since)."""
        async with self.conversation.uow_factory() as uow:
            return await uow.people.account_actor(Channel.WHATSAPP, sender) is not None

    async def _first_time(self, inbound: Inbound) -> bool:
        """Whether a message the adapter answers itself (a row's buttons, "that list is older") is new: Meta
        delivers at least once, and a redelivery is answered once, as the core answers its own (by key)."""
        async with self.conversation.uow_factory() as uow:
            first = await uow.day.first_time(inbound.event_key, self._now())
            await uow.commit()
        return first

    async def _to_older_list(self, item: MessageIn, shown_at: dt.datetime) -> bool:
        """A number swiped onto one of our messages sent before the stored menu: it means that older list (an
        earlier digest, yesterday's tasks), and the stored menu would give its number to someone or something
        else."""
        if item.replied_to is None:
            return False
        replied = await self.store.sent(item.replied_to)
        return replied is not None and replied.sent_at < shown_at

    async def _release(self, sender: str) -> tuple[int, int] | None:
        """What was held for this chat goes now. In the bot it is queued in the outbox in the transaction
        that marks it released, so a crash loses none of it and this webhook call sends nothing itself
        (a supervisor's many held notices would have kept Meta waiting for the answer). A chat whose person an
        import deactivated since gets none of it: what was held for them as a superior (a home point, a
        report to review) is no longer theirs to see; it stays held, for the retention purge. A briefing or
        reminder of a day gone by, or repeated by a newer one, is released unsent (`worth_sending`). How many
        went and how many were released unsent; None for such a chat (or one nobody is linked to)."""
        async with self.conversation.uow_factory() as uow:
            found = await uow.people.account_actor(Channel.WHATSAPP, sender)
            if found is None:
                return None
            zone = found.actor.timezone
            if self._after_turn is not None:
                claimed = await self.store.claim_held(uow.session, sender, self._now())
                worth = worth_sending(claimed, self._now(), zone)
                queued = [Outgoing(Channel.WHATSAPP, sender, reply_from_json(payload), Urgency.REPLY, person_id,
                                   key=f"{HELD_KEY_PREFIX}{held_id}")
                          for held_id, person_id, _kind, payload, _at in worth]
                uow.outbox.add(queued)
                await uow.commit()
        if self._after_turn is None:
            return await self.sender.release(sender, zone)
        if queued:
            await self._after_turn(queued)
        return len(queued), len(claimed) - len(worth)

    async def deliver(self, outgoings: Iterable[Outgoing]) -> int:
        sent = 0
        for outgoing in outgoings:
            # One failed message must not keep the others (a supervisor's notice) from going out.
            try:
                if outgoing.channel is Channel.WHATSAPP:
                    sent += bool(await self.sender.send(outgoing))
                else:
                    result = self._forward(outgoing)
                    if inspect.isawaitable(result):
                        await result
            except Exception:  # noqa: BLE001 - logged with traceback, the rest still delivered
                log.exception("delivering a message to %s:%s failed", outgoing.channel, outgoing.external_id)
        return sent

    async def _status(self, status: StatusIn) -> None:
        if not await self.store.record_status(status.wamid, status.status, status.at, status.error_code):
            return
        if status.status != "failed":
            return
        sent = await self.store.sent(status.wamid)
        if status.error_code == UNDELIVERABLE:
            await self.sender.undeliverable(status.recipient, sent.person_id if sent else None)
        elif status.error_code == REENGAGE:
            await self.store.close_window(status.recipient)
