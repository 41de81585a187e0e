"""The Telegram adapter through aiogram's Dispatcher, with a recording fake session instead of HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, replace

import httpx
import pytest
from aiogram import Bot, Dispatcher
from aiogram.enums import ParseMode
from aiogram.types import (
    BotCommandScopeChat,
    BotCommandScopeDefault,
    BufferedInputFile,
    FSInputFile,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
)

from bot.channels.telegram.app import build_dispatcher, run_polling, set_command_menus, webhook_asgi_app
from bot.channels.telegram.transport import TelegramTransport
from bot.channels.telegram.text_split import split_html, tg_len, visible_len
from bot.domain.org_terms import Channel
from bot.messages import Attachment, Button, LocationIn, MediaIn, Outgoing, Reply
from bot.outbox.records import Attempt, Outcome
from tests.telegram_fakes import (
    DATE,
    TOKEN,
    USER_ID,
    CommandMenu,
    FakeConversation,
    FakeSession,
    StopPolling,
    as_update,
    callback,
    fake_bot,
    message,
    person,
    to_user,
    update,
    utc,
)


class FakeOutboxDelivery:
    """Stands in for the core's outbox and its sender: what the (fake) core returns is sent at once,
    one attempt each, through the real Telegram transport; the attempts' outcomes are kept."""

    def __init__(self, transport: TelegramTransport, conversation: FakeConversation):
        self.transport = transport
        self.conversation = conversation
        self.attempts: list[Attempt] = []
        self.other: list[Outgoing] = []

    async def __call__(self, outgoings, origin) -> None:
        inbound = self.conversation.inbounds[-1] if self.conversation.inbounds else None
        target = inbound.extra.get("edit_target") if inbound else None
        for outgoing in outgoings:
            if outgoing.channel != Channel.TELEGRAM:
                self.other.append(outgoing)
                continue
            if target and outgoing.reply.edit_origin and outgoing.external_id == inbound.sender:
                outgoing, target = replace(outgoing, edit_target=target), None  # as the core keys it
            self.attempts.append(await self.transport.attempt(outgoing, 0))


@dataclass
class Rig:
    session: FakeSession
    conversation: FakeConversation
    delivery: FakeOutboxDelivery
    bot: Bot
    dp: Dispatcher

    @property
    def other(self) -> list[Outgoing]:
        return self.delivery.other

    @property
    def outcomes(self) -> list[Outcome]:
        return [a.outcome for a in self.delivery.attempts]

    async def feed(self, payload: dict) -> None:
        await self.dp.feed_update(self.bot, as_update(self.bot, payload))


@pytest.fixture
def rig() -> Rig:
    session = FakeSession()
    bot = fake_bot(session)
    conversation = FakeConversation()
    delivery = FakeOutboxDelivery(TelegramTransport(bot), conversation)
    dp = build_dispatcher(conversation, delivery)
    return Rig(session, conversation, delivery, bot, dp)


# inbound ---------------------------------------------------------------------------------------
async def test_start_command_reaches_the_core_and_the_reply_gets_html_and_inline_buttons(rig):
    rig.conversation.reply_with(to_user("Halo <b>Sari</b>", buttons=(
        (Button("Tugas hari ini", action="tasks"), Button("Lapor", action="report:1")),
        (Button("Bantuan", action="help"),),
    )))
    await rig.feed(update(501, message=message(text="/start ABCD1234EFGH5678")))

    [inbound] = rig.conversation.inbounds
    assert inbound.channel == Channel.TELEGRAM
    assert inbound.sender == str(USER_ID) and inbound.sender_name == "Sari"
    assert inbound.text == "/start ABCD1234EFGH5678"
    assert inbound.event_key == "tg:501"
    assert inbound.at == utc(DATE) and inbound.at.tzinfo is not None
    [sent] = rig.session.sent("sendMessage")
    assert sent.chat_id == USER_ID and sent.text == "Halo <b>Sari</b>"
    assert sent.parse_mode == ParseMode.HTML
    assert sent.link_preview_options.is_disabled is True
    assert isinstance(sent.reply_markup, InlineKeyboardMarkup)
    rows = [[(b.text, b.callback_data) for b in row] for row in sent.reply_markup.inline_keyboard]
    assert rows == [[("Tugas hari ini", "tasks"), ("Lapor", "report:1")], [("Bantuan", "help")]]


