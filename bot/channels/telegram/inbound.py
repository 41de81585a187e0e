"""Telegram updates → channel-neutral `Inbound`.

Only private chats with people are the bot's business: groups, channels, other bots and update kinds
the routine does not use become None (the dispatcher still acknowledges them, so Telegram does not
redeliver them). Chat and message ids stay here: the core gets the user id as `sender` and an opaque
`event_key`; the one exception is `live_key`, an opaque string that lets the core tie a live
location's updates to its first message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from aiogram.enums import ChatType, ContentType
from aiogram.types import CallbackQuery, Message, Update, User

from bot.domain.org_terms import Channel
from bot.messages import Inbound, LocationIn, MediaIn


# What a person may send that the routine has no use for: they still get an answer saying so.
PEOPLES_OTHER_CONTENT = {
    ContentType.STICKER, ContentType.VOICE, ContentType.AUDIO, ContentType.VIDEO, ContentType.VIDEO_NOTE,
    ContentType.ANIMATION, ContentType.CONTACT, ContentType.DICE, ContentType.POLL, ContentType.GAME,
    ContentType.STORY, ContentType.PAID_MEDIA, ContentType.CHECKLIST,
}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class TapOrigin:
    """Where a tapped button lives, so a reply with `edit_origin` can replace that message.

    Kept per handling by the adapter, never given to the core. `used` makes sure only one reply of a
    handling edits the message (two edits would leave only the second visible)."""

    sender: str
    chat_id: int
    message_id: int
    used: bool = False


def event_key(update: Update) -> str:
    return f"tg:{update.update_id}"


def on_clock(moment: dt.datetime, now: Callable[[], dt.datetime]) -> dt.datetime:
    """Telegram's time of an event, moved onto Apel's clock: as old relative to `now()` as it really
    is. With the real clock that is Telegram's time itself; with an injected clock (tests, demos) the
    event keeps its age instead of falling on another day than everything else."""
    if now is utc_now:
        return moment
    age = max(utc_now() - moment, dt.timedelta(0))
    return now() - age


def to_inbound(update: Update, *, now: Callable[[], dt.datetime] = utc_now,
               origin: TapOrigin | None = None) -> Inbound | None:
    """The Inbound for any update kind the bot listens to, or None for what it ignores. A tap carries the
    message it was made on (`extra["edit_target"]`), which a reply may replace."""
    if update.message is not None:
        return message_to_inbound(update, update.message, now=now)
    if update.edited_message is not None:
        return edited_to_inbound(update, update.edited_message, now=now)
    if update.callback_query is not None:
        inbound = callback_to_inbound(update, update.callback_query, now=now)
        if inbound is not None and origin is not None and origin.sender == inbound.sender:
            inbound.extra["edit_target"] = {"chat_id": origin.chat_id, "message_id": origin.message_id}
        return inbound
    return None


def _person(user: User | None) -> User | None:
    # Other bots could loop with ours; people only.
    if user is None or user.is_bot:
        return None
    return user


def _private(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


def _utc(moment: dt.datetime) -> dt.datetime:
    # aiogram parses Unix times as aware UTC; be strict anyway, the core refuses naive datetimes.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def message_to_inbound(
    update: Update, message: Message, *, now: Callable[[], dt.datetime] = utc_now
) -> Inbound | None:
    user = _person(message.from_user)
    if user is None or not _private(message):
        return None
    base = dict(
        channel=Channel.TELEGRAM,
        sender=str(user.id),
        event_key=event_key(update),
        at=on_clock(_utc(message.date), now),
        sender_name=user.first_name or "",
    )
    if message.text is not None:
        return Inbound(**base, text=message.text)
    if message.photo:
        # Telegram lists the sizes smallest first; the largest is the evidence worth keeping.
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        media = MediaIn(
            file_ref=largest.file_id,
            filename=None,
            mime="image/jpeg",  # Telegram re-encodes compressed photos as JPEG
            size=largest.file_size,
            is_photo=True,
            album=message.media_group_id,
        )
        return Inbound(**base, media=media, caption=message.caption)
    if message.document is not None:
        doc = message.document
        media = MediaIn(
            file_ref=doc.file_id,
            filename=doc.file_name,
            mime=doc.mime_type,
            size=doc.file_size,
            is_photo=False,
            album=message.media_group_id,
        )
        return Inbound(**base, media=media, caption=message.caption)
    if message.location is not None:
        return Inbound(**base, location=_location(message, is_update=False))
    if message.content_type in PEOPLES_OTHER_CONTENT:
        return Inbound(**base)  # the core answers that it cannot use this kind of message
    return None  # service messages (a pinned message, a timer changed): nobody said anything


def edited_to_inbound(
    update: Update, message: Message, *, now: Callable[[], dt.datetime] = utc_now
) -> Inbound | None:
    """Only a live location's new position matters; edited texts are not re-read (the core already
    acted on the first version)."""
    user = _person(message.from_user)
    if user is None or not _private(message) or message.location is None:
        return None
    moment = (
        dt.datetime.fromtimestamp(message.edit_date, dt.UTC) if message.edit_date else _utc(message.date)
    )
    return Inbound(
        channel=Channel.TELEGRAM,
        sender=str(user.id),
        event_key=event_key(update),
        at=on_clock(moment, now),
        sender_name=user.first_name or "",
        location=_location(message, is_update=True),
    )


def _location(message: Message, *, is_update: bool) -> LocationIn:
    loc = message.location
    assert loc is not None
    live = bool(loc.live_period) or is_update
    return LocationIn(
        lat=loc.latitude,
        lon=loc.longitude,
        accuracy_m=loc.horizontal_accuracy,
        live_period_s=loc.live_period,
        # The first message and its edits share chat and message id: that pair is the live session.
        live_key=f"{message.chat.id}:{message.message_id}" if live else None,
        is_update=is_update,
        # Bot API: `live_period` is set "for active live locations only"; an edit of a live location
        # without it is the one Telegram sends when the person stops sharing.
        stopped=is_update and not loc.live_period,
    )


def callback_to_inbound(
    update: Update, query: CallbackQuery, *, now: Callable[[], dt.datetime] = utc_now
) -> Inbound | None:
    user = _person(query.from_user)
    message = query.message
    # No message: a button of an inline-mode message, which this bot does not send.
    if user is None or message is None or message.chat.type != ChatType.PRIVATE or not query.data:
        return None
    return Inbound(
        channel=Channel.TELEGRAM,
        sender=str(user.id),
        event_key=event_key(update),
        at=now(),  # a callback query carries no date of its own
        sender_name=user.first_name or "",
        tap=query.data,
    )


def tap_origin(query: CallbackQuery) -> TapOrigin | None:
    """The message a button was tapped on, if it can still be edited.

    Messages older than 48 hours arrive as InaccessibleMessage (date 0) and cannot be edited."""
    message = query.message
    if message is None or not isinstance(message, Message):
        return None
    return TapOrigin(sender=str(query.from_user.id), chat_id=message.chat.id, message_id=message.message_id)
