"""The WhatsApp adapter: signed webhook payloads posted into its ASGI app, the Graph API calls it makes
checked on an in-process fake (httpx.MockTransport), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy import text

from bot.channels.whatsapp.app import build, webhook_of
from bot.channels.whatsapp.buttons import choices_of, numbered_answer
from bot.channels.whatsapp.markup import split, to_whatsapp
from bot.channels.whatsapp.outbound import document_mime
from bot.channels.whatsapp.webhook import Mounted
from bot.domain.org_terms import Channel
from bot.messages import Button, Outgoing, Reply, ReplyKind, Urgency
from bot.settings import Settings
from tests import whatsapp_payloads as wp
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, jpeg
from tests.database_outage import FakeDatabaseOutage
from tests.fake_graph_api import UPLOAD_TYPES, FakeGraphApi
from tests.org_rows import KABID, KASI, STAF, small_office
from tests.test_org_import import run_import

SECRET, VERIFY, TOKEN = "app-secret-for-tests", "verify-me", "EAAtest"
RUDI, RUDI_PHONE = "ID.1000000000000001", "6281234500001"
DEWI, DEWI_PHONE = "ID.1000000000000002", "6281234500002"


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class Rig:
    def __init__(self, db, clock, tmp_path, after_turn=None):
        self.db, self.clock = db, clock
        self.graph = FakeGraphApi(token=TOKEN, phone_id=wp.PHONE_ID)
        self.harness = ChatHarness(db, clock, tmp_path / "media", channel=Channel.WHATSAPP)
        self.settings = Settings(_env_file=None, whatsapp_token=TOKEN, whatsapp_phone_id=wp.PHONE_ID,
                                 whatsapp_app_secret=SECRET, whatsapp_verify_token=VERIFY)
        self.sleeps = Sleeps()
        self.parts = build(self.settings, self.harness.conversation, db.engine, transport=self.graph.transport(),
                           sleep=self.sleeps, after_turn=after_turn)
        self.app = webhook_of(self.settings, self.parts)
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://apel.test")

    async def post(self, payload: dict, *, signature: str | None = "good") -> httpx.Response:
        body = wp.encode(payload)
        headers = {"content-type": "application/json"}
        if signature == "good":
            headers["x-hub-signature-256"] = wp.sign(body, SECRET)
        elif signature is not None:
            headers["x-hub-signature-256"] = signature
        for entry in payload["entry"]:
            for change in entry["changes"]:
                for m in change["value"].get("messages", []):
                    self.graph.user_wrote(m["from_user_id"])
        return await self.http.post("/whatsapp", content=body, headers=headers)

    async def says(self, user: str, wa_id: str, body: dict, **kw) -> list:
        mark = len(self.graph.calls)
        response = await self.post(wp.message(user, wa_id, body, **kw))
        assert response.status_code == 200, response.text
        return self.graph.sent(since=mark)


@pytest.fixture
async def rig(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    rig = Rig(db, clock, tmp_path)
    yield rig
    await rig.http.aclose()
    await rig.parts.close()


@pytest.fixture
async def bot_rig(db, clock, tmp_path):
    """The adapter as the bot runs it (after_turn set): each turn's messages, queued in the outbox, are
    recorded in `rig.woken` instead of being sent inside the webhook call."""
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    woken: list[list[Outgoing]] = []

    async def wake(outgoings):
        woken.append(list(outgoings))

    rig = Rig(db, clock, tmp_path, after_turn=wake)
    rig.woken = woken
    yield rig
    await rig.http.aclose()
    await rig.parts.close()


async def onboard(rig: Rig, user: str, wa_id: str, nip: str) -> list:
    codes = await rig.harness.codes()
    return await rig.says(user, wa_id, wp.text(codes[nip]))


def shown(calls) -> str:
    return "\n".join(c.shown() for c in calls)


# the webhook's doors ---------------------------------------------------------------------------------

async def test_verification_handshake(rig):
    ok = await rig.http.get("/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                                 "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = await rig.http.get("/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": "guess",
                                                    "hub.challenge": "1"})
    assert wrong.status_code == 403


async def test_unsigned_and_badly_signed_updates_are_refused_and_change_nothing(rig):
    codes = await rig.harness.codes()
    payload = wp.message(RUDI, RUDI_PHONE, wp.text(codes[STAF]))
    assert (await rig.post(payload, signature=None)).status_code == 401
    assert (await rig.post(payload, signature="sha256=" + "0" * 64)).status_code == 401
    assert rig.graph.calls == []
    async with rig.db.uow() as uow:
        assert await uow.people.account_person(Channel.WHATSAPP, RUDI) is None


# onboarding and the day -------------------------------------------------------------------------------

async def test_invite_code_as_first_message_links_and_asks_for_a_location_pin(rig):
    sent = await onboard(rig, RUDI, RUDI_PHONE, STAF)
    assert "Selamat datang" in shown(sent) and "Rudi Hartono" in shown(sent)
    ask = sent[-1]
    assert ask.type == "interactive" and ask.body["interactive"]["type"] == "location_request_message"
    assert ask.to == RUDI  # replies go to the business-scoped user id, not the phone
    async with rig.db.uow() as uow:
        assert await uow.people.account_person(Channel.WHATSAPP, RUDI) is not None
    pinned = await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    assert "Lokasi rumah tersimpan" in shown(pinned)


async def test_the_help_on_whatsapp_asks_for_a_location_pin_not_a_live_location(rig):
    # /bantuan said "bagikan lokasi (boleh lokasi langsung)": the Cloud API delivers no live location, so a
    # person who shared one as told got "jenis pesan ini tidak dapat diproses" and no fix of the day.
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    help_id = shown(await rig.says(RUDI, RUDI_PHONE, wp.text("/bantuan")))
    assert "boleh lokasi langsung" not in help_id and "Kirim lokasi Anda saat ini" in help_id, help_id
    await rig.says(RUDI, RUDI_PHONE, wp.button_reply("lang:en"))
    help_en = shown(await rig.says(RUDI, RUDI_PHONE, wp.text("/help")))
    assert "a live location is fine" not in help_en and "Send your current location" in help_en, help_en


async def test_a_redelivered_message_is_handled_once(rig):
    codes = await rig.harness.codes()
    payload = wp.message(RUDI, RUDI_PHONE, wp.text(codes[STAF]))
    await rig.post(payload)
    count = len(rig.graph.calls)
    assert (await rig.post(payload)).status_code == 200
    assert len(rig.graph.calls) == count


async def test_a_message_while_the_database_is_unavailable_gets_500_and_its_redelivery_is_handled_once(rig):
    codes = await rig.harness.codes()
    payload = wp.message(RUDI, RUDI_PHONE, wp.text(codes[STAF]))
    outage = FakeDatabaseOutage(rig.db)
    await outage.start()
    during = await rig.post(payload)
    outage.end()
    assert during.status_code == 500 and rig.graph.calls == []  # not 2xx: Meta delivers it again
    assert (await rig.post(payload)).status_code == 200
    assert "Selamat datang" in shown(rig.graph.calls)
    count = len(rig.graph.calls)
    assert (await rig.post(payload)).status_code == 200
    assert len(rig.graph.calls) == count


async def test_photo_and_document_are_downloaded_through_the_media_api(rig):
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    photo = jpeg()
    rig.graph.add_media("media-photo-1", photo)
    received = await rig.says(RUDI, RUDI_PHONE, wp.image("media-photo-1"))
    assert "diterima" in shown(received).lower()
    paths = [c.path for c in rig.graph.calls if c.method == "GET"]
    assert "/v23.0/media-photo-1" in paths and "/media-download/media-photo-1" in paths
    rig.graph.add_media("media-doc-1", b"%PDF-1.4 laporan", "application/pdf")
    doc = await rig.says(RUDI, RUDI_PHONE, wp.document("media-doc-1", "laporan.pdf"))
    assert doc and "/v23.0/media-doc-1" in [c.path for c in rig.graph.calls]


async def test_an_expired_media_id_gets_a_polite_ask_to_send_again(rig):
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    answer = await rig.says(RUDI, RUDI_PHONE, wp.image("media-gone"))
    assert answer and all(c.ok for c in answer)
    failed = [c for c in rig.graph.calls if c.path == "/v23.0/media-gone"]
    assert failed and failed[0].status == 400
    assert "kirim" in shown(answer).lower()


# buttons within WhatsApp's limits -----------------------------------------------------------------------

def _reply(n: int, label: str = "Pilihan") -> Reply:
    return Reply("<b>Pilih</b> satu &amp; kirim", tuple((Button(f"{label} {i}", f"x:{i}"),) for i in range(1, n + 1)))


def test_buttons_degrade_by_count_and_length():
    assert choices_of(_reply(3)).kind == "buttons"
    assert choices_of(_reply(3, "Label yang jauh lebih panjang")).kind == "list"
    assert choices_of(_reply(10)).kind == "list"
    assert choices_of(_reply(11)).kind == "numbered"
    assert choices_of(Reply("x", ((Button("Lokasi", request_location=True),),))).kind == "location"
    assert numbered_answer(" 2 ", ["a", "b"]) == "b" and numbered_answer("3", ["a", "b"]) is None
    assert numbered_answer("2 tugas", ["a", "b"]) is None


def test_html_becomes_whatsapp_markup_and_long_text_is_split():
    assert to_whatsapp("<b>Apel</b> &amp; <i>tugas</i> &lt;draf&gt; <code>x</code>") == "*Apel* & _tugas_ <draf> ```x```"
    parts = split("baris\n" * 1500, 4096)
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)


@pytest.mark.parametrize("name", ["rekap.csv", "undangan.txt", "rekap.xlsx", "REKAP.XLS", "surat.pdf", "nota.docx",
                                  "nota.doc", "paparan.pptx", "paparan.ppt", "nota.odt", "rekap.ods", "foto.jpg",
                                  "tanpa-ekstensi"])
def test_every_file_name_is_declared_as_a_type_the_cloud_api_lists(name):
    kind = document_mime(name)
    assert kind in UPLOAD_TYPES - {"image/jpeg", "image/png"}, (name, kind)  # sent as a document, never an image
    assert (kind == "text/plain") == (name.rsplit(".", 1)[-1].lower() in {"csv", "txt", "odt", "ods", "jpg",
                                                                          "tanpa-ekstensi"})


async def test_a_long_menu_is_numbered_and_the_number_answers_it(rig):
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    buttons = tuple((Button(f"Pilihan nomor {i}", "lang:en" if i == 2 else f"x:{i}"),) for i in range(1, 13))
    person = await _person_id(rig)
    assert await rig.parts.sender.send(Outgoing(Channel.WHATSAPP, RUDI, Reply("Menu", buttons), person_id=person))
    menu = rig.graph.sent(RUDI)[-1]
    assert menu.type == "text" and "12. Pilihan nomor 12" in menu.shown()
    answer = await rig.says(RUDI, RUDI_PHONE, wp.text("2"))
    assert "English" in shown(answer) or "language" in shown(answer).lower()


async def test_short_and_medium_menus_are_buttons_and_lists_within_limits(rig):
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    person = await _person_id(rig)
    for reply in (_reply(3), _reply(7, "Sebuah label yang sangat panjang sekali")):
        assert await rig.parts.sender.send(Outgoing(Channel.WHATSAPP, RUDI, reply, person_id=person))
    buttons, listing = rig.graph.sent(RUDI)[-2:]
    assert buttons.body["interactive"]["type"] == "button" and len(buttons.actions()) == 3
    assert listing.body["interactive"]["type"] == "list" and len(listing.actions()) == 7
    assert buttons.shown() == "*Pilih* satu & kirim"
    tapped = await rig.says(RUDI, RUDI_PHONE, wp.list_reply("lang:en"))
    assert tapped  # the list row's id came back as the action


# the 24-hour window -----------------------------------------------------------------------------------

async def _person_id(rig, who: str = RUDI) -> int:
    async with rig.db.uow() as uow:
        return await uow.people.account_person(Channel.WHATSAPP, who)


async def _briefing_held(rig) -> None:
    """Rudi onboarded, then a day passes: his window is closed, so the briefing goes as the template and
    its content is held."""
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    person = await _person_id(rig)
    rig.clock.advance(hours=25)
    rig.graph.windows[RUDI] -= 25 * 3600
    briefing = Reply("<b>Apel pagi</b>\nTugas: rekap", kind=ReplyKind.BRIEFING)
    assert await rig.parts.sender.send(Outgoing(Channel.WHATSAPP, RUDI, briefing, Urgency.BULK, person))


def _outbox_sender(rig):
    """The outbox sender over this rig's WhatsApp sender, with limits no test reaches."""
    from limits import RateLimitItemPerSecond

    from bot.channels.whatsapp.transport import WhatsAppTransport
    from bot.outbox.rate import ChannelLimits, SendLimits
    from bot.outbox.sender import OutboxSender

    many = RateLimitItemPerSecond(1000)
    return OutboxSender(rig.db.uow, {Channel.WHATSAPP: WhatsAppTransport(rig.parts.sender)},
                        SendLimits({Channel.WHATSAPP: ChannelLimits(many, many, many)}), rig.clock, worker="t")