async def test_a_location_button_becomes_a_one_time_reply_keyboard(rig):
    rig.conversation.reply_with(to_user("Bagikan lokasi", buttons=((Button("📍 Kirim lokasi", request_location=True),),)))
    await rig.feed(update(502, message=message(text="/hadir")))

    [sent] = rig.session.sent("sendMessage")
    markup = sent.reply_markup
    assert isinstance(markup, ReplyKeyboardMarkup)
    assert markup.one_time_keyboard is True and markup.resize_keyboard is True
    [[button]] = markup.keyboard
    assert button.text == "📍 Kirim lokasi" and button.request_location is True


async def test_a_tap_is_answered_without_text_and_reaches_the_core_as_tap(rig):
    rig.conversation.reply_with(to_user("Tugas 7 selesai"))
    await rig.feed(update(503, callback_query=callback("task:7:done")))

    assert rig.session.names() == ["answerCallbackQuery", "sendMessage"]  # answered before the core ran
    answer = rig.session.calls[0]
    assert answer.callback_query_id == "cq1" and answer.text is None
    [inbound] = rig.conversation.inbounds
    assert inbound.tap == "task:7:done" and inbound.text is None
    assert inbound.sender == str(USER_ID) and inbound.event_key == "tg:503"
    assert inbound.at.tzinfo is not None


async def test_a_reply_with_edit_origin_replaces_the_tapped_message(rig):
    rig.conversation.reply_with(
        Outgoing(Channel.TELEGRAM, str(USER_ID), _editing("Tugas 7: <i>selesai</i>", ((Button("Batal", action="undo:7"),),))),
        Outgoing(Channel.TELEGRAM, str(USER_ID), _editing("Catatan terpisah")),
    )
    await rig.feed(update(504, callback_query=callback("task:7:done", message_id=77)))

    [edit] = rig.session.sent("editMessageText")
    assert (edit.chat_id, edit.message_id) == (USER_ID, 77)
    assert edit.text == "Tugas 7: <i>selesai</i>" and edit.parse_mode == ParseMode.HTML
    assert edit.reply_markup.inline_keyboard[0][0].callback_data == "undo:7"
    # only one reply of a turn may edit the message; the second is a new message
    [new] = rig.session.sent("sendMessage")
    assert new.text == "Catatan terpisah"


async def test_an_edit_that_telegram_refuses_falls_back_to_a_new_message(rig):
    rig.session.fail("editMessageText", 400, "Bad Request: message can't be edited")
    rig.conversation.reply_with(Outgoing(Channel.TELEGRAM, str(USER_ID), _editing("Sudah dicatat")))
    await rig.feed(update(505, callback_query=callback("ok")))

    assert rig.session.names() == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    assert rig.session.sent("sendMessage")[0].text == "Sudah dicatat"


async def test_an_edit_to_identical_content_is_not_sent_again(rig):
    rig.session.fail("editMessageText", 400, "Bad Request: message is not modified: specified new message content")
    rig.conversation.reply_with(Outgoing(Channel.TELEGRAM, str(USER_ID), _editing("Sudah dicatat")))
    await rig.feed(update(506, callback_query=callback("ok")))

    assert rig.session.names() == ["answerCallbackQuery", "editMessageText"]


async def test_edit_origin_on_a_message_to_someone_else_sends_a_new_message(rig):
    rig.conversation.reply_with(Outgoing(Channel.TELEGRAM, "5550002", _editing("Sari minta izin keluar")))
    await rig.feed(update(507, callback_query=callback("permit:ask")))

    assert rig.session.names() == ["answerCallbackQuery", "sendMessage"]
    assert rig.session.sent("sendMessage")[0].chat_id == 5550002


