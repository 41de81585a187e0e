"""The WhatsApp webhook as a plain ASGI app: GET <path> is Meta's verification handshake, POST <path>
carries updates signed with the app secret (X-Hub-Signature-256); anything unsigned or badly signed is
refused before it is read as JSON. `mounted` serves it beside another app (the Telegram webhook)."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any
from urllib.parse import parse_qs

from pywa_async.utils import webhook_updates_validator

from bot.channels.refused_calls import RefusedCalls
from bot.channels.telegram.webhook import Receive, Scope, Send, _read_body, _respond
from bot.outage import DATABASE
from storage.availability import database_unavailable

log = logging.getLogger(__name__)

SIGNATURE_HEADER = b"x-hub-signature-256"
MAX_BODY = 1 << 20  # a webhook body is a few KB


class WhatsAppWebhook:
    def __init__(self, channel, *, app_secret: str, verify_token: str, path: str = "/whatsapp"):
        if not app_secret or not verify_token:
            raise ValueError("WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN are both needed for the webhook")
        self.channel, self.path = channel, path
        self._secret, self._verify = app_secret, verify_token.encode()
        self.refused = RefusedCalls(log, "WhatsApp webhook")

    def serves(self, path: str) -> bool:
        return path == self.path or path == self.path + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _plain_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] == "/health" and scope["method"] in ("GET", "HEAD"):
            await _respond(send, 200, b'{"status":"ok"}')
        elif not self.serves(scope["path"]):
            await _respond(send, 404, b"")
        elif scope["method"] == "GET":
            await self._handshake(scope, send)
        elif scope["method"] == "POST":
            await self._post(scope, receive, send)
        else:
            await _respond(send, 405, b"")

    async def _handshake(self, scope: Scope, send: Send) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        mode = (query.get("hub.mode") or [""])[0]
        token = (query.get("hub.verify_token") or [""])[0].encode()
        challenge = (query.get("hub.challenge") or [""])[0]
        if mode == "subscribe" and challenge and hmac.compare_digest(token, self._verify):
            await _text(send, 200, challenge.encode())
        else:
            await _respond(send, 403, b"")

    async def _post(self, scope: Scope, receive: Receive, send: Send) -> None:
        signature = next((v for k, v in scope["headers"] if k.lower() == SIGNATURE_HEADER), None)
        body = await _read_body(receive, MAX_BODY)
        if body is None:
            await _respond(send, 413, b"")
            return
        # pywa's check: HMAC-SHA256 of the raw body with the app secret, compared in constant time.
        if signature is None or not webhook_updates_validator(self._secret, body, signature.decode("latin-1")):
            self.refused.refused(scope, "no signature" if signature is None else "bad signature")
            await _respond(send, 401, b"")
            return
        try:
            payload: Any = json.loads(body)
        except ValueError:
            await _respond(send, 400, b"")
            return
        if not isinstance(payload, dict):
            await _respond(send, 400, b"")
            return
        try:
            await self.channel.handle_payload(payload)
        except Exception as error:  # noqa: BLE001 - Meta redelivers on non-2xx; the core deduplicates by message id
            if database_unavailable(error):  # one line per outage, not a traceback per redelivery
                DATABASE.failed(error, "whatsapp webhook")
            else:
                log.exception("whatsapp update failed; answering 500 so Meta redelivers it")
            await _respond(send, 500, b"")
            return
        if DATABASE.ongoing:
            DATABASE.back("whatsapp webhook")
        await _respond(send, 200, b"")


class Mounted:
    """The WhatsApp webhook beside another ASGI app (the Telegram webhook), which keeps the lifespan."""

    def __init__(self, whatsapp: WhatsAppWebhook, other):
        self.whatsapp, self.other = whatsapp, other

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.whatsapp.serves(scope["path"]):
            await self.whatsapp(scope, receive, send)
        else:
            await self.other(scope, receive, send)


async def _plain_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _text(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"text/plain")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
