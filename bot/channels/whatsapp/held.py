"""A Reply as JSON and back: what is held in `whatsapp_held` until the person reopens their window."""

from __future__ import annotations

import base64

from bot.messages import Attachment, Button, Reply

# The outbox key of held content released (and, in adapter tests, the mark of it sent at once): it goes as a
# reply, first in line, but it is what was pushed to the person, not an answer to what they wrote.
HELD_KEY_PREFIX = "wa-held:"


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