async def test_outside_the_window_a_template_goes_and_the_content_follows_the_reply(rig):
    await _briefing_held(rig)
    template = rig.graph.sent(RUDI)[-1]
    assert template.type == "template" and template.body["template"]["name"] == "apel_briefing"
    params = template.body["template"]["components"][0]["parameters"]
    assert [p["text"] for p in params] == ["Rudi Hartono", "Selasa, 24 November 2026"]
    assert not [c for c in rig.graph.calls if not c.ok]
    after = await rig.says(RUDI, RUDI_PHONE, wp.template_button("wa:show"))
    assert [c.shown() for c in after] == ["*Apel pagi*\nTugas: rekap"]


async def home_approval_held_for_dewi(rig) -> None:
    """Rudi's home waits for Dewi's approval outside her 24-hour window: a template went, the rest is held."""
    await onboard(rig, DEWI, DEWI_PHONE, KASI)
    await rig.says(DEWI, DEWI_PHONE, wp.location(-1.6, 103.7))
    rig.clock.advance(hours=25)
    rig.graph.windows[DEWI] -= 25 * 3600
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    held = await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    assert [c.type for c in held if c.to == DEWI] == ["template"]


async def test_held_content_is_not_released_to_someone_deactivated_since(rig):
    # Dewi's approval of Rudi's home waited outside her window; an import then deactivated her (retired).
    # Her "Tampilkan" released Rudi's home point and the ✅/❌ buttons to a chat Apel no longer serves.
    await home_approval_held_for_dewi(rig)
    rows = [dict(r, supervisor_nip=KABID if r["nip"] == STAF else r["supervisor_nip"])
            for r in small_office() if r["nip"] != KASI]
    assert (await run_import(rig.db, rig.clock, rows)).ok
    shown_to_her = shown(await rig.says(DEWI, DEWI_PHONE, wp.template_button("wa:show")))
    assert "Rudi" not in shown_to_her and "-1.6" not in shown_to_her
    assert "tidak lagi terdaftar sebagai pegawai aktif" in shown_to_her  # told why, not left without an answer


