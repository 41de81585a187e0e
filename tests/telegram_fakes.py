"""Fakes for the Telegram adapter tests: a recording aiogram session, a scripted core, update payloads.

The session stands where aiohttp would: aiogram builds real method objects, the fake records them and
answers like the Bot API would (errors go through aiogram's own `check_response`, so a scripted 429
becomes exactly the TelegramRetryAfter that a real one would)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import AsyncGenerator, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.types import File, Message, Update, User

from bot.domain.org_terms import Channel
from bot.messages import Inbound, Outgoing, Reply

from bot.services.menus import CommandMenu

TOKEN = "123456:TEST-secret_token"
USER_ID = 5550001
DATE = 1795400000  # 2026-11-21, seconds since the epoch


class StopPolling(BaseException):
    """Raised by a scripted getUpdates to end aiogram's polling loop (it swallows Exceptions)."""


class FakeSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self.files: dict[str, bytes] = {}  # file_id → content, served by getFile + download
        self.downloads: list[str] = []
        self.updates: list[list[dict]] = []  # batches returned by successive getUpdates
        self.get_updates_seen: list[tuple[int | None, int]] = []  # (offset, calls before it)
        self._failures: dict[str, list[Callable[[Bot, TelegramMethod[Any]], Exception]]] = {}
        self._ids = itertools.count(1000)
        self.closed = False

    # scripting -------------------------------------------------------------------------------
    def fail(self, api_method: str, status: int, description: str, retry_after: int | None = None,
             after: int = 0) -> None:
        """The next call of `api_method` (after `after` that succeed) gets this HTTP error from "Telegram"."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}

        def raise_it(bot: Bot, method: TelegramMethod[Any]) -> Exception:
            try:
                self.check_response(bot, method, status, json.dumps(body))
            except Exception as exc:  # noqa: BLE001 - aiogram's classification is what we want
                return exc
            raise AssertionError("check_response accepted an error")

        self._failures.setdefault(api_method, []).extend([None] * after + [raise_it])

    def fail_network(self, api_method: str, message: str) -> None:
        self._failures.setdefault(api_method, []).append(lambda bot, m: TelegramNetworkError(m, message))

    # recorded calls --------------------------------------------------------------------------
    def sent(self, *api_methods: str) -> list[Any]:
        return [c for c in self.calls if c.__api_method__ in api_methods]

    def names(self) -> list[str]:
        return [c.__api_method__ for c in self.calls]

    # BaseSession -----------------------------------------------------------------------------
    async def close(self) -> None:
        self.closed = True

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        name = method.__api_method__
        if name == "getUpdates":
            # aiogram reuses one GetUpdates object and moves its offset: record the value now.
            self.get_updates_seen.append((method.offset, len(self.calls)))
        self.calls.append(method)
        if self._failures.get(name):
            failure = self._failures[name].pop(0)
            if failure is not None:
                raise failure(bot, method)
        return self._result(bot, method, name)

    def _result(self, bot: Bot, method: Any, name: str) -> Any:
        if name in {"answerCallbackQuery", "setMyCommands", "deleteMyCommands", "setWebhook", "deleteWebhook"}:
            return True
        if name == "getMe":
            return User(id=bot.id, is_bot=True, first_name="Apel", username="ApelDinasBot")
        if name == "getFile":
            content = self.files[method.file_id]
            return File(file_id=method.file_id, file_unique_id="u" + method.file_id,
                        file_size=len(content), file_path=f"photos/{method.file_id}.jpg")
        if name == "getUpdates":
            if not self.updates:
                raise StopPolling()
            return [Update.model_validate(u, context={"bot": bot}) for u in self.updates.pop(0)]
        if name in {"sendMessage", "editMessageText", "sendPhoto", "sendDocument"}:
            payload: dict[str, Any] = {
                "message_id": getattr(method, "message_id", None) or next(self._ids),
                "date": DATE,
                "chat": {"id": int(method.chat_id), "type": "private"},
            }
            if name in {"sendMessage", "editMessageText"}:
                payload["text"] = method.text
            else:
                payload["caption"] = method.caption
            if name == "sendPhoto":
                payload["photo"] = [{"file_id": "sent-photo", "file_unique_id": "sp", "width": 1, "height": 1}]
            if name == "sendDocument":
                payload["document"] = {"file_id": "sent-doc", "file_unique_id": "sd"}
            return Message.model_validate(payload, context={"bot": bot})
        raise AssertionError(f"the fake session does not know {name}")

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
                             chunk_size: int = 65536, raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        self.downloads.append(url)
        file_id = url.rsplit("/", 1)[-1].removesuffix(".jpg")
        content = self.files[file_id]
        for start in range(0, len(content), chunk_size):
            yield content[start:start + chunk_size]


def fake_bot(session: FakeSession | None = None) -> Bot:
    return Bot(TOKEN, session=session or FakeSession())


class FakeConversation:
    """The core as the adapter sees it: records Inbounds, answers with scripted Outgoings.

    Like the real one it deduplicates by event_key; for media it fetches the file through the
    fetcher it was given, so tests see the adapter's download path working."""

    def __init__(self, menus: list[CommandMenu] | None = None) -> None:
        self.inbounds: list[Inbound] = []
        self.fetched: dict[str, bytes] = {}
        self.menus = menus or []
        self.respond: Callable[[Inbound], list[Outgoing]] | None = None
        self.fail_with: Exception | None = None
        self._queue: list[list[Outgoing]] = []
        self._seen: set[str] = set()
        self.returned: list[list[Outgoing]] = []  # what each handled update answered

    def reply_with(self, *outgoings: Outgoing) -> None:
        self._queue.append(list(outgoings))

    async def handle(self, inbound: Inbound, fetcher: Any) -> list[Outgoing]:
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error
        if inbound.event_key in self._seen:
            return []
        self._seen.add(inbound.event_key)
        self.inbounds.append(inbound)
        if inbound.media is not None:
            self.fetched[inbound.media.file_ref] = await fetcher.fetch(inbound.media.file_ref)
        out = self.respond(inbound) if self.respond is not None else (self._queue.pop(0) if self._queue else [])
        self.returned.append(out)
        return out

    def command_menus(self) -> list[CommandMenu]:
        return self.menus


