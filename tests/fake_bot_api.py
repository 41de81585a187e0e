"""A local stand-in of the Telegram Bot API, for end-to-end tests of the real bot.

The bot runs as it does in production (aiogram, long polling), pointed at this server with
TELEGRAM_API_URL=http://127.0.0.1:<port>. The server refuses what Telegram refuses (spec checks from
tests/bot_api_spec.py, HTML, chats that never started the bot, blocked users, stale callback queries,
edits that change nothing) and throttles as Telegram throttles, so a bot that passes here does not
meet its first 400/403/429 in production. The test plays the people: it queues the updates a person
would produce and inspects the calls the bot made.

Async test:  async with FakeBotApi() as api: ...
Sync test:   with FakeBotApi() as api: ...   (the server runs on its own thread and event loop)"""

from __future__ import annotations

import asyncio
import copy
import io
import itertools
import json
import math
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from bot.domain.html import utf16_len
from tests.bot_api_spec import (
    as_json,
    canonical_method,
    check_call,
    load_spec,
    method_fields,
    spec_available,
    visible_text,
)
from tests.fake_bot_api_faults import FakeFaults

GET_FILE_MAX = 20 * 1024 * 1024  # getFile refuses bigger files
UPLOAD_MAX = 50 * 1024 * 1024  # what a bot may upload
# Telegram leaves these out of getUpdates unless asked for by name.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {"message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
     "business_message", "edited_business_message", "deleted_business_messages", "inline_query",
     "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media",
     "poll", "poll_answer", "my_chat_member", "chat_join_request", "chat_boost", "removed_chat_boost"}
)
# Methods that put a new message in a chat: they need a chat that started the bot and count against
# the flood limits.
NEW_MESSAGE_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendLocation", "sendVenue", "sendContact",
     "sendAudio", "sendVideo", "sendAnimation", "sendVoice", "sendVideoNote", "sendSticker", "sendPoll",
     "sendDice", "copyMessage", "forwardMessage"}
)
EDIT_METHODS = frozenset(
    {"editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia",
     "editMessageLiveLocation", "stopMessageLiveLocation"}
)
MESSAGE_METHODS = NEW_MESSAGE_METHODS | EDIT_METHODS  # what messages_to() lists
CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}
)
# Without the spec, these parameters stay strings; every other form value is read as JSON if it is JSON.
STRING_PARAMS = frozenset(
    {"text", "caption", "parse_mode", "callback_query_id", "file_id", "inline_message_id", "url", "action",
     "photo", "document", "audio", "video", "animation", "voice", "sticker", "thumbnail", "language_code",
     "business_connection_id", "message_effect_id", "secret_token", "name", "description", "short_description"}
)
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")


