"""The Telegram Bot API stand-in itself: it answers aiogram as Telegram does, refusals included."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import textwrap
import time

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from PIL import Image

from tests.bot_api_spec import check_call, require_spec
from tests.fake_bot_api import FakeBotApi, LoopbackSession

TOKEN = "123:ABC"
BUDI = 42


@pytest.fixture
async def api():
    async with FakeBotApi(token=TOKEN, throttle=False, max_poll_wait=0.2) as server:
        server.add_user(BUDI, "Budi", username="budi")
        yield server


@pytest.fixture
async def bot(api):
    # What the bot does: aiogram's own session pointed at the stand-in (LoopbackSession only skips a
    # 250 ms pause on close that matters for TLS, not for 127.0.0.1).
    async with Bot(TOKEN, session=LoopbackSession(api=TelegramAPIServer.from_base(api.url))) as client:
        yield client


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(buttons)])


def png(width: int = 1000, height: int = 750) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(buffer, "PNG")
    return buffer.getvalue()


async def test_get_me_describes_the_bot(bot):
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.first_name, me.username) == (123, True, "Apel", "ApelTestBot")


async def test_send_message_with_html_and_inline_keyboard(api, bot):
    api.user_sends_text(BUDI, "/start")
    sent = await bot.send_message(
        BUDI, "<b>Apel pagi</b> &amp; <a href=\"https://x.id?a=1&amp;b=2\">laporan</a>", parse_mode="HTML",
        reply_markup=keyboard(InlineKeyboardButton(text="Hadir", callback_data="hadir:1")),
    )
    assert sent.text == "Apel pagi & laporan"
    assert sent.message_id == 2  # the user's /start was message 1 of this chat
    assert sent.chat.id == BUDI and sent.from_user.id == 123
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "hadir:1"
    call = api.last_message_to(BUDI)
    assert api.keyboard_of(call) == [[("Hadir", "hadir:1")]]
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Hadir"  # decoded from the form
    assert api.spec_problems() == []


async def test_get_updates_delivers_in_order_and_forgets_confirmed(api, bot):
    api.user_sends_text(BUDI, "/start@ApelTestBot mulai")
    api.user_sends_text(BUDI, "halo")
    first, second = await bot.get_updates(timeout=0)
    assert first.update_id + 1 == second.update_id
    assert first.message.text == "/start@ApelTestBot mulai" and first.message.from_user.first_name == "Budi"
    assert [(e.type, e.offset, e.length) for e in first.message.entities] == [("bot_command", 0, 18)]
    assert second.message.entities is None and second.message.message_id == 2

    began = time.monotonic()
    assert await bot.get_updates(offset=second.update_id + 1, timeout=30) == []  # capped at max_poll_wait
    assert time.monotonic() - began < 1

    async def tap_soon():
        await asyncio.sleep(0.05)
        sent = await bot.send_message(BUDI, "Pilih", reply_markup=keyboard(
            InlineKeyboardButton(text="Ya", callback_data="ya")))
        api.user_taps(BUDI, sent.model_dump(), "ya")

    waiting = asyncio.create_task(bot.get_updates(offset=second.update_id + 1, timeout=30))
    await tap_soon()
    (tap,) = await waiting  # the long poll wakes for the new update
    assert tap.callback_query.data == "ya" and tap.callback_query.message.text == "Pilih"
    assert await bot.answer_callback_query(tap.callback_query.id)


async def test_a_second_poller_ends_the_first_with_409(api, bot):
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await asyncio.sleep(0.05)
    assert await bot.get_updates(timeout=0) == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await first


async def test_a_photo_the_user_sends_can_be_downloaded(api, bot):
    content = png()
    api.user_sends_photo(BUDI, content, caption="Selfie apel")
    (update,) = await bot.get_updates()
    sizes = update.message.photo
    assert [s.width for s in sizes] == sorted(s.width for s in sizes) and sizes[-1].width == 1000
    assert update.message.caption == "Selfie apel"
    downloaded = await bot.download(sizes[-1].file_id)
    assert downloaded.read() == content


async def test_live_location_moves_as_an_edited_message(api, bot):
    shared = api.user_shares_location(BUDI, -6.2, 106.8, live_period=900, horizontal_accuracy=20)
    moved = api.user_moves_live_location(BUDI, shared, -6.21, 106.81)
    first, second = await bot.get_updates()
    assert first.message.location.live_period == 900
    assert second.edited_message.message_id == first.message.message_id
    assert (second.edited_message.location.latitude, second.edited_message.edit_date is not None) == (-6.21, True)
    assert moved["edited_message"]["location"]["longitude"] == 106.81


async def test_uploads_json_and_form_bodies_are_understood(api, bot):
    api.user_sends_text(BUDI, "/start")
    photo = await bot.send_photo(BUDI, photo=_input_file(png(400, 300)), caption="<i>Bukti</i>", parse_mode="HTML")
    assert photo.caption == "Bukti" and photo.photo[-1].width == 400
    again = await bot.send_photo(BUDI, photo=photo.photo[-1].file_id)  # resent by file_id
    assert again.photo[-1].file_id
    async with aiohttp.ClientSession() as http:
        as_json = await (await http.post(f"{api.url}/bot{TOKEN}/SENDMESSAGE", json={"chat_id": BUDI, "text": "j"})).json()
        as_form = await (await http.post(f"{api.url}/bot{TOKEN}/sendMessage", data={"chat_id": str(BUDI), "text": "f"})).json()
    assert as_json["ok"] and as_form["ok"] and as_form["result"]["text"] == "f"
    assert [c.method for c in api.messages_to(BUDI)][-2:] == ["sendMessage", "sendMessage"]  # canonical spelling
    assert api.spec_problems() == []


def _input_file(content: bytes):
    from aiogram.types import BufferedInputFile

    return BufferedInputFile(content, filename="bukti.png")


# -- refusals -------------------------------------------------------------------------------------------


class SendMesage(TelegramMethod[bool]):
    """A misspelt method, as a typo in a raw call would produce."""

    __returning__ = bool
    __api_method__ = "sendMesage"
    chat_id: int
    text: str


async def test_unknown_method_is_not_found(api, bot):
    with pytest.raises(TelegramNotFound, match="Not Found"):
        await bot(SendMesage(chat_id=BUDI, text="x"))


async def test_unknown_parameter_is_refused(api, bot):
    require_spec()
    api.user_sends_text(BUDI, "/start")
    with pytest.raises(TelegramBadRequest, match="unknown parameter 'colour'"):
        await bot(SendMessage(chat_id=BUDI, text="x", colour="red"))
    assert api.spec_problems() == ["#0 sendMessage: unknown parameter 'colour' of sendMessage"]


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("<b>unclosed", "HTML", 'can\'t parse entities: Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", "HTML", "can't parse entities: Unmatched end tag"),
        ("nilai 1 < 2", "HTML", "can't parse entities: Unsupported start tag \"\" at byte offset 8"),
        ("baris<br>baru", "HTML", 'can\'t parse entities: Unsupported start tag "br"'),
        ("R&D", "HTML", "can't parse entities: unescaped \"&\""),
        ("", None, "message text is empty"),
        ("<b> </b>", "HTML", "message text is empty"),
        ("x" * 4097, None, "message text is too long"),
        ("📋" * 2049, None, "message text is too long (4098 UTF-16 units"),
    ],
)
async def test_bad_text_is_refused(api, bot, text, parse_mode, error):
    api.user_sends_text(BUDI, "/start")
    with pytest.raises(TelegramBadRequest) as refused:
        await bot.send_message(BUDI, text, parse_mode=parse_mode)
    assert refused.value.message.startswith(f"Bad Request: {error}")
    assert api.messages_to(BUDI) == []


async def test_html_counts_only_visible_text(api, bot):
    api.user_sends_text(BUDI, "/start")
    sent = await bot.send_message(BUDI, "<b>" + "&lt;" * 4096 + "</b>", parse_mode="HTML")
    assert len(sent.text) == 4096


async def test_emoji_count_twice_toward_the_limit(api, bot):
    api.user_sends_text(BUDI, "/start")
    sent = await bot.send_message(BUDI, "📋" * 2048)
    assert len(sent.text) == 2048
    assert "message caption is too long" in check_call("sendPhoto", {"chat_id": 1, "photo": "id", "caption": "📋" * 513})[0]


async def test_callback_data_over_64_bytes_is_refused(api, bot):
    api.user_sends_text(BUDI, "/start")
    await bot.send_message(BUDI, "ok", reply_markup=keyboard(InlineKeyboardButton(text="é", callback_data="é" * 32)))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(BUDI, "x", reply_markup=keyboard(InlineKeyboardButton(text="a", callback_data="a" * 65)))


def test_keyboard_rules_of_check_call():
    no_action = {"inline_keyboard": [[{"text": "Tombol"}]]}
    assert any("Text buttons are unallowed" in p for p in check_call("sendMessage", {
        "chat_id": 1, "text": "x", "reply_markup": no_action}))
    location = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Kirim lokasi", request_location=True)]])
    params = {"chat_id": 1, "text": "x", "reply_markup": location.model_dump_json(exclude_none=True)}
    assert check_call("sendMessage", params) == []
    assert FakeBotApi.keyboard_of(params) == [[("Kirim lokasi", "request_location")]]
    assert "message caption is too long" in check_call("sendPhoto", {"chat_id": 1, "photo": "id", "caption": "x" * 1025})[0]


def test_inline_keyboards_over_100_buttons_or_8_a_row_are_refused():
    def markup(rows: int, per_row: int) -> dict:
        return {"inline_keyboard": [[{"text": f"{r}.{c}", "callback_data": f"{r}:{c}"} for c in range(per_row)]
                                    for r in range(rows)]}

    assert check_call("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": markup(25, 4)}) == []
    assert "reply markup is too long" in check_call("sendMessage", {"chat_id": 1, "text": "x",
                                                                    "reply_markup": markup(101, 1)})[0]
    assert "reply markup is too long" in check_call("sendMessage", {"chat_id": 1, "text": "x",
                                                                    "reply_markup": markup(1, 9)})[0]


async def test_chats_that_never_started_the_bot_or_blocked_it_are_forbidden(api, bot):
    api.add_user(7, "Sari")
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot can't initiate conversation with a user"):
        await bot.send_message(7, "Halo")
    api.user_sends_text(7, "/start")
    api.block(7)
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(7, "Halo")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(99, "Halo")
    kinds = [next(k for k in u if k != "update_id") for u in api.pending_updates]
    assert kinds == ["message", "my_chat_member"]


async def test_wrong_token_is_unauthorized(api):
    async with Bot("999:WRONG", session=AiohttpSession(api=TelegramAPIServer.from_base(api.url))) as stranger:
        with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
            await stranger.get_me()


async def test_stale_callbacks_unchanged_edits_and_unknown_files_are_refused(api, bot):
    api.user_sends_text(BUDI, "/start")
    sent = await bot.send_message(BUDI, "Pilih", reply_markup=keyboard(InlineKeyboardButton(text="Ya", callback_data="ya")))
    with pytest.raises(TelegramBadRequest, match="query is too old and response timeout expired or query ID is invalid"):
        await bot.answer_callback_query("424242")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Pilih", chat_id=BUDI, message_id=sent.message_id, reply_markup=sent.reply_markup)
    edited = await bot.edit_message_text("Terima kasih", chat_id=BUDI, message_id=sent.message_id)
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")
    with pytest.raises(TelegramBadRequest, match="file is too big"):
        await bot.get_file(api.add_file(b"\0" * (20 * 1024 * 1024 + 1), file_name="besar.bin"))


async def test_a_burst_to_one_chat_gets_429_with_retry_after():
    async with FakeBotApi(token=TOKEN, burst=3, per_chat_per_second=1) as api:
        api.user_sends_text(BUDI, "/start")
        async with api.bot() as client:
            for n in range(3):
                await client.send_message(BUDI, f"pesan {n}")
            with pytest.raises(TelegramRetryAfter) as throttled:
                await client.send_message(BUDI, "satu lagi")
    assert throttled.value.retry_after == 1
    assert throttled.value.message.endswith("Original description: Too Many Requests: retry after 1")
    assert api.throttled == 1 and len(api.messages_to(BUDI)) == 3


async def test_too_many_messages_overall_get_429():
    async with FakeBotApi(token=TOKEN, global_per_second=5) as api:
        for user in range(1, 7):
            api.user_sends_text(user, "/start")
        async with api.bot() as client:
            for user in range(1, 6):
                await client.send_message(user, "pengumuman")
            with pytest.raises(TelegramRetryAfter):
                await client.send_message(6, "pengumuman")


# A bot as small as it gets (standard library only, so the subprocess starts at once): long polling,
# answering each text in italics.
ECHO_BOT = textwrap.dedent("""
    import html, json, os, urllib.error, urllib.request

    def call(method, **params):
        request = urllib.request.Request(f"{os.environ['TELEGRAM_API_URL']}/bot{os.environ['TOKEN']}/{method}",
                                         json.dumps(params).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=40) as response:
            return json.load(response)["result"]

    offset = 0
    while True:
        for update in call("getUpdates", offset=offset, timeout=30):
            offset = update["update_id"] + 1
            message = update["message"]
            call("sendMessage", chat_id=message["chat"]["id"], text=f"<i>{html.escape(message['text'])}</i>",
                 parse_mode="HTML")
""")


def test_a_sync_test_drives_a_bot_in_a_subprocess():
    with FakeBotApi(token=TOKEN) as api:  # served from its own thread while this test blocks
        api.add_user(BUDI, "Budi")
        api.user_sends_text(BUDI, "a < b")
        env = {**os.environ, "TOKEN": TOKEN, "TELEGRAM_API_URL": api.url}
        bot = subprocess.Popen([sys.executable, "-c", ECHO_BOT], env=env)
        try:
            reply = api.wait_for_sync(lambda c: c.method == "sendMessage" and c.chat_id == BUDI, timeout=15)
            api.user_sends_text(BUDI, "lagi")
            since = reply.index + 1
            again = api.wait_for_sync(lambda c: c.method == "sendMessage", timeout=15, since=since)
        finally:
            bot.terminate()
            bot.wait(10)
        assert reply.ok and reply.result["text"] == "a < b" and reply.text == "<i>a &lt; b</i>"
        assert again.result["text"] == "lagi" and again.result["message_id"] == 4
        assert api.spec_problems() == []