async def _held(rig, reply: Reply) -> None:
    assert await rig.parts.sender.send(Outgoing(Channel.WHATSAPP, RUDI, reply, Urgency.BULK, await _person_id(rig)))


async def test_a_released_window_brings_todays_briefing_and_last_reminder_once(rig):
    # Outside the window the briefing and both reminders were held; "Tampilkan" at 15.50 brought all three,
    # the 60-minute reminder and the 15-minute one saying the same twice.
    await _briefing_held(rig)  # Tuesday 10.00 WIB
    rig.clock.advance(hours=5)
    await _held(rig, Reply("Pengingat: laporan belum dikirim (60 menit)", kind=ReplyKind.REMINDER))
    rig.clock.advance(minutes=45)
    await _held(rig, Reply("Pengingat: laporan belum dikirim (15 menit)", kind=ReplyKind.REMINDER))
    shown_to_him = [c.shown() for c in await rig.says(RUDI, RUDI_PHONE, wp.template_button("wa:show"))]
    assert shown_to_him == ["*Apel pagi*\nTugas: rekap", "Pengingat: laporan belum dikirim (15 menit)"]


async def test_a_briefing_held_yesterday_is_not_released_today_but_a_report_to_review_is(rig):
    # Tapped the next morning, yesterday's briefing (its ✅ Siap for a day gone by) and reminder came first.
    await _briefing_held(rig)  # Rudi, Tuesday 10.00 WIB
    await _held(rig, Reply("Pengingat: laporan belum dikirim", kind=ReplyKind.REMINDER))
    await _held(rig, Reply("Laporan Dewi dikembalikan untuk diperbaiki", ((Button("📝 Perbaiki", "lapor"),),)))
    rig.clock.advance(hours=20)  # Wednesday 06.00 WIB
    shown_to_him = [c.shown() for c in await rig.says(RUDI, RUDI_PHONE, wp.template_button("wa:show"))]
    assert shown_to_him == ["Laporan Dewi dikembalikan untuk diperbaiki"]
    rig.clock.advance(hours=24)  # Thursday 06.00 WIB, his window closed again
    await _held(rig, Reply("<b>Apel pagi</b> Kamis", kind=ReplyKind.BRIEFING))
    rig.clock.advance(hours=24)  # his "Tampilkan" on Friday: only Thursday's briefing was held
    past = [c.shown() for c in await rig.says(RUDI, RUDI_PHONE, wp.template_button("wa:show"))]
    assert past == ["Pesan itu untuk hari yang sudah lewat, jadi tidak dikirim lagi. Ketik /status untuk melihat "
                    "hari ini."], past
    async with rig.db.engine.connect() as connection:  # nothing stays held to come later
        assert (await connection.execute(text("SELECT count(*) FROM whatsapp_held WHERE released_at IS NULL"))).scalar() == 0


