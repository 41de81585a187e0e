"""Cloud API webhook payloads → channel-neutral `Inbound` (messages) and `StatusIn` (status callbacks).

Parsing is pywa's (its update types); this module only splits a payload into the single-message updates
pywa reads and maps them. A person is known by their business-scoped user id (`contacts[].user_id`,
pywa 4.5 requires it), falling back to the phone's wa_id. Message ids stay here; the core gets
`wa:<message id>` as the event key, which is what deduplicates a redelivered webhook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pywa_async.types import CallbackButton, CallbackSelection, Message, MessageStatus

from bot.domain.org_terms import Channel
from bot.messages import Inbound, LocationIn, MediaIn


@dataclass(frozen=True)
class StatusIn:
    wamid: str
    status: str  # sent / delivered / read / failed
    at: dt.datetime
    recipient: str
    error_code: int | None = None


@dataclass(frozen=True)
class MessageIn:
    sender: str
    inbound: Inbound | None  # None: a kind the routine does not use (a sticker); it still opens the window
    wa_id: str | None
    button_payload: str | None = None  # a template's quick-reply button
    replied_to: str | None = None  # the message id a text answers when the person swiped to reply to one


# What a person may send that the routine has no use for (voice notes arrive as audio): they get an
# answer saying so. WhatsApp's own "unsupported" is a message kind it could not show us.
PEOPLES_OTHER_CONTENT = {"sticker", "audio", "video", "contacts", "order", "unknown", "unsupported"}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def on_clock(moment: dt.datetime, now: Callable[[], dt.datetime]) -> dt.datetime:
    """Meta's time of a message moved onto Apel's clock, keeping its age (FAKE_NOW in tests and demos)."""
    if now is utc_now:
        return moment
    return now() - max(utc_now() - moment, dt.timedelta(0))


def single_updates(payload: dict) -> Iterator[tuple[str, dict]]:
    """("messages" | "statuses", an update with exactly one of them): the shape pywa's types read."""
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            for field in ("messages", "statuses"):
                for item in value.get(field) or []:
                    one = {**value, field: [item]}
                    if field == "messages":
                        # contacts[] is listed per message sender; keep the one who sent this message.
                        one["contacts"] = [c for c in value.get("contacts") or [] if _is_sender(c, item)] or \
                            value.get("contacts") or []
                    yield field, {"object": payload.get("object"),
                                  "entry": [{"id": entry.get("id"), "changes": [{**change, "value": one}]}]}


def _is_sender(contact: dict, message: dict) -> bool:
    ids = {message.get("from"), message.get("from_user_id")} - {None}
    return bool(ids & {contact.get("wa_id"), contact.get("user_id")})


def _parse(client, update: dict):
    message = update["entry"][0]["changes"][0]["value"]["messages"][0]
    for error in message.get("errors") or []:
        # Meta's unsupported-message errors come with a title and details but not always a "message", which
        # pywa requires: without one the person's sticker-like message went unanswered and did not even count
        # as writing (their 24-hour window stayed shut here).
        if isinstance(error, dict):
            error.setdefault("message", error.get("title") or error.get("details") or "")
    kind = message.get("type")
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        if "button_reply" in interactive:
            return CallbackButton.from_update(client, update)
        if "list_reply" in interactive:
            return CallbackSelection.from_update(client, update)
    if kind == "button":
        return CallbackButton.from_update(client, update)
    return Message.from_update(client, update)


def to_message(client, update: dict, *, now: Callable[[], dt.datetime] = utc_now) -> MessageIn:
    parsed = _parse(client, update)
    user = parsed.from_user
    base = dict(
        channel=Channel.WHATSAPP,
        sender=user.bsuid or user.wa_id,
        event_key=f"wa:{parsed.id}",
        at=on_clock(parsed.timestamp.astimezone(dt.UTC), now),
        sender_name=user.name or "",
    )
    if isinstance(parsed, CallbackButton) and parsed.type == "button":
        # It releases what was held; its Inbound says nothing and reaches the core only from a chat Apel does not
        # serve (its person deactivated since), which is then told so.
        return MessageIn(base["sender"], Inbound(**base), user.wa_id, button_payload=str(parsed.data))
    if isinstance(parsed, (CallbackButton, CallbackSelection)):
        return MessageIn(base["sender"], Inbound(**base, tap=str(parsed.data)), user.wa_id)
    context = getattr(parsed, "reply_to_message", None)
    return MessageIn(base["sender"], _message_inbound(parsed, base), user.wa_id,
                     replied_to=context.id if context is not None else None)


def _message_inbound(message: Message, base: dict) -> Inbound | None:
    if message.text is not None:
        return Inbound(**base, text=message.text)
    if message.image is not None:
        image = message.image
        media = MediaIn(file_ref=image.id, filename=None, mime=image.mime_type, size=None, is_photo=True,
                        album_ids=False)
        return Inbound(**base, media=media, caption=image.caption)
    if message.document is not None:
        doc = message.document
        media = MediaIn(file_ref=doc.id, filename=doc.filename, mime=doc.mime_type, size=None, is_photo=False,
                        album_ids=False)
        return Inbound(**base, media=media, caption=doc.caption)
    if message.location is not None:
        loc = message.location
        return Inbound(**base, location=LocationIn(lat=loc.latitude, lon=loc.longitude))
    if str(getattr(message.type, "value", message.type)) in PEOPLES_OTHER_CONTENT:
        return Inbound(**base)  # the core answers that it cannot use this kind of message
    return None  # reactions, edits, system notices: nobody asked anything


def to_status(client, update: dict) -> StatusIn:
    status = MessageStatus.from_update(client, update)
    error = getattr(status, "error", None)
    return StatusIn(
        wamid=status.id,
        status=str(status.status.value if hasattr(status.status, "value") else status.status).lower(),
        at=status.timestamp.astimezone(dt.UTC),
        recipient=status.from_user.bsuid or status.from_user.wa_id,
        error_code=error.code if error is not None else None,
    )
