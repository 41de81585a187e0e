"""Webhook payloads as the Cloud API posts them (contacts[].user_id and wa_id, metadata, one entry), and
Meta's signature over them. Shapes follow Meta's webhook reference; ids are made up."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time

PHONE_ID = "106540352242922"
BUSINESS_NUMBER = "6281100001111"
WABA_ID = "102290129340398"
_ids = itertools.count(1)


def wamid() -> str:
    return f"wamid.HBgNNjI4MTIzNDU2Nzg5FQIAEhgg{next(_ids):012d}"


def sign(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _envelope(value: dict) -> dict:
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": BUSINESS_NUMBER, "phone_number_id": PHONE_ID}, **value}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}]}


def message(user_id: str, wa_id: str, body: dict, *, name: str = "Pegawai", message_id: str | None = None,
            at: int | None = None) -> dict:
    """One message of a person; `body` is the type-specific part, e.g. text("halo")."""
    item = {"from": wa_id, "from_user_id": user_id, "id": message_id or wamid(),
            "timestamp": str(at or int(time.time())), **body}
    contact = {"profile": {"name": name}, "wa_id": wa_id, "user_id": user_id}
    return _envelope({"contacts": [contact], "messages": [item]})


def text(body: str) -> dict:
    return {"type": "text", "text": {"body": body}}


def button_reply(action: str, title: str = "OK") -> dict:
    return {"type": "interactive", "context": _context(),
            "interactive": {"type": "button_reply", "button_reply": {"id": action, "title": title}}}


def list_reply(action: str, title: str = "Pilihan") -> dict:
    return {"type": "interactive", "context": _context(),
            "interactive": {"type": "list_reply", "list_reply": {"id": action, "title": title}}}


def template_button(payload: str, text: str = "Tampilkan") -> dict:
    return {"type": "button", "context": _context(), "button": {"payload": payload, "text": text}}


def _context() -> dict:
    """Replies to a button or list carry the message they answer (the bot's)."""
    return {"from": BUSINESS_NUMBER, "id": wamid()}


def image(media_id: str, mime: str = "image/jpeg", caption: str | None = None) -> dict:
    part = {"id": media_id, "mime_type": mime, "sha256": "x" * 44}
    if caption:
        part["caption"] = caption
    return {"type": "image", "image": part}


def document(media_id: str, filename: str, mime: str = "application/pdf") -> dict:
    return {"type": "document", "document": {"id": media_id, "filename": filename, "mime_type": mime,
                                             "sha256": "y" * 44}}


def location(lat: float, lon: float) -> dict:
    return {"type": "location", "location": {"latitude": lat, "longitude": lon}}


def sticker(media_id: str = "sticker-1") -> dict:
    return {"type": "sticker", "sticker": {"id": media_id, "mime_type": "image/webp", "sha256": "z" * 44,
                                           "animated": False}}


def status(message_id: str, state: str, user_id: str, wa_id: str, *, at: int | None = None,
           error_code: int | None = None) -> dict:
    item = {"id": message_id, "status": state, "timestamp": str(at or int(time.time())),
            "recipient_id": wa_id, "recipient_user_id": user_id}
    if error_code is not None:
        item["errors"] = [{"code": error_code, "title": "error", "message": "error",
                           "error_data": {"details": "from the fake"}}]
    contact = {"wa_id": wa_id, "user_id": user_id}
    return _envelope({"contacts": [contact], "statuses": [item]})
