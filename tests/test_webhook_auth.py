"""The webhooks' doors: without the shared secret (Telegram) or a valid body signature (WhatsApp) nothing is
read, nothing reaches the core; the secret is compared in constant time (`hmac.compare_digest` is on the path)."""

from __future__ import annotations

import hmac
import json

import httpx
import pytest

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
