"""An in-process stand-in for the Graph API's WhatsApp endpoints: records every call, enforces the
platform's documented limits (1–3 reply buttons with unique titles of ≤ 20 characters and ids of ≤ 256; lists
of ≤ 10 rows across ≤ 10 sections, row titles ≤ 24, descriptions ≤ 72, unique row ids of ≤ 200, section titles
≤ 24, the list button ≤ 20; headers and footers ≤ 60; bodies of ≤ 1024 / 4096; template parameters without
line breaks, tabs or more than 4 spaces in a row, never empty; templates only as registered (README's five,
in "id", each with two body parameters: 132001 for another name or language, 132000 for another count); uploads only of the media types Meta lists, images ≤ 5 MB;
the 24-hour window: a non-template message outside it gets 131047) and answers with Meta's error bodies. Two ways to run it: `transport()` (httpx.MockTransport, unit tests) or `start_in_thread()` (a local
HTTP server for `apel run` as a process). People "write" with `user_wrote`, which opens their window."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

WINDOW_S = 24 * 3600
# Meta's "Supported media types" for uploads (documents, images; audio, video and stickers are never sent).
UPLOAD_TYPES = {
    "text/plain", "application/pdf", "application/msword", "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "image/jpeg", "image/png",
}
IMAGE_MAX_BYTES = 5 * 1024 * 1024
# The templates README tells the office to register (WhatsApp setup, step 4): (name, language) → body parameters.
REGISTERED_TEMPLATES = {(name, "id"): 2 for name in (
    "apel_briefing", "apel_pengingat", "apel_rekap_siap", "apel_perlu_persetujuan", "apel_pesan_baru")}


@dataclass
class GraphCall:
    index: int
    method: str
    path: str
    body: Any
    status: int
    response: Any
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def to(self) -> str | None:
        return (self.body.get("recipient") or self.body.get("to")) if isinstance(self.body, dict) else None

    @property
    def type(self) -> str | None:
        return self.body.get("type") if isinstance(self.body, dict) else None

    def shown(self) -> str:
        """What the reader sees: the text, interactive body, caption or template name."""
        b = self.body if isinstance(self.body, dict) else {}
        kind = b.get("type")
        if kind == "text":
            return b["text"]["body"]
        if kind == "interactive":
            return b["interactive"]["body"]["text"]
        if kind in ("image", "document"):
            return b[kind].get("caption") or ""
        if kind == "template":
            return b["template"]["name"]
        return ""

    def actions(self) -> list[tuple[str, str]]:
        """(id, title) of the reply buttons or list rows."""
        b = self.body if isinstance(self.body, dict) else {}
        interactive = b.get("interactive") or {}
        action = interactive.get("action") or {}
        if interactive.get("type") == "button":
            return [(x["reply"]["id"], x["reply"]["title"]) for x in action.get("buttons", [])]
        if interactive.get("type") == "list":
            return [(r["id"], r["title"]) for s in action.get("sections", []) for r in s.get("rows", [])]
        return []


TEMPLATE_PARAM_BAD = re.compile(r"[\n\t]| {5}")


def _interactive_problems(i: dict) -> list[str]:
    problems = []
    if not 0 < len(i.get("body", {}).get("text", "")) <= 1024:
        problems.append("interactive body must be 1-1024 characters")
    header = i.get("header") or {}
    if header.get("type") == "text" and not 0 < len(header.get("text") or "") <= 60:
        problems.append("header text must be 1-60 characters")
    if "footer" in i and not 0 < len((i["footer"] or {}).get("text") or "") <= 60:
        problems.append("footer text must be 1-60 characters")
    action = i.get("action", {})
    if i["type"] == "button":
        buttons = action.get("buttons", [])
        if not 1 <= len(buttons) <= 3:
            problems.append("1-3 reply buttons")
        titles = [b["reply"]["title"] for b in buttons]
        if any(not 0 < len(t) <= 20 for t in titles):
            problems.append("button title must be 1-20 characters")
        if len(set(titles)) != len(titles):
            problems.append("button titles must be unique")
        ids = [b["reply"]["id"] for b in buttons]
        if any(not 0 < len(x) <= 256 for x in ids):
            problems.append("button id must be 1-256 characters")
        if len(set(ids)) != len(ids):
            problems.append("button ids must be unique")
    elif i["type"] == "list":
        sections = action.get("sections", [])
        rows = [r for s in sections for r in s.get("rows", [])]
        if not 1 <= len(sections) <= 10:
            problems.append("1-10 sections")
        if any(len(s.get("title") or "") > 24 for s in sections) or (
                len(sections) > 1 and not all(s.get("title") for s in sections)):
            problems.append("section title over 24 characters, or missing with several sections")
        if not 1 <= len(rows) <= 10:
            problems.append("1-10 list rows across all sections")
        if any(not 0 < len(r["title"]) <= 24 or len(r.get("description") or "") > 72 for r in rows):
            problems.append("row title must be 1-24 characters, description at most 72")
        ids = [r["id"] for r in rows]
        if any(not 0 < len(x) <= 200 for x in ids):
            problems.append("row id must be 1-200 characters")
        if len(set(ids)) != len(ids):
            problems.append("row ids must be unique")
        if not 0 < len(action.get("button", "")) <= 20:
            problems.append("list button must be 1-20 characters")
    elif i["type"] == "location_request_message" and action.get("name") != "send_location":
        problems.append("location request action must be send_location")
    return problems


def error_body(code: int, message: str, details: str = "") -> dict:
    return {"error": {"message": message, "type": "OAuthException", "code": code,
                      "error_data": {"messaging_product": "whatsapp", "details": details or message},
                      "fbtrace_id": "AbCdEfGhIjKlMnOp"}}


class FakeGraphApi:
    def __init__(self, *, token: str = "EAAtest", phone_id: str = "106540352242922", base_url: str = "http://graph.test",
                 pair_gap_s: float = 0.0, templates: dict[tuple[str, str], int] | None = None):
        self.token, self.phone_id, self.base_url = token, phone_id, base_url
        self.templates = dict(REGISTERED_TEMPLATES if templates is None else templates)
        self.pair_gap_s = pair_gap_s  # > 0: a second message to one person within this gap gets 131056
        self.calls: list[GraphCall] = []
        self.windows: dict[str, float] = {}  # person → time of their last message
        self.media: dict[str, tuple[bytes, str]] = {}
        self.undeliverable: set[str] = set()
        self.uploads: dict[str, tuple[bytes, str]] = {}
        self._last_to: dict[str, float] = {}
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._server = None
        self._thread: threading.Thread | None = None

    # -- the people's side ------------------------------------------------------------------------------

    def user_wrote(self, *ids: str) -> None:
        with self._lock:
            for i in ids:
                self.windows[i] = time.time()

    def add_media(self, media_id: str, content: bytes, mime: str = "image/jpeg") -> None:
        self.media[media_id] = (content, mime)

    def sent(self, to: str | None = None, since: int = 0) -> list[GraphCall]:
        with self._lock:
            return [c for c in self.calls[since:] if c.path.endswith("/messages") and c.ok
                    and (to is None or c.to == to)]

    # -- httpx ---------------------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return self._record(request, path, None, 401, error_body(190, "Invalid OAuth access token."))
        if path.startswith("/media-download/"):
            found = self.media.get(path.rsplit("/", 1)[1]) or self.uploads.get(path.rsplit("/", 1)[1])
            if found is None:
                return self._record(request, path, None, 404, error_body(100, "Media not found"))
            self._record(request, path, None, 200, {"bytes": len(found[0])})
            return httpx.Response(200, content=found[0], headers={"content-type": found[1]})
        match = re.fullmatch(r"/v[\d.]+/(?P<node>[^/]+)(?:/(?P<edge>messages|media))?", path)
        if match is None:
            return self._record(request, path, None, 404, error_body(100, "Unknown path"))
        node, edge = match["node"], match["edge"]
        if edge == "media" and request.method == "POST":
            return self._upload(request, path)
        if edge is None and request.method == "GET":
            found = self.media.get(node) or self.uploads.get(node)
            if found is None:  # what Meta says for an expired or unknown media id
                return self._record(request, path, None, 400, error_body(
                    100, "Unsupported get request. Object with ID '%s' does not exist" % node))
            content, mime = found
            return self._record(request, path, None, 200, {
                "messaging_product": "whatsapp", "url": f"{self.base_url}/media-download/{node}", "mime_type": mime,
                "sha256": hashlib.sha256(content).hexdigest(), "file_size": len(content), "id": node})
        if edge == "messages" and request.method == "POST" and node == self.phone_id:
            return self._message(request, path, json.loads(request.content))
        return self._record(request, path, None, 400, error_body(100, "Unsupported request"))

    def _upload(self, request: httpx.Request, path: str) -> httpx.Response:
        found = re.search(rb"Content-Type: ([\w/.+-]+)\r\n\r\n", request.content)
        mime = found.group(1).decode() if found else "application/octet-stream"
        body = {"upload": len(request.content), "mime_type": mime}
        if mime not in UPLOAD_TYPES:
            return self._record(request, path, body, 400, error_body(
                100, "(#100) Param file must be a file with one of the following types: " + ", ".join(sorted(UPLOAD_TYPES))),
                [f"upload of unsupported type {mime}"])
        if mime.startswith("image/") and len(request.content) > IMAGE_MAX_BYTES:
            return self._record(request, path, body, 400, error_body(131053, "Media upload error",
                                                                     "image over 5 MB"), ["image over 5 MB"])
        media_id = f"up-{next(self._ids)}"
        self.uploads[media_id] = (request.content, mime)
        return self._record(request, path, body, 200, {"id": media_id})

    def _message(self, request: httpx.Request, path: str, body: dict) -> httpx.Response:
        to = body.get("recipient") or body.get("to")
        problems = self.check(body)
        if problems:
            return self._record(request, path, body, 400, error_body(131009, "Parameter value is not valid",
                                                                     "; ".join(problems)), problems)
        if body.get("type") == "template":
            refused = self._template_refusal(body["template"])
            if refused is not None:
                return self._record(request, path, body, 400, refused, [refused["error"]["message"]])
        with self._lock:
            if to in self.undeliverable:
                return self._record(request, path, body, 400, error_body(131026, "Message undeliverable"))
            opened = self.windows.get(to)
            if body.get("type") != "template" and (opened is None or time.time() - opened > WINDOW_S):
                return self._record(request, path, body, 400, error_body(
                    131047, "Re-engagement message",
                    "Message failed to send because more than 24 hours have passed since the customer last replied"))
            now = time.monotonic()
            if self.pair_gap_s and now - self._last_to.get(to, -1e9) < self.pair_gap_s:
                return self._record(request, path, body, 400, error_body(
                    131056, "(Business Account, Consumer Account) pair rate limit hit"))
            self._last_to[to] = now
        contact = {"input": to, "user_id": to} if body.get("recipient") else {"input": to, "wa_id": to}
        return self._record(request, path, body, 200, {"messaging_product": "whatsapp", "contacts": [contact],
                                                        "messages": [{"id": f"wamid.fake{next(self._ids):06d}"}]})

    def _template_refusal(self, template: dict) -> dict | None:
        """Meta's answer to a template that is not registered as sent (name and language), or that carries
        another number of body parameters than its text has placeholders."""
        key = (template.get("name"), (template.get("language") or {}).get("code"))
        if key not in self.templates:
            return error_body(132001, "(#132001) Template name does not exist in the translation",
                              f"template name ({key[0]}) does not exist in {key[1]}")
        given = sum(len(c.get("parameters") or []) for c in template.get("components") or []
                    if c.get("type") == "body")
        if given != self.templates[key]:
            return error_body(132000, "(#132000) Number of parameters does not match the expected number of params",
                              f"body: number of localizable_params ({given}) does not match the expected number "
                              f"of params ({self.templates[key]})")
        return None

    @staticmethod
    def check(body: dict) -> list[str]:
        """What the Cloud API refuses in a message body (131009)."""
        problems = []
        kind = body.get("type")
        if body.get("messaging_product") != "whatsapp":
            problems.append("messaging_product must be whatsapp")
        if kind == "text" and not 0 < len(body["text"]["body"]) <= 4096:
            problems.append("text.body must be 1-4096 characters")
        if kind == "interactive":
            problems += _interactive_problems(body["interactive"])
        if kind in ("image", "document") and len(body[kind].get("caption") or "") > 1024:
            problems.append("caption over 1024 characters")
        if kind == "document" and "filename" in body["document"] and not (body["document"]["filename"] or "").strip():
            problems.append("document filename is empty")
        if kind == "template":
            for component in body["template"].get("components") or []:
                for parameter in component.get("parameters") or []:
                    if parameter.get("type") == "text" and TEMPLATE_PARAM_BAD.search(parameter.get("text") or ""):
                        problems.append("template parameter text has a line break, a tab or over 4 spaces in a row")
                    if parameter.get("type") == "text" and not parameter.get("text"):
                        # Meta: (#100) Parameter 'text' is mandatory for component parameter type 'text'
                        problems.append("template parameter text is empty")
        return problems

    def _record(self, request, path, body, status, response, problems=()) -> httpx.Response:
        with self._lock:
            self.calls.append(GraphCall(len(self.calls), request.method, path, body, status, response, list(problems)))
        return httpx.Response(status, json=response)

    # -- as a local server (end-to-end tests) ------------------------------------------------------------

    async def _asgi(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        url = f"{self.base_url}{scope['path']}" + (f"?{scope['query_string'].decode()}" if scope["query_string"] else "")
        request = httpx.Request(scope["method"], url, headers=[(k, v) for k, v in scope["headers"]],
                                content=b"".join(chunks))
        response = self.handle(request)
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": [(b"content-type", response.headers.get("content-type", "application/json").encode())]})
        await send({"type": "http.response.body", "body": response.content})

    def start_in_thread(self) -> FakeGraphApi:
        import socket

        import uvicorn

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self._server = uvicorn.Server(uvicorn.Config(self._asgi, log_level="warning", lifespan="off", interface="asgi3"))
        self._thread = threading.Thread(target=lambda: asyncio.run(self._server.serve(sockets=[sock])), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(10)
            self._server = None