async def test_in_the_bot_only_what_is_worth_sending_is_queued_on_release(bot_rig):
    rig = bot_rig
    await _briefing_held(rig)  # Tuesday 10.00 WIB
    await _held(rig, Reply("Pengingat (60 menit)", kind=ReplyKind.REMINDER))
    await _held(rig, Reply("Pengingat (15 menit)", kind=ReplyKind.REMINDER))
    await _held(rig, Reply("Laporan Anda dikembalikan", ((Button("📝 Perbaiki", "lapor"),),)))
    rig.woken.clear()
    await rig.says(RUDI, RUDI_PHONE, wp.template_button("wa:show"))
    assert [o.reply.text for o in rig.woken[0]] == ["<b>Apel pagi</b>\nTugas: rekap", "Pengingat (15 menit)",
                                                    "Laporan Anda dikembalikan"]


async def test_tampilkan_tapped_again_with_nothing_held_is_answered_once(rig):
    # An old template's "Tampilkan" tapped again, its content long shown: nothing at all came back.
    await _briefing_held(rig)
    assert [c.shown() for c in await rig.says(RUDI, RUDI_PHONE, wp.template_button("wa:show"))] == [
        "*Apel pagi*\nTugas: rekap"]
    message_id = wp.wamid()
    again = await rig.says(RUDI, RUDI_PHONE, wp.template_button("wa:show"), message_id=message_id)
    assert [c.shown() for c in again] == ["Semua pesan Apel untuk Anda sudah ditampilkan. Ketik /bantuan untuk "
                                          "melihat perintah."]
    assert await rig.says(RUDI, RUDI_PHONE, wp.template_button("wa:show"), message_id=message_id) == []  # redelivered


