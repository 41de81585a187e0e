"""Channel-neutral messages: what arrives from a person and what the core says back.

Adapters (Telegram, WhatsApp, console) turn their updates into `Inbound` and render `Reply`; the core
never sees a chat framework's objects. Reply text is a small HTML subset (<b>, <i>, <code>) in which
every user-supplied string is already escaped (`bot.domain.html.esc`); an adapter that has no HTML
(WhatsApp, the console) converts those three tags."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.org_terms import Channel

MAX_ACTION_BYTES = 64  # Telegram's callback_data limit; WhatsApp button ids allow more


@dataclass(frozen=True)
class Button:
    label: str
    action: str | None = None  # opaque to adapters; sent back as Inbound.tap
    request_location: bool = False  # a "share my location" button (reply keyboard on Telegram)


# The most buttons one message may carry: Telegram refuses more inline buttons ("reply markup is too long").
BUTTONS_MAX = 100

# Actions of buttons that each toggle one choice of several (/tugaskan's people): "<prefix><id>". A channel
# without buttons may answer several at once ("2 5 7") with one tap "<prefix><id>:<id>:<id>".
TOGGLE_PREFIXES = ("asg:p:",)
# Actions that decide someone else's request (a leave, a home location): a channel that maps a typed number to
# a button never maps one to these, also where a command's answer lists them (/tim's waiting requests).
DECISION_PREFIXES = ("lvd:", "home:")


@dataclass(frozen=True)
class Attachment:
    """A file to send with a reply: bytes made now (an invite CSV) or a stored file (a thumbnail)."""

    filename: str
    content: bytes | None = None
    path: str | None = None
    is_photo: bool = False


@dataclass(frozen=True)
class Reply:
    """`buttons` never mixes `action` buttons with `request_location` ones (Telegram keeps them apart).
    `edit_origin`: replace the message whose button was tapped, where the channel can."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Attachment | None = None
    edit_origin: bool = False
    # What the message is, for channels that must say it differently when they may not send it as is
    # (WhatsApp's approved templates outside the 24-hour window): a ReplyKind value, or None.
    kind: str | None = None


class ReplyKind(StrEnum):
    BRIEFING = "briefing"
    REMINDER = "reminder"
    DIGEST = "digest"
    APPROVAL = "approval"  # a report waits for this person's review


class Urgency(StrEnum):
    """Order of sending when many messages wait: a person's own action first, bulk last (DESIGN.md)."""

    REPLY = "reply"
    NOTICE = "notice"
    BULK = "bulk"


@dataclass(frozen=True)
class Outgoing:
    channel: Channel
    external_id: str
    reply: Reply
    urgency: Urgency = Urgency.REPLY
    person_id: int | None = None
    # For the outbox (DESIGN.md "The outbox"): what it is, its idempotency key (None: one is made from
    # the transaction's scope), when it is wanted (orders bulk waves), when it is no longer worth sending,
    # and the message a tapped button sits on (edited in place where the channel can).
    kind: str = "message"
    key: str | None = None
    target_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    edit_target: dict | None = None


@dataclass(frozen=True)
class MediaIn:
    file_ref: str  # the adapter's handle to download it (Telegram file_id, WhatsApp media id, a path)
    filename: str | None
    mime: str | None
    size: int | None
    is_photo: bool  # a compressed photo (no EXIF) rather than a file
    album: str | None = None  # photos sent together share this key
    # Whether the channel marks an album's pictures with a shared key (Telegram's media_group_id). WhatsApp's
    # do not: they arrive as messages of their own, and pictures close together are taken as one album.
    album_ids: bool = True


@dataclass(frozen=True)
class LocationIn:
    lat: float
    lon: float
    accuracy_m: float | None = None
    live_period_s: int | None = None  # set on the first message of a live location
    live_key: str | None = None  # same key for a live location's first message and its updates
    is_update: bool = False  # a later position of a live location (Telegram edited_message)
    stopped: bool = False  # the update that ends a live location (Telegram: an edit without live_period)


@dataclass(frozen=True)
class Inbound:
    channel: Channel
    sender: str  # the chat identity (Telegram user id, WhatsApp id, console name)
    event_key: str  # unique per delivery from the platform (update id); seen twice = handled once
    at: dt.datetime
    text: str | None = None
    tap: str | None = None
    media: MediaIn | None = None
    location: LocationIn | None = None
    sender_name: str = ""
    caption: str | None = None
    extra: dict = field(default_factory=dict)
