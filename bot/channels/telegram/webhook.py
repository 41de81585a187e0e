"""A minimal ASGI app for Telegram's webhook (Starlette is not a dependency; this needs none).

Unlike aiogram's own aiohttp webhook handler, which answers Telegram before the update is handled,
this one answers 200 only after the core has processed the update, and 500 when it failed, so a
crash or an error makes Telegram deliver the update again (the core deduplicates by event_key)."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramNetworkError, TelegramServerError
from aiogram.methods import SetWebhook
from aiogram.types import Update
from pydantic import ValidationError

from bot.channels.refused_calls import RefusedCalls
from bot.channels.telegram.dispatch import ALLOWED_UPDATES
from bot.channels.telegram.menu_refresh import MenuRefresher
from bot.channels.telegram.outbound import call_with_retry, redact
from bot.outage import DATABASE
from storage.availability import database_unavailable

log = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = b"x-telegram-bot-api-secret-token"
MAX_BODY = 1 << 20  # an update is a few KB; refuse anything that is clearly not one
# What Telegram accepts as secret_token; checking here fails at start-up instead of at setWebhook.
SECRET_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,256}")


class WebhookApp:
    """ASGI callable: POST <path> (the webhook), GET /health, and lifespan start-up/shut-down."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, conversation: Any, *, webhook_url: str,
                 secret_token: str, path: str = WEBHOOK_PATH):
        if not SECRET_FORMAT.fullmatch(secret_token or ""):
            raise ValueError("secret_token must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        self.dispatcher = dispatcher
        self.bot = bot
        self.path = path
        self._conversation = conversation
        self._webhook_url = webhook_url
        self._secret = secret_token.encode()
        self._refreshing: asyncio.Task | None = None  # the command menus' refresh (menu_refresh.py)
        self.refused = RefusedCalls(log, "Telegram webhook")

    async def startup(self) -> None:
        method = SetWebhook(url=self._webhook_url, secret_token=self._secret.decode(),
                            allowed_updates=ALLOWED_UPDATES)
        await call_with_retry(self.bot, method)
        menus = MenuRefresher(self.bot, self._conversation)
        await menus.set_all()
        self._refreshing = asyncio.create_task(menus.run())
        # The start line comes before setWebhook; without this one a deployer could not tell a web process
        # that serves from one still waiting for Telegram.
        log.info("the Telegram webhook is set to %s; serving updates", self._webhook_url)

    async def shutdown(self) -> None:
        if self._refreshing is not None:
            self._refreshing.cancel()
        await self.bot.session.close()
        log.info("the Telegram webhook server stops")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here; the server closes them
        method, path = scope["method"], scope["path"]
        if path == "/health":
            if method in ("GET", "HEAD"):
                await _respond(send, 200, b'{"status":"ok"}')
            else:
                await _respond(send, 405, b"")
        elif path == self.path:
            if method == "POST":
                await self._webhook(scope, receive, send)
            else:
                await _respond(send, 405, b"")
        else:
            await _respond(send, 404, b"")

    async def _webhook(self, scope: Scope, receive: Receive, send: Send) -> None:
        given = next((value for name, value in scope["headers"] if name.lower() == SECRET_HEADER), None)
        # Constant-time comparison: the secret is all that tells Telegram from anyone else.
        if given is None or not hmac.compare_digest(given, self._secret):
            self.refused.refused(scope, "no secret" if given is None else "wrong secret")
            await _respond(send, 401, b"")
            return
        body = await _read_body(receive, MAX_BODY)
        if body is None:
            await _respond(send, 413, b"")
            return
        try:
            update = Update.model_validate(json.loads(body), context={"bot": self.bot})
        except (ValueError, ValidationError):  # json.JSONDecodeError is a ValueError
            await _respond(send, 400, b"")
            return
        try:
            await self.dispatcher.feed_update(self.bot, update)
        except Exception as error:  # noqa: BLE001 - Telegram redelivers on non-2xx; the core deduplicates
            if database_unavailable(error):  # one line per outage, not a traceback per redelivery
                DATABASE.failed(error, "telegram webhook", redact=lambda text: redact(text, self.bot.token))
            else:
                log.exception("update %s failed; answering 500 so Telegram redelivers it", update.update_id)
            await _respond(send, 500, b"")
            return
        if DATABASE.ongoing:
            DATABASE.back("telegram webhook")
        await _respond(send, 200, b"")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except (TelegramNetworkError, TelegramServerError) as exc:
                    # Telegram unreachable after the retries: one line, not a traceback; the process
                    # exits and its supervisor (systemd's Restart=) starts it again.
                    log.error("telegram webhook start-up failed: Telegram (%s) cannot be reached: %s",
                              self.bot.session.api.base.split("/bot")[0], redact(str(exc), self.bot.token))
                    await send({"type": "lifespan.startup.failed", "message": redact(str(exc), self.bot.token)})
                    return
                except Exception as exc:  # noqa: BLE001 - reported to the server, which stops
                    log.exception("telegram webhook start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": redact(str(exc), self.bot.token)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    if body:
        headers.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