async def test_in_the_bot_held_content_goes_through_the_outbox_not_inside_the_webhook_call(bot_rig):
    # In the bot (after_turn set) the turn's messages are in the outbox already; the held content joins
    # them in the transaction that marks it released, so a crash loses none of it.
    rig, woken = bot_rig, bot_rig.woken
    await _briefing_held(rig)
    woken.clear()
    during = await rig.says(RUDI, RUDI_PHONE, wp.template_button("wa:show"))
    assert during == []  # the webhook call itself sent nothing
    (queued,) = woken
    assert [(o.key.startswith("wa-held:"), o.reply.text) for o in queued] == [
        (True, "<b>Apel pagi</b>\nTugas: rekap")]
    async with rig.db.uow() as uow:
        assert await uow.outbox.statuses([queued[0].key]) == {queued[0].key: "queued"}
    woken.clear()
    await rig.says(RUDI, RUDI_PHONE, wp.template_button("wa:show"))  # released once, not again
    assert woken == []
    sender = _outbox_sender(rig)
    mark = len(rig.graph.calls)
    while await sender.drain():
        pass
    assert "*Apel pagi*\nTugas: rekap" in [c.shown() for c in rig.graph.sent(RUDI, mark)]


async def test_an_english_speakers_template_carries_the_date_in_the_templates_language(rig):
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.button_reply("lang:en"))
    person = await _person_id(rig)
    rig.clock.advance(hours=25)
    rig.graph.windows[RUDI] -= 25 * 3600
    briefing = Reply("<b>Morning briefing</b>", kind=ReplyKind.BRIEFING)
    assert await rig.parts.sender.send(Outgoing(Channel.WHATSAPP, RUDI, briefing, Urgency.BULK, person))
    template = rig.graph.sent(RUDI)[-1].body["template"]
    # The registered template is Indonesian ("… arahan apel {{2}} sudah siap"): an English date inside it
    # would read "arahan apel Tuesday, 24 November 2026 sudah siap".
    assert template["language"]["code"] == "id"
    assert template["components"][0]["parameters"][1]["text"] == "Selasa, 24 November 2026"