class LoopbackSession(AiohttpSession):
    """aiogram's session without the 250 ms pause on close, which lets TLS connections wind down;
    plain HTTP to 127.0.0.1 has none, and the pause would add up over a test run."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class Refused(Exception):
    """Telegram's answer to a call it does not carry out."""

    def __init__(self, status: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    content: bytes


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    def info(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": len(self.content)}


@dataclass
class Call:
    """One request the bot made, as the server understood it."""

    index: int
    method: str  # the spec's spelling when the method exists
    params: dict[str, Any]  # decoded: numbers, booleans and nested objects parsed from form strings
    time: float  # time.monotonic() on arrival
    files: dict[str, Upload] = field(default_factory=dict)  # multipart file parts by part name
    problems: list[str] = field(default_factory=list)  # from check_call, or a method the stand-in lacks
    status: int = 0
    response: dict[str, Any] = field(default_factory=dict)
    fault: str | None = None  # what a FakeFaults plan made of it ("slow": delivered, answered late)
    answered: float | None = None  # time.monotonic() when the answer was handed to the server

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        return self.response.get("description")

    @property
    def chat_id(self) -> int | str | None:
        return _as_int(self.params.get("chat_id"))

    @property
    def text(self) -> str | None:
        """The text or caption as the bot sent it (HTML source, not what the reader sees)."""
        return self.params.get("text", self.params.get("caption"))

    def __repr__(self) -> str:
        detail = self.description or ""
        return f"<Call #{self.index} {self.method} {self.status} {self.params!r:.160} {detail}>"


def _as_int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _json_or_str(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _update_kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


class _Bucket:
    """Token bucket: `capacity` at once, refilled at `rate` a second (Telegram tolerates short bursts)."""

    def __init__(self, capacity: float, rate: float, now: float):
        self.capacity, self.rate, self.tokens, self.stamp = capacity, rate, capacity, now

    def wait(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


def _photo_variants(content: bytes) -> list[tuple[int, int, bytes]]:
    """(width, height, bytes) smallest first, as Telegram stores a photo in several sizes."""
    try:
        from PIL import Image

        image = Image.open(io.BytesIO(content))
        image.load()
    except Exception:  # noqa: BLE001 - not a decodable image: nominal sizes, all serving the same bytes
        return [(round(1280 * s), round(960 * s), content) for s in (90 / 1280, 320 / 1280, 800 / 1280, 1)]
    variants = []
    for side in (90, 320, 800):
        if side < max(image.size):
            small = image.convert("RGB")
            small.thumbnail((side, side))
            buffer = io.BytesIO()
            small.save(buffer, "JPEG")
            variants.append((*small.size, buffer.getvalue()))
    return [*variants, (*image.size, content)]  # the largest keeps the sent bytes, so tests can compare


class FakeBotApi:
    def __init__(
        self,
        token: str = "123:ABC",
        *,
        username: str = "ApelTestBot",
        throttle: bool = True,
        per_chat_per_second: float = 1.0,
        burst: int = 3,
        global_per_second: float = 30.0,
        max_poll_wait: float = 1.0,
        faults: FakeFaults | None = None,
    ):
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.throttle = throttle
        self.per_chat_per_second, self.burst, self.global_per_second = per_chat_per_second, burst, global_per_second
        self.max_poll_wait = max_poll_wait  # long polls end after this, whatever timeout the bot asked for
        self.faults = faults  # opt-in: a seeded share of send calls fails (tests/fake_bot_api_faults.py)
        self.calls: list[Call] = []
        self.throttled = 0  # how many calls got 429
        self.port: int | None = None
        self._lock = threading.RLock()  # the test thread and the server's loop share the state below
        self._users: dict[int, dict[str, Any]] = {}
        self._started: set[int] = set()
        self._blocked: set[int] = set()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(100001)
        self._allowed_updates = DEFAULT_ALLOWED_UPDATES
        self._message_ids: dict[int, itertools.count] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._sources: dict[tuple[int, int], tuple] = {}  # what the bot sent, to refuse edits that change nothing
        self._open_callbacks: set[str] = set()
        self._files: dict[str, StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self._commands: dict[str, list] = {}
        self._webhook_url = ""
        self._polls = 0  # getUpdates requests so far
        self._chat_buckets: dict[int, _Bucket] = {}
        self._global_bucket = _Bucket(global_per_second, global_per_second, time.monotonic())
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_update: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._closing = False

    # -- lifecycle -------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL: TELEGRAM_API_URL for the bot, TelegramAPIServer.from_base(url) for aiogram."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeBotApi:
        self._loop = asyncio.get_running_loop()
        self._new_update = asyncio.Event()
        self._closing = False
        app = web.Application(client_max_size=UPLOAD_MAX + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._serve_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        self._closing = True  # pending long polls return at once
        if self._new_update:
            self._new_update.set()  # wakes the older poll (set() releases waiters even if cleared again)
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def start_in_thread(self) -> FakeBotApi:
        """Serve from a thread with its own event loop, for sync tests (the bot being a subprocess)."""
        ready, failure = threading.Event(), []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=serve, name="FakeBotApi", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        loop = self._loop
        asyncio.run_coroutine_threadsafe(self.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)
        self._thread = None

    def __enter__(self) -> FakeBotApi:
        return self.start_in_thread()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def bot(self, token: str | None = None, **kwargs: Any) -> Bot:
        """An aiogram Bot talking to this server (close it: `async with api.bot() as bot:`)."""
        session = LoopbackSession(api=TelegramAPIServer.from_base(self.url))
        return Bot(token or self.token, session=session, **kwargs)

    # -- the people ------------------------------------------------------------------------------------

    def add_user(self, user_id: int, first_name: str, last_name: str | None = None,
                 username: str | None = None, language_code: str = "id") -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "last_name": last_name,
                "username": username, "language_code": language_code}
        with self._lock:
            self._users[user_id] = {k: v for k, v in user.items() if v is not None}
            return self._users[user_id]

    def add_started_user(self, user_id: int, first_name: str) -> dict[str, Any]:
        """A user who pressed Start some time ago (the bot may write to them), with no update queued:
        for tests whose people were linked before the test began."""
        with self._lock:
            self._started.add(user_id)
            return self.add_user(user_id, first_name)

    def block(self, user_id: int) -> dict[str, Any]:
        """The user blocks the bot: Telegram tells the bot with a my_chat_member update."""
        with self._lock:
            self._blocked.add(user_id)
            return self._queue_member_change(user_id, "member", "kicked")

    def unblock(self, user_id: int) -> dict[str, Any]:
        with self._lock:
            self._blocked.discard(user_id)
            return self._queue_member_change(user_id, "kicked", "member")

    def user_sends_text(self, user_id: int, text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):  # Telegram marks the leading command, "@BotName" included
            command = text.split(maxsplit=1)[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        return self._user_message(user_id, content)

    def user_sends_photo(self, user_id: int, content: bytes, caption: str | None = None,
                         media_group_id: str | None = None) -> dict[str, Any]:
        with self._lock:
            message: dict[str, Any] = {"photo": self._photo_sizes(content)}
        if caption is not None:
            message["caption"] = caption
        if media_group_id is not None:
            message["media_group_id"] = media_group_id
        return self._user_message(user_id, message)

    def user_sends_document(self, user_id: int, content: bytes, file_name: str, mime_type: str,
                            caption: str | None = None) -> dict[str, Any]:
        file_id = self.add_file(content, file_name=file_name, mime_type=mime_type)
        message: dict[str, Any] = {"document": self._document(self._files[file_id])}
        if caption is not None:
            message["caption"] = caption
        return self._user_message(user_id, message)

    def user_shares_location(self, user_id: int, lat: float, lon: float, live_period: int | None = None,
                             horizontal_accuracy: float | None = None) -> dict[str, Any]:
        location = {"latitude": lat, "longitude": lon, "live_period": live_period,
                    "horizontal_accuracy": horizontal_accuracy}
        return self._user_message(user_id, {"location": {k: v for k, v in location.items() if v is not None}})

    def user_moves_live_location(self, user_id: int, message: Any, lat: float, lon: float) -> dict[str, Any]:
        """A live location moves: Telegram sends the same message again as an edited_message."""
        with self._lock:
            current = self._stored(message)
            location = current.get("location", {})
            if current["chat"]["id"] != user_id or "live_period" not in location:
                raise ValueError(f"message {current['message_id']} is not a live location shared by {user_id}")
            edited = copy.deepcopy(current)
            edited["location"].update(latitude=lat, longitude=lon)
            edited["edit_date"] = int(time.time())
            self._messages[(user_id, edited["message_id"])] = edited
            return self._queue({"edited_message": copy.deepcopy(edited)})

    def user_taps(self, user_id: int, message: Any, callback_data: str) -> dict[str, Any]:
        """The user presses an inline button of the bot's message (as it now reads, after any edits)."""
        with self._lock:
            current = self._stored(message)
            buttons = [b for row in current.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
            if current["chat"]["id"] != user_id or current["from"]["id"] != self.bot_id:
                raise ValueError(f"message {current['message_id']} is not the bot's message to {user_id}")
            if callback_data not in [b.get("callback_data") for b in buttons]:
                raise ValueError(f"no button with callback_data {callback_data!r} on message "
                                 f"{current['message_id']}; it has {[b.get('callback_data') for b in buttons]}")
            query_id = str(secrets.randbelow(10**18) + 10**18)
            self._open_callbacks.add(query_id)
            return self._queue({"callback_query": {
                "id": query_id, "from": self._users[user_id], "message": copy.deepcopy(current),
                "chat_instance": str(abs(hash((self.bot_id, user_id)))), "data": callback_data,
            }})

    def add_file(self, content: bytes, file_name: str | None = None, mime_type: str | None = None) -> str:
        """Put a file on "Telegram's servers"; returns its file_id for getFile and downloads."""
        with self._lock:
            return self._store_file(content, "documents", file_name, mime_type).file_id

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot."""
        with self._lock:
            return list(self._updates)

    # -- inspection ------------------------------------------------------------------------------------

    def messages_to(self, user_id: int, *, include_refused: bool = False) -> list[Call]:
        """Calls that sent or edited a message in the user's chat, in order."""
        with self._lock:
            return [c for c in self.calls if c.method in MESSAGE_METHODS and c.chat_id == user_id
                    and (c.ok or include_refused)]

    def last_message_to(self, user_id: int) -> Call | None:
        sent = self.messages_to(user_id)
        return sent[-1] if sent else None

    def spec_problems(self) -> list[str]:
        with self._lock:
            return [f"#{c.index} {c.method}: {p}" for c in self.calls for p in c.problems]

    async def wait_for(self, predicate: Callable[[Call], bool], timeout: float = 5.0, *, since: int = 0) -> Call:
        """The first recorded call (index >= since) matching predicate; waits for it up to timeout."""
        deadline = time.monotonic() + timeout
        while (found := self._find(predicate, since)) is None:
            if time.monotonic() > deadline:
                raise AssertionError(self._not_found(timeout))
            await asyncio.sleep(0.01)
        return found

    def wait_for_sync(self, predicate: Callable[[Call], bool], timeout: float = 5.0, *, since: int = 0) -> Call:
        """wait_for for sync tests; the server must run on its thread (with/start_in_thread)."""
        deadline = time.monotonic() + timeout
        while (found := self._find(predicate, since)) is None:
            if time.monotonic() > deadline:
                raise AssertionError(self._not_found(timeout))
            time.sleep(0.01)
        return found

    @staticmethod
    def keyboard_of(call: Call | dict[str, Any]) -> list[list[tuple[str, Any]]]:
        """Button rows as (text, action): callback_data or url of an inline button; for a reply
        keyboard button the name of its request field ("request_location", ...) or None."""
        markup = as_json(call.params.get("reply_markup") if isinstance(call, Call) else call.get("reply_markup"))
        if not isinstance(markup, dict):
            return []
        if "inline_keyboard" in markup:
            return [[(b["text"], b.get("callback_data", b.get("url"))) for b in row]
                    for row in markup["inline_keyboard"]]
        rows = []
        for row in markup.get("keyboard", []):
            rows.append([(b, None) if isinstance(b, str)
                         else (b["text"], next((k for k in b if k.startswith("request_") and b[k]), None))
                         for b in row])
        return rows

    def _find(self, predicate: Callable[[Call], bool], since: int) -> Call | None:
        with self._lock:
            return next((c for c in self.calls[since:] if predicate(c)), None)

    def _not_found(self, timeout: float) -> str:
        with self._lock:
            recent = "\n  ".join(repr(c) for c in self.calls[-15:] if c.method != "getUpdates")
        return f"no matching call within {timeout} s; recent calls (getUpdates left out):\n  {recent}"

    # -- HTTP ------------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        raw, files = await self._read_params(request)
        with self._lock:
            name = self._canonical(request.match_info["method"])
            call = Call(index=len(self.calls), method=name or request.match_info["method"],
                        params=self._decode(name, raw), time=time.monotonic(), files=files)
            self.calls.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise Refused(401, "Unauthorized")
            if name is None:
                call.problems = check_call(call.method, call.params) if spec_available() else \
                    [f"method {call.method!r} is unknown to FakeBotApi (and no spec to look it up)"]
                raise Refused(404, "Not Found")
            call.problems = check_call(name, call.params)
            if call.problems:
                raise Refused(400, f"Bad Request: {call.problems[0]}")
            if name == "getUpdates":
                result = await self._get_updates(call.params)
            else:
                with self._lock:
                    self._planned_fault(call)
                    result = self._carry_out(call)
            call.status, call.response = 200, {"ok": True, "result": result}
            if call.fault == "slow":  # delivered; the bot waits for the answer past its timeout
                await asyncio.sleep(self.faults.slow_s)
        except Refused as refusal:
            call.status, call.response = refusal.status, refusal.body()
        finally:
            call.answered = time.monotonic()
        return web.json_response(call.response, status=call.status)

    def _planned_fault(self, call: Call) -> None:
        if self.faults is None or call.method not in NEW_MESSAGE_METHODS:
            return
        call.fault = self.faults.draw(call.chat_id, call.text)
        if call.fault is not None and call.fault != "slow":
            raise Refused(*self.faults.refusal(call.fault))

    def in_flight(self, at: float, grace: float = 0.0) -> list[Call]:
        """Send calls the bot could not have recorded as answered at moment `at` (time.monotonic()):
        received by then and answered after `at - grace` (or not at all). The grace covers the answer's way
        back and the bot's own recording of it (DESIGN.md "The outbox": what counts as in flight)."""
        with self._lock:
            return [c for c in self.calls if c.method in NEW_MESSAGE_METHODS and c.time <= at
                    and (c.answered is None or c.answered > at - grace)]

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, Upload] = {}
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                params.update(body if isinstance(body, dict) else {})
            else:  # form-urlencoded or multipart/form-data
                for key, value in (await request.post()).items():
                    if isinstance(value, web.FileField):
                        files[key] = Upload(value.filename, value.content_type, value.file.read())
                    else:
                        params[key] = value
        # A file part is either named by "attach://<part>" somewhere, or is itself the parameter.
        for part in files:
            if not any(isinstance(v, str) and f"attach://{part}" in v for v in params.values()):
                params[part] = f"attach://{part}"
        return params, files

    def _canonical(self, method: str) -> str | None:
        if spec_available():
            return canonical_method(method)
        return {m[3:].lower(): m[3:] for m in dir(FakeBotApi) if m.startswith("_m_")}.get(method.lower())

    def _decode(self, method: str | None, raw: dict[str, Any]) -> dict[str, Any]:
        """Form values are strings; numbers, booleans and nested objects arrive JSON-encoded in them."""
        fields = method_fields(method) if method and spec_available() else {}
        decoded = {}
        for key, value in raw.items():
            if isinstance(value, str):
                types = fields.get(key, {}).get("types")
                text_only = set(types) <= {"String", "InputFile"} if types else key in STRING_PARAMS
                value = value if text_only else _json_or_str(value)
            decoded[key] = value
        return decoded

    async def _serve_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        with self._lock:
            stored = next((f for f in self._files.values() if f.file_path == path), None)
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    def _carry_out(self, call: Call) -> Any:
        handler = getattr(self, f"_m_{call.method}", None)
        if handler is None:
            if spec_available() and load_spec()["methods"][call.method].get("returns") == ["Boolean"]:
                return True  # a setting the stand-in need not model
            call.problems.append(f"FakeBotApi has no handler for {call.method}")
            raise Refused(500, f"Internal Server Error: FakeBotApi has no handler for {call.method}")
        try:
            return handler(call.params, call)
        except KeyError as missing:  # only reached without the spec, whose check names missing parameters
            raise Refused(400, f"Bad Request: parameter {missing.args[0]} is required") from None
        except (TypeError, ValueError) as exc:  # a value of the wrong kind, e.g. "abc" for a number
            raise Refused(400, f"Bad Request: {type(exc).__name__}: {exc}") from None

    # -- updates ---------------------------------------------------------------------------------------

    def _queue(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._new_update.set)  # wake a waiting long poll
        return update

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self._webhook_url:
            raise Refused(409, "Conflict: can't use getUpdates method while webhook is active; "
                               "use deleteWebhook to delete the webhook first")
        offset, limit = int(params.get("offset", 0)), min(max(int(params.get("limit", 100)), 1), 100)
        deadline = time.monotonic() + min(float(params.get("timeout", 0)), self.max_poll_wait)
        with self._lock:
            self._polls += 1  # a newer poll ends this one with 409, as when two bot instances run
            poll = self._polls
            self._new_update.set()  # wakes the older poll (set() releases waiters even if cleared again)
            if "allowed_updates" in params:  # remembered until the next getUpdates that names them
                self._allowed_updates = frozenset(params["allowed_updates"]) or DEFAULT_ALLOWED_UPDATES
        while True:
            self._new_update.clear()  # before looking, so an update queued meanwhile is not slept through
            with self._lock:
                if poll != self._polls:
                    raise Refused(409, "Conflict: terminated by other getUpdates request; "
                                       "make sure that only one bot instance is running")
                if offset < 0:  # "the last -offset updates; all previous ones are forgotten"
                    self._updates = self._updates[offset:]
                # confirmed updates go; so do kinds the bot did not ask for (Telegram never sends them)
                self._updates = [u for u in self._updates
                                 if u["update_id"] >= offset and _update_kind(u) in self._allowed_updates]
                batch = copy.deepcopy(self._updates[:limit])
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self._closing:
                return batch
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except TimeoutError:
                pass

    def _queue_member_change(self, user_id: int, old: str, new: str) -> dict[str, Any]:
        bot, now = self._bot_user(), int(time.time())
        return self._queue({"my_chat_member": {
            "chat": self._chat(user_id), "from": self._users[user_id], "date": now,
            "old_chat_member": {"status": old, "user": bot},
            "new_chat_member": {"status": new, "user": bot, **({"until_date": 0} if new == "kicked" else {})},
        }})

    def _user_message(self, user_id: int, content: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if user_id not in self._users:
                self.add_user(user_id, f"User {user_id}")
            if user_id in self._blocked:  # writing again means "Restart bot": unblocked
                self.unblock(user_id)
            self._started.add(user_id)
            message = self._new_message(user_id, self._users[user_id], content)
            return self._queue({"message": copy.deepcopy(message)})

    # -- chats, messages and files ---------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Apel", "username": self.username}

    def _chat(self, user_id: int) -> dict[str, Any]:
        user = self._users[user_id]
        return {"id": user_id, "type": "private",
                **{k: user[k] for k in ("first_name", "last_name", "username") if k in user}}

    def _new_message(self, chat_id: int, sender: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        # one sequence of message ids per private chat, shared by both sides as in Telegram
        message_id = next(self._message_ids.setdefault(chat_id, itertools.count(1)))
        message = {"message_id": message_id, "from": sender, "chat": self._chat(chat_id),
                   "date": int(time.time()), **content}
        self._messages[(chat_id, message_id)] = message
        return message

    def _stored(self, message: Any) -> dict[str, Any]:
        """The current state of a message given as a Call, an update or a message dict."""
        if isinstance(message, Call):
            message = message.result[0] if isinstance(message.result, list) else message.result
        if isinstance(message, dict) and "update_id" in message:
            message = message.get("message") or message.get("edited_message") or {}
        key = (message["chat"]["id"], message["message_id"]) if isinstance(message, dict) else None
        if key not in self._messages:
            raise ValueError(f"no such message: {message!r:.200}")
        return self._messages[key]

    def _writable_chat(self, chat_id: Any) -> int:
        chat_id = _as_int(chat_id)
        if chat_id not in self._users:
            raise Refused(400, "Bad Request: chat not found")
        if chat_id in self._blocked:
            raise Refused(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self._started:
            raise Refused(403, "Forbidden: bot can't initiate conversation with a user")
        return chat_id

    def _take_flood_allowance(self, chat_id: int) -> None:
        if not self.throttle:
            return
        now = time.monotonic()
        bucket = self._chat_buckets.setdefault(chat_id, _Bucket(self.burst, self.per_chat_per_second, now))
        wait = max(bucket.wait(now), self._global_bucket.wait(now))
        if wait > 0:
            self.throttled += 1
            retry_after = max(1, math.ceil(wait))
            raise Refused(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
        bucket.tokens -= 1
        self._global_bucket.tokens -= 1

    def _send(self, params: dict[str, Any], content: dict[str, Any], source: Any = None) -> dict[str, Any]:
        """Deliver a new bot message: chat checks, then flood control, then the message itself."""
        chat_id = self._writable_chat(params.get("chat_id"))
        self._take_flood_allowance(chat_id)
        markup = as_json(params.get("reply_markup"))
        if isinstance(markup, dict) and "inline_keyboard" in markup:  # only inline keyboards are echoed
            content["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        message = self._new_message(chat_id, self._bot_user(), content)
        self._sources[(chat_id, message["message_id"])] = (source, markup)
        return copy.deepcopy(message)

    def _store_file(self, content: bytes, folder: str, file_name: str | None, mime_type: str | None) -> StoredFile:
        number = next(self._file_numbers)
        suffix = PurePosixPath(file_name).suffix if file_name else (".jpg" if folder == "photos" else "")
        stored = StoredFile(file_id=f"BQACAgUAAx{number:06d}{secrets.token_urlsafe(16)}",
                            file_unique_id=f"AgAD{number:06d}", content=content,
                            file_path=f"{folder}/file_{number}{suffix}", file_name=file_name, mime_type=mime_type)
        self._files[stored.file_id] = stored
        return stored

    def _photo_sizes(self, content: bytes) -> list[dict[str, Any]]:
        return [{**self._store_file(data, "photos", None, "image/jpeg").info(), "width": w, "height": h}
                for w, h, data in _photo_variants(content)]

    @staticmethod
    def _document(stored: StoredFile) -> dict[str, Any]:
        extra = {"file_name": stored.file_name, "mime_type": stored.mime_type}
        return {**stored.info(), **{k: v for k, v in extra.items() if v}}

    def _input_file(self, call: Call, value: Any, folder: str) -> StoredFile:
        """A file the bot sends: an upload (attach://part) or the file_id of a file Telegram has."""
        if isinstance(value, str) and value.startswith("attach://"):
            upload = call.files.get(value.removeprefix("attach://"))
            if upload is None:
                raise Refused(400, f"Bad Request: no file part named {value.removeprefix('attach://')!r}")
            if not upload.content:
                raise Refused(400, "Bad Request: file must be non-empty")
            return self._store_file(upload.content, folder, upload.filename, upload.content_type)
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            raise Refused(400, "Bad Request: wrong file identifier/HTTP URL specified (FakeBotApi fetches no URLs)")
        raise Refused(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _media_content(self, call: Call, kind: str, value: Any, caption_from: dict[str, Any]) -> dict[str, Any]:
        stored = self._input_file(call, value, "photos" if kind == "photo" else "documents")
        content: dict[str, Any] = (
            {"photo": self._photo_sizes(stored.content)} if kind == "photo"
            else {kind: self._document(stored)}
        )
        if caption_from.get("caption"):
            content["caption"] = visible_text(caption_from["caption"], caption_from.get("parse_mode"))
        return content

    def _edited(self, params: dict[str, Any]) -> tuple[tuple[int, int], dict[str, Any]]:
        key = (self._writable_chat(params.get("chat_id")), _as_int(params.get("message_id")))
        message = self._messages.get(key)
        if message is None:
            raise Refused(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise Refused(400, "Bad Request: message can't be edited")
        return key, message

    def _apply_edit(self, key: tuple[int, int], message: dict[str, Any], params: dict[str, Any],
                    source: Any, changes: dict[str, Any]) -> dict[str, Any]:
        markup = as_json(params.get("reply_markup"))
        if (source, markup) == self._sources.get(key):
            raise Refused(400, NOT_MODIFIED)
        message.update(changes, edit_date=int(time.time()))
        # an edit without reply_markup removes the inline keyboard, as in Telegram
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        else:
            message.pop("reply_markup", None)
        self._sources[key] = (source, markup)
        return copy.deepcopy(message)

    # -- methods (named _m_<method> after the spec's spelling) -----------------------------------------

    def _m_getMe(self, p, call):
        return {**self._bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    def _m_getUpdates(self, p, call):  # served by _get_updates; listed so the name is known without the spec
        raise AssertionError("unreachable")

    def _m_setWebhook(self, p, call):
        self._webhook_url = p["url"]
        return True

    def _m_deleteWebhook(self, p, call):
        self._webhook_url = ""
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_getWebhookInfo(self, p, call):
        return {"url": self._webhook_url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    def _commands_key(self, p) -> str:
        return json.dumps([as_json(p.get("scope")) or {"type": "default"}, p.get("language_code", "")],
                          sort_keys=True)

    def _m_setMyCommands(self, p, call):
        commands = as_json(p["commands"])
        if not isinstance(commands, list) or len(commands) > 100:
            raise Refused(400, "Bad Request: commands must be a list of at most 100 BotCommand")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise Refused(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise Refused(400, "Bad Request: command description must be 1-256 characters")
        self._commands[self._commands_key(p)] = commands
        return True

    def _m_getMyCommands(self, p, call):
        return self._commands.get(self._commands_key(p), [])

    def _m_deleteMyCommands(self, p, call):
        self._commands.pop(self._commands_key(p), None)
        return True

    def _m_setChatMenuButton(self, p, call):
        return True

    def _m_close(self, p, call):
        return True

    def _m_logOut(self, p, call):
        return True

    def _m_sendMessage(self, p, call):
        return self._send(p, {"text": visible_text(p["text"], p.get("parse_mode"))},
                          (p["text"], str(p.get("parse_mode", "")).lower()))

    def _m_sendPhoto(self, p, call):
        return self._send(p, self._media_content(call, "photo", p["photo"], p), (p.get("caption"),))

    def _m_sendDocument(self, p, call):
        return self._send(p, self._media_content(call, "document", p["document"], p), (p.get("caption"),))

    def _m_sendLocation(self, p, call):
        location = {k: p[k] for k in ("latitude", "longitude", "horizontal_accuracy", "live_period",
                                      "heading", "proximity_alert_radius") if k in p}
        if not (-90 <= float(p["latitude"]) <= 90 and -180 <= float(p["longitude"]) <= 180):
            raise Refused(400, "Bad Request: wrong latitude or longitude")
        return self._send(p, {"location": location})

    def _m_sendMediaGroup(self, p, call):
        media = as_json(p["media"])
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise Refused(400, "Bad Request: media must contain 2-10 items")
        contents = [self._media_content(call, item.get("type", "document"), item.get("media"), item)
                    for item in media]
        chat_id = self._writable_chat(p.get("chat_id"))
        self._take_flood_allowance(chat_id)  # an album counts as one burst item
        group = str(secrets.randbelow(10**17) + 10**17)
        return [copy.deepcopy(self._new_message(chat_id, self._bot_user(), {**c, "media_group_id": group}))
                for c in contents]

    def _m_sendChatAction(self, p, call):
        self._writable_chat(p.get("chat_id"))
        if p.get("action") not in CHAT_ACTIONS:
            raise Refused(400, "Bad Request: wrong parameter action in request")
        return True

    def _m_editMessageText(self, p, call):
        if "inline_message_id" in p:
            return True
        key, message = self._edited(p)
        if "text" not in message:
            raise Refused(400, "Bad Request: there is no text in the message to edit")
        return self._apply_edit(key, message, p, (p["text"], str(p.get("parse_mode", "")).lower()),
                                {"text": visible_text(p["text"], p.get("parse_mode"))})

    def _m_editMessageCaption(self, p, call):
        if "inline_message_id" in p:
            return True
        key, message = self._edited(p)
        if not any(k in message for k in ("photo", "document", "video", "audio", "animation")):
            raise Refused(400, "Bad Request: there is no caption in the message to edit")
        caption = p.get("caption")
        if not caption:  # no caption given means "remove it"
            message.pop("caption", None)
        changes = {"caption": visible_text(caption, p.get("parse_mode"))} if caption else {}
        return self._apply_edit(key, message, p, (caption,), changes)

    def _m_editMessageReplyMarkup(self, p, call):
        if "inline_message_id" in p:
            return True
        key, message = self._edited(p)
        return self._apply_edit(key, message, p, self._sources.get(key, (None,))[0], {})

    def _m_deleteMessage(self, p, call):
        key = (self._writable_chat(p.get("chat_id")), _as_int(p.get("message_id")))
        if self._messages.pop(key, None) is None:
            raise Refused(400, "Bad Request: message to delete not found")
        return True

    def _m_answerCallbackQuery(self, p, call):
        if p.get("callback_query_id") not in self._open_callbacks:
            raise Refused(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self._open_callbacks.discard(p["callback_query_id"])
        return True

    def _source_message(self, p, verb: str) -> dict[str, Any]:
        source = self._messages.get((_as_int(p.get("from_chat_id")), _as_int(p.get("message_id"))))
        if source is None:
            raise Refused(400, f"Bad Request: message to {verb} not found")
        return source

    def _m_copyMessage(self, p, call):
        source = self._source_message(p, "copy")
        content = {k: copy.deepcopy(v) for k, v in source.items()
                   if k in ("text", "caption", "photo", "document", "location")}
        if "caption" in p:
            content["caption"] = visible_text(p["caption"], p.get("parse_mode"))
        return {"message_id": self._send(p, content)["message_id"]}

    def _m_forwardMessage(self, p, call):
        source = self._source_message(p, "forward")
        content = {k: copy.deepcopy(v) for k, v in source.items()
                   if k in ("text", "caption", "photo", "document", "location")}
        content["forward_origin"] = {"type": "user", "sender_user": source["from"], "date": source["date"]}
        return self._send(p, content)

    def _m_getFile(self, p, call):
        stored = self._files.get(p.get("file_id"))
        if stored is None:
            raise Refused(400, "Bad Request: invalid file_id")
        if len(stored.content) > GET_FILE_MAX:
            raise Refused(400, "Bad Request: file is too big")
        return {**stored.info(), "file_path": stored.file_path}