async def test_a_photo_reaches_the_core_as_its_largest_size_and_downloads_through_get_file(rig):
    rig.session.files["big"] = b"\xff\xd8jpeg-bytes" * 1000
    sizes = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 160, "file_size": 2000},
        {"file_id": "big", "file_unique_id": "b", "width": 720, "height": 1280, "file_size": 11000},
        {"file_id": "mid", "file_unique_id": "m", "width": 320, "height": 569, "file_size": 6000},
    ]
    await rig.feed(update(507, message=message(photo=sizes, caption="Rekap absensi")))

    [inbound] = rig.conversation.inbounds
    assert inbound.media == MediaIn(file_ref="big", filename=None, mime="image/jpeg", size=11000,
                                    is_photo=True, album=None)
    assert inbound.caption == "Rekap absensi"
    assert [c.file_id for c in rig.session.sent("getFile")] == ["big"]
    assert rig.session.downloads == [f"https://api.telegram.org/file/bot{TOKEN}/photos/big.jpg"]
    assert rig.conversation.fetched["big"] == rig.session.files["big"]


async def test_an_album_arrives_as_two_photos_with_one_album_key(rig):
    for n, file_id in enumerate(("p1", "p2")):
        rig.session.files[file_id] = file_id.encode()
        photo = [{"file_id": file_id, "file_unique_id": file_id, "width": 800, "height": 600}]
        await rig.feed(update(510 + n, message=message(20 + n, photo=photo, media_group_id="alb-9")))

    media = [i.media for i in rig.conversation.inbounds]
    assert [m.file_ref for m in media] == ["p1", "p2"]
    assert {m.album for m in media} == {"alb-9"} and all(m.is_photo for m in media)
    assert [i.event_key for i in rig.conversation.inbounds] == ["tg:510", "tg:511"]


async def test_a_document_keeps_its_name_type_and_size(rig):
    rig.session.files["doc-1"] = b"%PDF-1.7"
    document = {"file_id": "doc-1", "file_unique_id": "d1", "file_name": "laporan.pdf",
                "mime_type": "application/pdf", "file_size": 8}
    await rig.feed(update(512, message=message(document=document, caption="Laporan harian")))

    [inbound] = rig.conversation.inbounds
    assert inbound.media == MediaIn(file_ref="doc-1", filename="laporan.pdf", mime="application/pdf",
                                    size=8, is_photo=False, album=None)
    assert inbound.caption == "Laporan harian"
    assert rig.conversation.fetched["doc-1"] == b"%PDF-1.7"


async def test_a_single_location_pin(rig):
    pin = {"latitude": -1.6101, "longitude": 103.6131, "horizontal_accuracy": 12.5}
    await rig.feed(update(513, message=message(31, location=pin)))

    [inbound] = rig.conversation.inbounds
    assert inbound.location == LocationIn(lat=-1.6101, lon=103.6131, accuracy_m=12.5)


async def test_a_live_location_and_its_update_share_a_live_key(rig):
    first = {"latitude": -1.61, "longitude": 103.61, "live_period": 28800, "horizontal_accuracy": 20}
    await rig.feed(update(514, message=message(40, location=first)))
    moved = {"latitude": -1.6102, "longitude": 103.6133, "live_period": 28800}
    edited = message(40, location=moved, edit_date=DATE + 600)
    await rig.feed(update(515, edited_message=edited))

    start, later = rig.conversation.inbounds
    assert start.location == LocationIn(lat=-1.61, lon=103.61, accuracy_m=20, live_period_s=28800,
                                        live_key=f"{USER_ID}:40", is_update=False)
    assert later.location.is_update is True and later.location.live_key == start.location.live_key
    assert (later.location.lat, later.location.lon) == (-1.6102, 103.6133)
    assert later.at == utc(DATE + 600) and later.event_key == "tg:515"


async def test_an_edited_text_is_not_read_again(rig):
    await rig.feed(update(516, edited_message=message(41, text="/lapor (edited)", edit_date=DATE + 5)))
    assert rig.conversation.inbounds == [] and rig.session.calls == []


