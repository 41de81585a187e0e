"""A Reply as JSON and back: what is held in `whatsapp_held` until the person reopens their window."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.messages import Attachment, Button, Reply, ReplyKind

# The outbox key of held content released (and, in adapter tests, the mark of it sent at once): it goes as a
# reply, first in line, but it is what was pushed to the person, not an answer to what they wrote.
HELD_KEY_PREFIX = "wa-held:"
# What is about the day it was held on and repeats itself: the morning briefing, the report reminders.
OF_THEIR_DAY = (ReplyKind.BRIEFING, ReplyKind.REMINDER)


def worth_sending(claimed: Sequence[tuple[Any, ...]], now: dt.datetime, zone: str) -> list[tuple[Any, ...]]:
    """Of the held rows claimed for release (…, kind, payload, held at: the store's order, oldest first),
    those still worth sending: a briefing or reminder of a day gone by (the person's day, in their zone) told
    them what to do that day, and of today's only the newest of each kind goes (the 15-minute reminder says
    what the 60-minute one said). Digests, approvals and notices all go: each still asks for something."""
    today = now.astimezone(ZoneInfo(zone)).date()
    newest: dict[str, int] = {}
    for index, row in enumerate(claimed):
        kind, held_at = row[2], row[4]
        if kind in OF_THEIR_DAY and held_at.astimezone(ZoneInfo(zone)).date() == today:
            newest[kind] = index
    return [row for index, row in enumerate(claimed) if row[2] not in OF_THEIR_DAY or newest.get(row[2]) == index]


def reply_to_json(reply: Reply) -> dict:
    attachment = None
    if reply.attachment is not None:
        a = reply.attachment
        attachment = {"filename": a.filename, "path": a.path, "is_photo": a.is_photo,
                      "content": base64.b64encode(a.content).decode() if a.content is not None else None}
    return {
        "text": reply.text,
        "buttons": [[{"label": b.label, "action": b.action, "request_location": b.request_location} for b in row]
                    for row in reply.buttons],
        "attachment": attachment,
        "kind": reply.kind,
    }


def reply_from_json(data: dict) -> Reply:
    a = data.get("attachment")
    attachment = None
    if a:
        content = base64.b64decode(a["content"]) if a.get("content") is not None else None
        attachment = Attachment(filename=a["filename"], content=content, path=a.get("path"), is_photo=a["is_photo"])
    buttons = tuple(tuple(Button(b["label"], b.get("action"), b.get("request_location", False)) for b in row)
                    for row in data.get("buttons") or [])
    return Reply(data.get("text") or "", buttons, attachment, kind=data.get("kind"))
