"""The webhooks' doors: without the shared secret (Telegram) or a valid body signature (WhatsApp) nothing is
read, nothing reaches the core; the secret is compared in constant time (`hmac.compare_digest` is on the path)."""

from __future__ import annotations

import hmac
import json
import logging

import httpx
import pytest

from bot.channels.refused_calls import RefusedCalls
from bot.channels.telegram.app import webhook_asgi_app
from bot.domain.org_terms import Channel
from tests import whatsapp_payloads as wp
from tests.org_rows import STAF
from tests.telegram_fakes import TOKEN, FakeConversation, FakeSession, message, to_user, update
from tests.test_whatsapp_adapter import RUDI, RUDI_PHONE, SECRET, rig  # noqa: F401 - the fixture

TG_SECRET = "s3cret-Token_1"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
def compare_calls(monkeypatch) -> list[tuple]:
    """Every `hmac.compare_digest` call, still compared by the real function."""
    calls: list[tuple] = []
    real = hmac.compare_digest

    def recording(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    return calls


@pytest.mark.parametrize("headers", [
    {},
    {HEADER: ""},
    {HEADER: "wrong"},
    {HEADER: "s3cret-Token_2"},  # the right length, one character off
    {HEADER: TG_SECRET.upper()},
    {HEADER: TG_SECRET + "x"},
], ids=["missing", "empty", "wrong", "same-length", "case", "longer"])
async def test_telegram_refuses_without_the_right_secret_and_processes_nothing(headers, compare_calls):
    session, conversation = FakeSession(), FakeConversation()
    conversation.reply_with(to_user("Selamat pagi"))
    app = webhook_asgi_app(conversation, token=TOKEN, api_url="http://127.0.0.1:9/", session=session,
                           webhook_url="https://apel.example.go.id/telegram/webhook", secret_token=TG_SECRET)
    body = json.dumps(update(960, message=message(text="/tugas")))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        refused = await client.post("/telegram/webhook", content=body, headers=headers)
        assert refused.status_code in (401, 403) and refused.content == b""
        assert conversation.inbounds == [] and session.calls == []
        if headers:  # a given secret went through the constant-time comparison, not `==`
            assert compare_calls and compare_calls[-1] == (headers[HEADER].encode(), TG_SECRET.encode())
        right = await client.post("/telegram/webhook", content=body, headers={HEADER: TG_SECRET})
    assert right.status_code == 200 and [i.event_key for i in conversation.inbounds] == ["tg:960"]
    assert compare_calls[-1] == (TG_SECRET.encode(), TG_SECRET.encode())


@pytest.mark.parametrize("signature", [
    None,
    "",
    "sha256=" + "0" * 64,
    "sha1=" + "0" * 40,
    "wrong-secret",
    "other-body",
], ids=["missing", "empty", "zeros", "sha1", "wrong-secret", "other-body"])
async def test_whatsapp_refuses_a_missing_or_wrong_signature_and_processes_nothing(rig, signature,  # noqa: F811
                                                                                    compare_calls):
    codes = await rig.harness.codes()
    payload = wp.message(RUDI, RUDI_PHONE, wp.text(codes[STAF]))
    body = wp.encode(payload)
    if signature == "wrong-secret":
        signature = wp.sign(body, SECRET + "x")
    elif signature == "other-body":
        signature = wp.sign(body + b" ", SECRET)
    response = await rig.post(payload, signature=signature)
    assert response.status_code in (401, 403)
    assert rig.graph.calls == []
    async with rig.db.uow() as uow:
        assert await uow.people.account_person(Channel.WHATSAPP, RUDI) is None  # the code was not redeemed
    if signature is not None:
        assert compare_calls, "the signature was not compared with hmac.compare_digest"
    assert (await rig.post(payload)).status_code == 200  # the right signature opens the door
    assert compare_calls[-1][0] == compare_calls[-1][1]
    async with rig.db.uow() as uow:
        assert await uow.people.account_person(Channel.WHATSAPP, RUDI) is not None


async def test_whatsapp_verification_token_is_compared_in_constant_time(rig, compare_calls):  # noqa: F811
    wrong = await rig.http.get("/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": "guess",
                                                    "hub.challenge": "1"})
    assert wrong.status_code == 403 and compare_calls == [(b"guess", b"verify-me")]