@pytest.mark.parametrize("payload", [
    update(520, message=message(text="/start X", chat={"id": -100123, "type": "supergroup", "title": "Kantor"})),
    update(521, message=message(text="/start X", sender=person(999, "Other", is_bot=True))),
    update(522, channel_post={"message_id": 1, "chat": {"id": -100777, "type": "channel", "title": "Info"},
                              "date": DATE, "text": "pengumuman"}),
    update(523, message=message(pinned_message={"message_id": 9, "date": 0, "chat": {"id": USER_ID, "type": "private"}})),
], ids=["group", "bot", "channel-post", "service-message"])
async def test_updates_outside_the_routine_are_ignored(rig, payload):
    await rig.feed(payload)
    assert rig.conversation.inbounds == []
    assert rig.session.calls == []


async def test_a_sticker_reaches_the_core_without_content_so_the_person_is_answered(rig):
    rig.conversation.reply_with(to_user("Jenis pesan ini tidak dapat diproses"))
    await rig.feed(update(524, message=message(sticker={"file_id": "st", "file_unique_id": "st", "type": "regular",
                                                        "width": 512, "height": 512, "is_animated": False,
                                                        "is_video": False})))
    [inbound] = rig.conversation.inbounds
    assert (inbound.text, inbound.media, inbound.location, inbound.tap) == (None, None, None, None)
    assert [m.text for m in rig.session.sent("sendMessage")] == ["Jenis pesan ini tidak dapat diproses"]


async def test_messages_for_other_channels_go_to_their_sender(rig):
    wa = Outgoing(Channel.WHATSAPP, "6281100002222", Reply("Laporan Sari masuk"))
    rig.conversation.reply_with(to_user("Terkirim"), wa)
    await rig.feed(update(530, message=message(text="/kirim")))

    assert rig.other == [wa]
    assert [m.text for m in rig.session.sent("sendMessage")] == ["Terkirim"]


# outbound --------------------------------------------------------------------------------------
async def test_a_long_reply_is_split_at_line_ends_with_the_buttons_on_the_last_part(rig):
    lines = [f"{n:03d}. <b>Tugas</b> " + "x" * 40 for n in range(100)]  # ≈ 5,500 characters
    text = "\n".join(lines)
    rig.conversation.reply_with(to_user(text, buttons=((Button("OK", action="ok"),),)))
    await rig.feed(update(540, message=message(text="/rekap")))

    parts = rig.session.sent("sendMessage")
    assert len(parts) == 2
    assert all(visible_len(p.text) <= 4096 for p in parts)
    assert "\n".join(p.text for p in parts) == text  # cut exactly at a line end, nothing lost
    assert parts[0].reply_markup is None and isinstance(parts[1].reply_markup, InlineKeyboardMarkup)


def test_a_cut_inside_a_tag_closes_and_reopens_it():
    text = "<b>" + "\n".join("baris " + str(n) * 30 for n in range(300)) + "</b>"
    parts = split_html(text, 4096)
    assert len(parts) >= 2
    assert all(p.startswith("<b>") and p.endswith("</b>") and visible_len(p) <= 4096 for p in parts)