def to_user(text: str, user_id: int = USER_ID, **reply: Any) -> Outgoing:
    return Outgoing(channel=Channel.TELEGRAM, external_id=str(user_id), reply=Reply(text=text, **reply))


# update payloads, shaped like the Bot API's JSON ------------------------------------------------
def person(user_id: int = USER_ID, first_name: str = "Sari", is_bot: bool = False) -> dict:
    return {"id": user_id, "is_bot": is_bot, "first_name": first_name, "language_code": "id"}


def private_chat(user_id: int = USER_ID) -> dict:
    return {"id": user_id, "type": "private", "first_name": "Sari"}


def message(message_id: int = 10, *, sender: dict | None = None, chat: dict | None = None,
            date: int = DATE, **content: Any) -> dict:
    sender = sender or person()
    return {"message_id": message_id, "from": sender, "chat": chat or private_chat(sender["id"]),
            "date": date, **content}


def update(update_id: int, **kinds: Any) -> dict:
    return {"update_id": update_id, **kinds}


def callback(data: str, *, message_id: int = 77, sender: dict | None = None, query_id: str = "cq1") -> dict:
    sender = sender or person()
    shown = {"message_id": message_id, "from": person(123456, "Apel", is_bot=True),
             "chat": private_chat(sender["id"]), "date": DATE, "text": "Pilih tugas"}
    return {"id": query_id, "from": sender, "chat_instance": "ci", "data": data, "message": shown}


def as_update(bot: Bot, payload: dict) -> Update:
    return Update.model_validate(payload, context={"bot": bot})


def utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)