async def test_the_log_says_when_the_webhook_is_set_and_when_the_server_stops(caplog):
    app = webhook_asgi_app(FakeConversation(), token=TOKEN, session=FakeSession(), secret_token=TG_SECRET,
                           webhook_url="https://apel.example.go.id/telegram/webhook")
    with caplog.at_level("INFO", logger="bot.channels.telegram.webhook"):
        await app.startup()
        await app.shutdown()
    assert [r.getMessage() for r in caplog.records if r.name == "bot.channels.telegram.webhook"] == [
        "the Telegram webhook is set to https://apel.example.go.id/telegram/webhook; serving updates",
        "the Telegram webhook server stops"]


class FakeMonotonic:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _refusal_lines(caplog, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger and r.levelname == "WARNING"]


async def test_telegram_wrong_secrets_are_logged_once_a_minute_per_source_with_a_count(caplog):
    app = webhook_asgi_app(FakeConversation(), token=TOKEN, session=FakeSession(), secret_token=TG_SECRET,
                           webhook_url="https://apel.example.go.id/telegram/webhook")
    app.refused._monotonic = clock = FakeMonotonic()
    body = json.dumps(update(961, message=message(text="/tugas")))
    prober = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
    other = httpx.ASGITransport(app=app, client=("198.51.100.7", 4000))
    logger = "bot.channels.telegram.webhook"
    with caplog.at_level("WARNING", logger=logger):
        async with httpx.AsyncClient(transport=prober, base_url="http://test") as client:
            for _ in range(5):  # a flood within the minute: one line
                assert (await client.post("/telegram/webhook", content=body,
                                          headers={HEADER: "guessed-secret"})).status_code == 401
            assert _refusal_lines(caplog, logger) == [
                "refused a Telegram webhook call from 203.0.113.9 (wrong secret)"]
            async with httpx.AsyncClient(transport=other, base_url="http://test") as elsewhere:
                await elsewhere.post("/telegram/webhook", content=body)  # another source has its own line
            clock.now += 61
            await client.post("/telegram/webhook", content=body, headers={HEADER: "guessed-secret"})
    assert _refusal_lines(caplog, logger) == [
        "refused a Telegram webhook call from 203.0.113.9 (wrong secret)",
        "refused a Telegram webhook call from 198.51.100.7 (no secret)",
        "refused a Telegram webhook call from 203.0.113.9 (wrong secret); 4 more from there since the line "
        "before, 61 s ago"]
    assert "guessed-secret" not in caplog.text and TG_SECRET not in caplog.text


async def test_whatsapp_bad_signatures_are_logged_once_a_minute_per_source(rig, caplog):  # noqa: F811
    payload = wp.message(RUDI, RUDI_PHONE, wp.text("halo"))
    with caplog.at_level("WARNING", logger="bot.channels.whatsapp.webhook"):
        for _ in range(20):
            assert (await rig.post(payload, signature="sha256=" + "0" * 64)).status_code == 401
    assert _refusal_lines(caplog, "bot.channels.whatsapp.webhook") == [
        "refused a WhatsApp webhook call from 127.0.0.1 (bad signature)"]
    assert "0" * 64 not in caplog.text


def test_a_flood_from_many_addresses_keeps_a_bounded_memory_and_shares_a_line(caplog):
    refused = RefusedCalls(logging.getLogger("test.refused"), "Telegram webhook", monotonic=FakeMonotonic(),
                           max_sources=3)
    with caplog.at_level("WARNING", logger="test.refused"):
        for n in range(10):
            refused.refused({"client": (f"10.0.0.{n}", 1)}, "wrong secret")
    assert _refusal_lines(caplog, "test.refused") == [
        "refused a Telegram webhook call from 10.0.0.0 (wrong secret)",
        "refused a Telegram webhook call from 10.0.0.1 (wrong secret)",
        "refused a Telegram webhook call from 10.0.0.2 (wrong secret)",
        "refused a Telegram webhook call from other sources (wrong secret)"]
    assert len(refused._windows) == 4
