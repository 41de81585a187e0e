"""The fake Graph API refuses what the Cloud API documents as refused, so a test passing on it means a call
Meta takes (tests/fake_graph_api.py); each body below is one a real send might build."""

from __future__ import annotations

import httpx
import pytest

from tests.fake_graph_api import FakeGraphApi


def listing(rows: list[dict], *, button: str = "Pilih", section: str = "Pilihan", **extra) -> dict:
    return {"messaging_product": "whatsapp", "to": "62811", "type": "interactive",
            "interactive": {"type": "list", "body": {"text": "Pilih satu"}, **extra,
                            "action": {"button": button, "sections": [{"title": section, "rows": rows}]}}}


def buttons(*pairs: tuple[str, str]) -> dict:
    return {"messaging_product": "whatsapp", "to": "62811", "type": "interactive",
            "interactive": {"type": "button", "body": {"text": "Pilih"}, "action": {"buttons": [
                {"type": "reply", "reply": {"id": i, "title": t}} for i, t in pairs]}}}


def template(name: str, *params: str, language: str = "id") -> dict:
    return {"messaging_product": "whatsapp", "to": "62811", "type": "template", "template": {
        "name": name, "language": {"code": language},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}]}}


def row(i: int, title: str = "Baris", row_id: str | None = None) -> dict:
    return {"id": row_id or f"x:{i}", "title": f"{title} {i}"}


def test_a_list_and_buttons_within_the_limits_pass():
    assert FakeGraphApi.check(listing([row(i) for i in range(10)], footer={"text": "f" * 60})) == []
    assert FakeGraphApi.check(buttons(("a", "Ya"), ("b" * 256, "Tidak"))) == []


@pytest.mark.parametrize("body, problem", [
    (listing([row(i) for i in range(11)]), "1-10 list rows"),
    (listing([row(1, row_id="x:1"), row(2, row_id="x:1")]), "row ids must be unique"),
    (listing([row(1, row_id="x" * 201)]), "row id must be 1-200 characters"),
    (listing([row(1)], button="Buka daftar pilihan ini"), "list button must be 1-20 characters"),
    (listing([row(1)], section="Bagian yang terlalu panjang"), "section title over 24"),
    (listing([row(1)], header={"type": "text", "text": "h" * 61}), "header text must be 1-60 characters"),
    (listing([row(1)], footer={"text": "f" * 61}), "footer text must be 1-60 characters"),
    (buttons(("a", "Setujui"), ("b", "Setujui")), "button titles must be unique"),
    (buttons(("a" * 257, "Ya")), "button id must be 1-256 characters"),
    ({"messaging_product": "whatsapp", "to": "62811", "type": "template", "template": {
        "name": "apel_briefing", "language": {"code": "id"}, "components": [{"type": "body", "parameters": [
            {"type": "text", "text": "Budi\nSantoso"}]}]}}, "template parameter text has a line break"),
    (template("apel_briefing", "", "Selasa, 24 November 2026"), "template parameter text is empty"),
])
def test_what_meta_refuses_is_refused(body, problem):
    assert any(p.startswith(problem) for p in FakeGraphApi.check(body)), FakeGraphApi.check(body)


def _upload(graph: FakeGraphApi, mime: str, size: int = 10) -> httpx.Response:
    files = {"file": ("f", b"x" * size, mime), "messaging_product": (None, "whatsapp"), "type": (None, mime)}
    request = httpx.Request("POST", f"http://graph.test/v23.0/{graph.phone_id}/media", files=files,
                            headers={"authorization": f"Bearer {graph.token}"})
    request.read()
    return graph.handle(request)


def test_an_upload_is_taken_only_as_a_type_meta_lists():
    graph = FakeGraphApi()
    assert _upload(graph, "text/plain").status_code == 200
    refused = _upload(graph, "application/octet-stream")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 100
    assert _upload(graph, "image/png", 5 * 1024 * 1024 + 1).status_code == 400


def _send(graph: FakeGraphApi, body: dict) -> httpx.Response:
    request = httpx.Request("POST", f"http://graph.test/v23.0/{graph.phone_id}/messages", json=body,
                            headers={"authorization": f"Bearer {graph.token}"})
    return graph.handle(request)


def test_a_template_is_taken_only_as_registered():
    graph = FakeGraphApi()
    day = "Selasa, 24 November 2026"
    assert _send(graph, template("apel_briefing", "Budi Santoso", day)).status_code == 200
    for body, code in ((template("apel_briefing_v2", "Budi Santoso", day), 132001),  # not registered
                       (template("apel_briefing", "Budi Santoso", day, language="en"), 132001),  # not in English
                       (template("apel_briefing", "Budi Santoso"), 132000)):  # {{2}} left without a value
        refused = _send(graph, body)
        assert refused.status_code == 400 and refused.json()["error"]["code"] == code, refused.json()
    other = FakeGraphApi(templates={("apel_pagi", "en_US"): 2})  # an office's own names (WHATSAPP_TEMPLATE_*)
    assert _send(other, template("apel_pagi", "Budi Santoso", day, language="en_US")).status_code == 200
