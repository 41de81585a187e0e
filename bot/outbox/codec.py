"""An Outgoing as stored in the outbox (JSON), and back. Attachment bytes are stored apart, by hash."""

from __future__ import annotations

import hashlib
import json

from bot.domain.org_terms import Channel
from bot.messages import Attachment, Button, Outgoing, Reply, Urgency

PRIORITY = {Urgency.REPLY: 0, Urgency.NOTICE: 1, Urgency.BULK: 2}
URGENCY = {v: k for k, v in PRIORITY.items()}


def encode(outgoing: Outgoing) -> tuple[str, tuple[str, bytes] | None]:
    """The payload JSON and, when the attachment was made in memory, (sha256, bytes) to store apart."""
    reply = outgoing.reply
    blob = None
    attachment = None
    if reply.attachment is not None:
        a = reply.attachment
        attachment = {"filename": a.filename, "is_photo": a.is_photo, "path": a.path}
        if a.content is not None:
            digest = hashlib.sha256(a.content).hexdigest()
            attachment["sha256"] = digest
            blob = (digest, a.content)
    payload = {
        "text": reply.text,
        "buttons": [[[b.label, b.action, b.request_location] for b in row] for row in reply.buttons],
        "attachment": attachment,
        "edit_origin": reply.edit_origin,
        "reply_kind": reply.kind,
        "edit_target": outgoing.edit_target,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")), blob


def decode(payload: str, *, channel: str, external_id: str, priority: int, person_id: int | None, kind: str,
           key: str, files: dict[str, bytes] | None = None) -> Outgoing:
    data = json.loads(payload)
    attachment = None
    if data.get("attachment"):
        a = data["attachment"]
        content = (files or {}).get(a.get("sha256")) if a.get("sha256") else None
        attachment = Attachment(a["filename"], content=content, path=a.get("path"), is_photo=a.get("is_photo", False))
    buttons = tuple(tuple(Button(label, action, bool(loc)) for label, action, loc in row) for row in data["buttons"])
    reply = Reply(data["text"], buttons, attachment, data.get("edit_origin", False), kind=data.get("reply_kind"))
    return Outgoing(Channel(channel), external_id, reply, URGENCY.get(priority, Urgency.BULK), person_id,
                    kind=kind, key=key, edit_target=data.get("edit_target"))