def test_a_single_overlong_line_is_cut_between_words_not_inside_an_entity():
    text = " ".join(["kata&amp;kata"] * 800)  # one line: 10,399 characters of HTML, 7,999 for the reader
    parts = split_html(text, 4096)
    assert len(parts) == 2 and all(visible_len(p) <= 4096 for p in parts)
    assert all(not p.startswith("amp;") and not p.endswith("&") for p in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_escaped_characters_count_as_the_one_character_telegram_shows():
    # A 3,000-character announcement full of < > & (HTML-like text pasted by an admin) is 4,000 and more
    # characters of HTML, but Telegram counts its length after entity parsing: it fits in one message.
    text = "📢 <b>Pengumuman</b> dari Dr. Hj. Siti Aminah, S.E., M.Si.:\n" + "&lt;b&gt;Rapat&lt;/b&gt; &amp; apel " * 150
    assert tg_len(text) > 4096 and visible_len(text) < 4096
    assert split_html(text, 4096) == [text]


async def test_an_attachment_with_content_is_sent_as_a_document_with_the_text_as_caption(rig):
    csv = Attachment(filename="undangan.csv", content=b"nip,kode\n1,ABC\n")
    rig.conversation.reply_with(to_user("Kode undangan <b>3</b> orang", attachment=csv))
    await rig.feed(update(541, message=message(text="/undang")))

    assert rig.session.names() == ["sendDocument"]
    [doc] = rig.session.sent("sendDocument")
    assert isinstance(doc.document, BufferedInputFile)
    assert doc.document.filename == "undangan.csv" and doc.document.data == b"nip,kode\n1,ABC\n"
    assert doc.caption == "Kode undangan <b>3</b> orang" and doc.parse_mode == ParseMode.HTML


async def test_a_stored_photo_with_a_long_text_sends_the_text_first(rig, tmp_path):
    thumb = tmp_path / "thumb.jpg"
    thumb.write_bytes(b"\xff\xd8")
    long_text = "Bukti kerja " + "y" * 1100
    rig.conversation.reply_with(to_user(long_text, attachment=Attachment("thumb.jpg", path=str(thumb), is_photo=True),
                                        buttons=((Button("Setujui", action="approve:3"),),)))
    await rig.feed(update(542, message=message(text="/bukti")))

    assert rig.session.names() == ["sendMessage", "sendPhoto"]
    text, photo = rig.session.calls
    assert text.text == long_text and text.reply_markup is None
    assert isinstance(photo.photo, FSInputFile) and photo.photo.path == str(thumb)
    assert photo.caption is None and photo.reply_markup.inline_keyboard[0][0].callback_data == "approve:3"


async def test_a_429_asks_the_sender_to_wait_retry_after(rig):
    rig.session.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    rig.conversation.reply_with(to_user("Pengingat"))
    await rig.feed(update(543, message=message(text="/tugas")))

    [attempt] = rig.delivery.attempts
    assert (attempt.outcome, attempt.wait_s, attempt.parts_sent) == (Outcome.RETRY_AFTER, 7.0, 0)


async def test_a_connection_error_is_transient_and_the_token_never_shows(rig):
    rig.session.fail_network("sendMessage", f"ClientConnectorError: https://x/bot{TOKEN}/sendMessage")
    rig.conversation.reply_with(to_user("Halo"))
    await rig.feed(update(544, message=message(text="/tugas")))

    [attempt] = rig.delivery.attempts
    assert attempt.outcome is Outcome.TRANSIENT and TOKEN not in attempt.reason


async def test_a_timeout_is_uncertain_since_the_message_may_have_arrived(rig):
    rig.session.fail_network("sendMessage", "Request timeout error")
    rig.conversation.reply_with(to_user("Halo"))
    await rig.feed(update(548, message=message(text="/tugas")))

    assert rig.outcomes == [Outcome.UNCERTAIN]


async def test_a_server_error_is_transient(rig):
    rig.session.fail("sendMessage", 502, "Bad Gateway")
    rig.conversation.reply_with(to_user("Halo"))
    await rig.feed(update(549, message=message(text="/tugas")))

    assert rig.outcomes == [Outcome.TRANSIENT]


async def test_a_403_or_an_unknown_chat_is_unreachable_and_the_others_still_get_theirs(rig):
    rig.session.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    rig.conversation.reply_with(to_user("Untuk Sari"), to_user("Untuk atasan", user_id=5550002))
    await rig.feed(update(545, message=message(text="/lapor")))

    assert rig.outcomes == [Outcome.UNREACHABLE, Outcome.SENT]
    assert [(m.chat_id, m.text) for m in rig.session.sent("sendMessage")] == [
        (USER_ID, "Untuk Sari"), (5550002, "Untuk atasan")]
    rig.session.fail("sendMessage", 400, "Bad Request: chat not found")
    rig.conversation.reply_with(to_user("Untuk Sari"))
    await rig.feed(update(550, message=message(text="/lapor")))
    assert rig.outcomes[2] is Outcome.UNREACHABLE


async def test_another_bad_request_is_rejected_with_its_reason(rig):
    rig.session.fail("sendMessage", 400, "Bad Request: can't parse entities")
    rig.conversation.reply_with(to_user("Halo"))
    await rig.feed(update(546, message=message(text="/x")))
    [attempt] = rig.delivery.attempts
    assert attempt.outcome is Outcome.REJECTED and "can't parse entities" in attempt.reason


async def test_a_long_reply_resumes_after_the_parts_already_sent(rig):
    lines = [f"{n:03d}. <b>Tugas</b> " + "x" * 40 for n in range(100)]  # two messages
    transport = rig.delivery.transport
    rig.session.fail("sendMessage", 502, "Bad Gateway", after=1)
    first = await transport.attempt(to_user("\n".join(lines)), 0)
    assert (first.outcome, first.parts_sent) == (Outcome.TRANSIENT, 1)
    second = await transport.attempt(to_user("\n".join(lines)), first.parts_sent)
    assert (second.outcome, second.parts_sent) == (Outcome.SENT, 2)
    texts_sent = [m.text for m in rig.session.sent("sendMessage")]
    assert texts_sent[0].startswith("000.") and texts_sent[-1].endswith("x" * 40) and "099." in texts_sent[-1]


# menus, polling, webhook -----------------------------------------------------------------------
MENUS = [
    CommandMenu("staff", "id", [("tugas", "Tugas hari ini"), ("lapor", "Kirim laporan")], []),
    CommandMenu("staff", "en", [("tugas", "Today's tasks"), ("lapor", "Send the report")], []),
    # A chat's own menu is in the language its person chose: 701 Indonesian, 702 English.
    CommandMenu("supervisor", "id", [("tugas", "Tugas"), ("tim", "Laporan tim")], ["701"]),
    CommandMenu("supervisor", "en", [("tugas", "Tasks"), ("tim", "Team reports")], ["702"]),
    CommandMenu("admin", "en", [("tugas", "Tasks"), ("tim", "Team"), ("undang", "Invites")], ["702"]),
]


def _menu_calls(session: FakeSession) -> dict:
    calls = {}
    for c in session.sent("setMyCommands"):
        scope = "default" if isinstance(c.scope, BotCommandScopeDefault) else c.scope.chat_id
        calls[(scope, c.language_code)] = [(b.command, b.description) for b in c.commands]
    return calls


async def test_command_menus_go_to_the_default_scope_and_to_each_supervisor_and_admin_chat_in_its_language():
    """A chat's own menu used to come in the Telegram app's language (id, en, other); it is now the one
    language its person chose in Apel under every language_code, so an English app shows 701 Indonesian."""
    session = FakeSession()
    done = await set_command_menus(fake_bot(session), MENUS)

    calls = _menu_calls(session)
    staff_id = [("tugas", "Tugas hari ini"), ("lapor", "Kirim laporan")]
    staff_en = [("tugas", "Today's tasks"), ("lapor", "Send the report")]
    supervisor_id = [("tugas", "Tugas"), ("tim", "Laporan tim")]
    admin_en = [("tugas", "Tasks"), ("tim", "Team"), ("undang", "Invites")]
    assert calls == {
        ("default", "id"): staff_id, ("default", None): staff_id, ("default", "en"): staff_en,
        (701, "id"): supervisor_id, (701, None): supervisor_id, (701, "en"): supervisor_id,
        (702, "id"): admin_en, (702, None): admin_en, (702, "en"): admin_en,
    }
    assert done == len(session.sent("setMyCommands")) == 9  # 702 gets only the admin menu, once per language_code
    assert all(isinstance(c.scope, (BotCommandScopeDefault, BotCommandScopeChat)) for c in session.calls)


async def test_polling_confirms_an_update_only_after_it_was_processed():
    session = FakeSession()
    session.updates = [[update(900, message=message(text="/tugas")), update(901, message=message(11, text="/lapor"))]]
    conversation = FakeConversation(menus=MENUS[:2])
    conversation.respond = lambda inbound: [to_user("ok " + inbound.text)]

    handled_at: list[int] = []  # how many API calls had been made when each update's turn ended

    async def deliver(outgoings, origin) -> None:
        handled_at.append(len(session.calls))

    with pytest.raises(StopPolling):
        await run_polling(conversation, token=TOKEN, session=session, handle_signals=False, deliver=deliver)

    names = session.names()
    assert names[0] == "deleteWebhook" and not session.calls[0].drop_pending_updates
    assert names.count("setMyCommands") == 3
    first_poll, second_poll = session.get_updates_seen
    assert first_poll[0] is None and second_poll[0] == 902
    assert session.sent("getUpdates")[0].allowed_updates == ["message", "edited_message", "callback_query"]
    # both updates were handled (their messages stored in the outbox) before the offset confirming them
    assert len(handled_at) == 2 and all(at <= second_poll[1] for at in handled_at)
    assert [i.text for i in conversation.inbounds] == ["/tugas", "/lapor"]
    assert session.closed


def _webhook(session: FakeSession, conversation: FakeConversation):
    return webhook_asgi_app(conversation, token=TOKEN, api_url="http://127.0.0.1:9/", session=session,
                            webhook_url="https://apel.example.go.id/telegram/webhook", secret_token="s3cret-Token_1")


async def test_webhook_refuses_a_missing_or_wrong_secret_and_processes_a_correct_one():
    session, conversation = FakeSession(), FakeConversation()
    conversation.reply_with(to_user("Selamat pagi"))
    app = _webhook(session, conversation)
    body = json.dumps(update(950, message=message(text="/tugas")))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        missing = await client.post("/telegram/webhook", content=body)
        wrong = await client.post("/telegram/webhook", content=body,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_2"})
        assert (missing.status_code, wrong.status_code) == (401, 401)
        assert conversation.inbounds == [] and session.calls == []

        right = await client.post("/telegram/webhook", content=body,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"})
        health = await client.get("/health")
        garbage = await client.post("/telegram/webhook", content=b"{not json",
                                    headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"})
    assert right.status_code == 200 and health.status_code == 200 and garbage.status_code == 400
    assert [i.event_key for i in conversation.inbounds] == ["tg:950"]
    # handled (its reply stored for the outbox) before the 200; sending is the sender's work
    assert [[o.reply.text for o in out] for out in conversation.returned] == [["Selamat pagi"]]
    assert session.sent("sendMessage") == []


async def test_webhook_answers_500_when_the_core_fails_so_telegram_redelivers():
    session, conversation = FakeSession(), FakeConversation()
    conversation.fail_with = RuntimeError("database is locked")
    app = _webhook(session, conversation)
    body = json.dumps(update(951, message=message(text="/tugas")))
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        failed = await client.post("/telegram/webhook", content=body, headers=headers)
        again = await client.post("/telegram/webhook", content=body, headers=headers)
    assert (failed.status_code, again.status_code) == (500, 200)
    assert [i.event_key for i in conversation.inbounds] == ["tg:951"]


async def test_webhook_lifespan_sets_the_webhook_and_the_menus_then_closes_the_session():
    session, conversation = FakeSession(), FakeConversation(menus=MENUS[:2])
    app = _webhook(session, conversation)
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: list[dict] = []
    for kind in ("lifespan.startup", "lifespan.shutdown"):
        inbox.put_nowait({"type": kind})

    async def send(message):
        outbox.append(message)

    await app({"type": "lifespan"}, inbox.get, send)

    assert [m["type"] for m in outbox] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    [hook] = session.sent("setWebhook")
    assert hook.url == "https://apel.example.go.id/telegram/webhook" and hook.secret_token == "s3cret-Token_1"
    assert hook.allowed_updates == ["message", "edited_message", "callback_query"]
    assert len(session.sent("setMyCommands")) == 3 and session.closed


async def test_webhook_start_up_without_telegram_logs_one_line_and_fails_the_lifespan(monkeypatch, caplog):
    import bot.channels.telegram.outbound as outbound

    monkeypatch.setattr(outbound, "NETWORK_BACKOFF_S", (0.0, 0.0, 0.0))
    session, conversation = FakeSession(), FakeConversation()
    for _ in range(outbound.NETWORK_ATTEMPTS + 1):
        session.fail_network("setWebhook", "Cannot connect to host 127.0.0.1:9")
    app = _webhook(session, conversation)
    inbox: asyncio.Queue = asyncio.Queue()
    inbox.put_nowait({"type": "lifespan.startup"})
    outbox: list[dict] = []

    async def send(message):
        outbox.append(message)

    with caplog.at_level("ERROR", logger="bot.channels.telegram.webhook"):
        await app({"type": "lifespan"}, inbox.get, send)
    assert [m["type"] for m in outbox] == ["lifespan.startup.failed"]
    [record] = [r for r in caplog.records if r.name == "bot.channels.telegram.webhook"]
    assert "cannot be reached" in record.getMessage() and record.exc_info is None  # no 70-line traceback


def test_a_webhook_without_a_usable_secret_is_refused_at_construction():
    with pytest.raises(ValueError):
        webhook_asgi_app(FakeConversation(), token=TOKEN, webhook_url="https://x/telegram/webhook",
                         secret_token="", session=FakeSession())


# helpers -----------------------------------------------------------------------------------------
def _editing(text: str, buttons: tuple = ()) -> Reply:
    return Reply(text=text, buttons=buttons, edit_origin=True)


async def test_a_supervisor_who_links_gets_the_longer_menu_at_once(rig):
    from bot.services.menus import menu

    rig.conversation.menus = [menu("staff", "id"), menu("supervisor", "id", [str(USER_ID)])]
    rig.conversation.reply_with(to_user("Selamat datang"))
    await rig.feed(update(777, message=message(text="/start ABCD1234EFGH5678")))
    menus = rig.session.sent("setMyCommands")
    assert menus and all(m.scope.chat_id == USER_ID for m in menus)
    assert "tim" in [c.command for c in menus[0].commands]
    await rig.feed(update(778, message=message(text="/status")))
    assert len(rig.session.sent("setMyCommands")) == len(menus)  # only a linking /start refreshes it


async def test_choosing_a_language_sets_the_chats_menu_in_it_at_once_or_gives_it_the_default_back(rig):
    """The menu used to follow the person's new language only at the next restart (or not at all for staff)."""
    from bot.services.menus import menu

    rig.conversation.menus = [menu("staff", "id"), menu("staff", "en", [str(USER_ID)])]
    await rig.feed(update(780, callback_query=callback("lang:en")))
    chosen = rig.session.sent("setMyCommands")
    assert {(m.scope.chat_id, m.language_code) for m in chosen} == {(USER_ID, None), (USER_ID, "id"), (USER_ID, "en")}
    assert {c.description for m in chosen for c in m.commands if c.command == "tugas"} == {"Today's tasks"}

    rig.conversation.menus = [menu("staff", "id"), menu("staff", "en")]  # back to the office's language
    await rig.feed(update(781, callback_query=callback("lang:id", query_id="cq2")))
    assert len(rig.session.sent("setMyCommands")) == len(chosen)
    dropped = rig.session.sent("deleteMyCommands")
    assert {(m.scope.chat_id, m.language_code) for m in dropped} == {(USER_ID, None), (USER_ID, "id"), (USER_ID, "en")}


async def test_an_edit_without_live_period_is_the_end_of_a_live_location(rig):
    stopped = {"latitude": -1.6102, "longitude": 103.6133}  # Bot API: live_period only while active
    await rig.feed(update(517, edited_message=message(42, location=stopped, edit_date=DATE + 900)))

    [inbound] = rig.conversation.inbounds
    assert inbound.location.is_update and inbound.location.stopped and inbound.location.live_key == f"{USER_ID}:42"