async def test_meta_saying_re_engagement_turns_into_a_template(rig):
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    person = await _person_id(rig)
    rig.graph.windows[RUDI] -= 25 * 3600  # Meta's window closed, ours has not noticed
    reminder = Reply("Laporan belum dikirim", kind=ReplyKind.REMINDER)
    assert await rig.parts.sender.send(Outgoing(Channel.WHATSAPP, RUDI, reminder, Urgency.NOTICE, person))
    refused, template = rig.graph.calls[-2:]
    assert refused.response["error"]["code"] == 131047
    assert template.ok and template.body["template"]["name"] == "apel_pengingat"


async def test_undeliverable_marks_the_account_and_raises_a_flag(rig):
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    person = await _person_id(rig)
    rig.graph.undeliverable.add(RUDI)
    assert not await rig.parts.sender.send(Outgoing(Channel.WHATSAPP, RUDI, Reply("Halo"), Urgency.NOTICE, person))
    async with rig.db.uow() as uow:
        assert await uow.people.addresses([person]) == []
        flags = await uow.flags.for_day([person], dt.date(2026, 11, 23))
    assert [f.kind.value for f in flags[person]] == ["unreachable"]


async def test_pair_rate_limit_waits_six_seconds_and_retries(rig):
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    rig.graph.pair_gap_s = 0.2
    person = await _person_id(rig)
    await rig.parts.sender.send(Outgoing(Channel.WHATSAPP, RUDI, Reply("satu"), person_id=person))
    import time
    time.sleep(0.25)
    rig.graph._last_to[RUDI] = time.monotonic()
    rig.graph.pair_gap_s = 0.05
    rig.sleeps.calls.clear()
    import asyncio

    async def slow(seconds):
        rig.sleeps.calls.append(seconds)
        await asyncio.sleep(0.06)
    rig.parts.sender._sleep = slow
    assert await rig.parts.sender.send(Outgoing(Channel.WHATSAPP, RUDI, Reply("dua"), person_id=person))
    assert 6.0 in rig.sleeps.calls
    assert [c.response["error"]["code"] for c in rig.graph.calls if not c.ok][-1] == 131056


# statuses ---------------------------------------------------------------------------------------------

async def test_statuses_are_recorded_on_the_sent_message_and_never_go_back(rig):
    sent = await onboard(rig, RUDI, RUDI_PHONE, STAF)
    wamid = sent[0].response["messages"][0]["id"]
    for state in ("sent", "read", "delivered"):
        assert (await rig.post(wp.status(wamid, state, RUDI, RUDI_PHONE))).status_code == 200
    row = await rig.parts.store.sent(wamid)
    assert row.status == "read" and row.status_at is not None


async def test_a_failed_status_131026_marks_the_account(rig):
    sent = await onboard(rig, RUDI, RUDI_PHONE, STAF)
    wamid = sent[0].response["messages"][0]["id"]
    await rig.post(wp.status(wamid, "failed", RUDI, RUDI_PHONE, error_code=131026))
    assert (await rig.parts.store.sent(wamid)).error_code == 131026
    async with rig.db.uow() as uow:
        assert await uow.people.addresses([await _person_id(rig)]) == []


async def test_mounted_beside_another_app_only_its_path_is_taken(rig):
    async def other(scope, receive, send):
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=Mounted(rig.app, other)), base_url="http://a.test")
    async with client:
        assert (await client.get("/telegram/webhook")).status_code == 204
        assert (await client.get("/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                                      "hub.challenge": "7"})).text == "7"


async def test_undeliverable_through_the_outbox_marks_the_account_and_flags_the_digest_once(rig):
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    person = await _person_id(rig)
    rig.graph.undeliverable.add(RUDI)
    async with rig.db.uow() as uow:
        uow.outbox.add([Outgoing(Channel.WHATSAPP, RUDI, Reply("Halo"), Urgency.REPLY, person, key="wa-test")])
        await uow.commit()
    sender = _outbox_sender(rig)
    while await sender.drain():
        pass
    async with rig.db.uow() as uow:
        assert await uow.people.addresses([person]) == []
        flags = (await uow.flags.for_day([person], dt.date(2026, 11, 23)))[person]
        assert (await uow.outbox.statuses(["wa-test"])) == {"wa-test": "failed"}
    assert [(f.kind.value, f.detail) for f in flags] == [("unreachable", {"channel": "WhatsApp"})]
