"""Secrets never in logs: start-up with a token, polling whose network error quotes the token URL, the
webhook with a wrong and a right secret, an update that fails with the token URL in its error, invites
issued and redeemed (Telegram and WhatsApp), WhatsApp calls made with the access token, and `apel invite`:
with every logger at DEBUG, no record (message, arguments, traceback, formatted) holds the bot token,
the webhook secret, the WhatsApp token, app secret or verify token, or an invite code."""

from __future__ import annotations

import csv
import json
import logging

import httpx
import pytest
from typer.testing import CliRunner

from bot.channels.telegram.app import run_polling, webhook_asgi_app
from bot.cli.app import app as cli
from bot.cli.context import protect_secrets
from bot.settings import Settings
from tests import whatsapp_payloads as wp
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness
from tests.org_rows import KASI, STAF, small_office, write_csv
from tests.telegram_fakes import FakeConversation, FakeSession, StopPolling, message, update
from tests.test_org_import import run_import
from tests.test_whatsapp_adapter import RUDI, RUDI_PHONE, SECRET, TOKEN as WA_TOKEN, VERIFY, Rig

BOT_TOKEN = "7654321:AAHleakCheckBotTokenSecretPart_xyz"
WEBHOOK_SECRET = "leak-check-webhook_secret-42"
LOGGERS = ("", "aiogram", "aiohttp", "httpx", "httpcore", "pywa", "pywa_async", "bot", "storage", "asyncio")
SQLITE_ONLY = pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)


@pytest.fixture
def scrubbed(caplog):
    """Start-up's registration of the secrets (as `load_settings` does), undone after the test."""
    from bot import log_redaction

    factory = logging.getLogRecordFactory()
    saved = (list(log_redaction._secrets), log_redaction._previous_factory)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    protect_secrets(Settings(_env_file=None, telegram_bot_token=BOT_TOKEN, webhook_secret=WEBHOOK_SECRET,
                             whatsapp_token=WA_TOKEN, whatsapp_app_secret=SECRET, whatsapp_verify_token=VERIFY))
    yield caplog
    logging.setLogRecordFactory(factory)
    log_redaction._secrets[:], log_redaction._previous_factory = saved


def leaks(records, secrets) -> list[str]:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    found = []
    for record in records:
        shown = " ".join([formatter.format(record), repr(record.args), record.exc_text or "", str(record.msg)])
        found += [f"{record.name}: {s[:6]}… in {shown[:200]!r}" for s in secrets if s and s in shown]
    return found


def secrets(*codes: str) -> list[str]:
    return [BOT_TOKEN, BOT_TOKEN.partition(":")[2], WEBHOOK_SECRET, WA_TOKEN, SECRET, VERIFY, *codes]


async def test_polling_start_up_and_a_network_error_quoting_the_token_url(scrubbed):
    session = FakeSession()
    url = f"https://api.telegram.org/bot{BOT_TOKEN}/getUpdates"
    session.fail_network("getUpdates", f"ClientConnectorError: Cannot connect to host for {url}")
    with pytest.raises(StopPolling):
        await run_polling(FakeConversation(), token=BOT_TOKEN, session=session, handle_signals=False)
    assert any("<secret>" in r.getMessage() for r in scrubbed.records), "the failing call was not logged"
    assert leaks(scrubbed.records, secrets()) == []


@SQLITE_ONLY
async def test_webhook_invites_and_a_failing_update(scrubbed, db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    chat = ChatHarness(db, clock, tmp_path / "media")
    codes = await chat.codes()
    app = webhook_asgi_app(chat.conversation, token=BOT_TOKEN, session=FakeSession(), secret_token=WEBHOOK_SECRET,
                           webhook_url="https://apel.example.go.id/telegram/webhook")
    failing = FakeConversation()
    failing.fail_with = RuntimeError(f"POST https://api.telegram.org/bot{BOT_TOKEN}/sendMessage: timed out")
    broken = webhook_asgi_app(failing, token=BOT_TOKEN, session=FakeSession(), secret_token=WEBHOOK_SECRET,
                              webhook_url="https://apel.example.go.id/telegram/webhook")
    await app.startup()  # setWebhook carries the secret

    def post(client, number, text, secret=WEBHOOK_SECRET):
        body = json.dumps(update(number, message=message(number, text=text)))
        return client.post("/telegram/webhook", content=body, headers={"X-Telegram-Bot-Api-Secret-Token": secret})

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await post(client, 1, f"/start {codes[STAF]}", secret=WEBHOOK_SECRET[:-1] + "x")).status_code == 401
        assert (await post(client, 2, f"/start {codes[STAF]}")).status_code == 200  # redeemed
        assert (await post(client, 3, f"/start {codes[STAF]}")).status_code == 200  # used: refused
        assert (await post(client, 4, codes[KASI][::-1])).status_code == 200  # a stranger's wrong code
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=broken), base_url="http://test") as client:
        assert (await post(client, 5, "/tugas")).status_code == 500
    assert any(r.exc_text and "<secret>" in r.exc_text for r in scrubbed.records), "the failure was not logged"
    assert leaks(scrubbed.records, secrets(*codes.values(), codes[KASI][::-1])) == []


@SQLITE_ONLY
async def test_whatsapp_invite_and_calls_with_the_access_token(scrubbed, db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    rig = Rig(db, clock, tmp_path)
    try:
        codes = await rig.harness.codes()
        assert (await rig.post(wp.message(RUDI, RUDI_PHONE, wp.text(codes[STAF])), signature="sha256=00")).status_code == 401
        await rig.says(RUDI, RUDI_PHONE, wp.text(codes[STAF]))  # redeemed; the welcome goes out with the token
        await rig.says(RUDI, RUDI_PHONE, wp.text("/status"))
        handshake = await rig.http.get("/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                                            "hub.challenge": "7"})
        assert handshake.status_code == 200
    finally:
        await rig.http.aclose()
        await rig.parts.close()
    assert rig.graph.calls, "no Graph API call was made"
    assert leaks(scrubbed.records, secrets(*codes.values())) == []


@SQLITE_ONLY
def test_apel_invite_prints_no_code_and_logs_none(scrubbed, apel_env, tmp_path):
    runner = CliRunner()
    office = write_csv(tmp_path / "office.csv", small_office())
    assert runner.invoke(cli, ["org", "import", str(office)]).exit_code == 0
    out = tmp_path / "invites.csv"
    result = runner.invoke(cli, ["invite", "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    codes = [r["code"] for r in csv.DictReader(open(out, encoding="utf-8"))]
    assert len(codes) == 5 and (out.stat().st_mode & 0o077) == 0  # the file is where codes go, for its owner only
    assert not any(c in result.stdout or c in result.stderr for c in codes)
    assert leaks(scrubbed.records, secrets(*codes)) == []
