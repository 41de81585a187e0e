"""The bad-input corpus on WhatsApp: signed webhook payloads that are odd, hostile or broken, posted
into the real webhook app in front of the real core (SQLite and PostgreSQL). Each gets its answer (or
none where nobody asked), writes nothing partial, and the next ordinary message is answered."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from storage.tables import SQLModel
from tests import whatsapp_payloads as wp
from tests.bad_input_corpus import HOSTILE_TEXTS
from tests.bad_input_files import PDF
from tests.bad_input_rig import DATA_TABLES
from tests.org_rows import STAF
from tests.test_whatsapp_adapter import RUDI, RUDI_PHONE, onboard, rig  # noqa: F401 - rig is the fixture

UNSUPPORTED = "jenis pesan ini tidak dapat diproses"
NOT_AVAILABLE = "sudah tidak berlaku"


@dataclass(frozen=True)
class WaCase:
    id: str
    body: dict | None  # the message part (wp.text(...), wp.sticker(), ...); None: `raw` is posted as is
    expect: str | None
    raw: bytes | None = None
    status: int = 200
    media: dict[str, bytes] = field(default_factory=dict)
    writes: frozenset[str] = frozenset()
    before: tuple[dict, ...] = ()


def without_sender(payload: dict) -> dict:
    value = payload["entry"][0]["changes"][0]["value"]
    value["contacts"] = []
    for message in value["messages"]:
        del message["from"], message["from_user_id"]
    return payload


WA_CASES = [
    WaCase("sticker", wp.sticker(), UNSUPPORTED),
    WaCase("voice-note", {"type": "audio", "audio": {"id": "a1", "mime_type": "audio/ogg; codecs=opus",
                                                     "sha256": "a" * 44, "voice": True}}, UNSUPPORTED),
    WaCase("contact-card", {"type": "contacts", "contacts": [{"name": {"formatted_name": "Ani", "first_name": "Ani"},
                                                             "phones": [{"phone": "+6281200000009"}]}]}, UNSUPPORTED),
    WaCase("unsupported-by-whatsapp", {"type": "unsupported", "errors": [
        {"code": 131051, "title": "Message type unknown", "message": "Message type unknown",
         "error_data": {"details": "Message type is currently not supported."}}]}, UNSUPPORTED),
    WaCase("unsupported-error-without-message", {"type": "unknown", "errors": [
        {"code": 131051, "details": "Message type is not currently supported", "title": "Unsupported message type"}]},
        UNSUPPORTED),
    WaCase("reaction", {"type": "reaction", "reaction": {"message_id": "wamid.x", "emoji": "👍"}}, None),
    WaCase("garbage-button", wp.button_reply("💥:;::"), NOT_AVAILABLE),
    WaCase("button-200-bytes", wp.button_reply("t:" + "9" * 198), NOT_AVAILABLE),
    WaCase("forged-approval", wp.button_reply("ap:1:1"), NOT_AVAILABLE),
    WaCase("forged-task-id-beyond-the-database", wp.button_reply("t:2147483648:done"), NOT_AVAILABLE),
    WaCase("forged-leave-id-in-superscript", wp.list_reply("lvc:²"), NOT_AVAILABLE),
    WaCase("yesterdays-ack", wp.button_reply("ack:20261122"), "dari hari lain"),
    WaCase("list-reply-garbage", wp.list_reply("lv:../../etc"), NOT_AVAILABLE),
    WaCase("latitude-91", wp.location(91.0, 103.6), "Koordinat lokasi ini tidak sah"),
    WaCase("longitude-181", wp.location(-1.6, 181.0), "Koordinat lokasi ini tidak sah"),
    WaCase("empty-text", wp.text(""), "Pesan diterima"),
    WaCase("text-4096", wp.text("x" * 4096), "Pesan diterima"),
    WaCase("nul-text", wp.text("\x00\x01"), "Pesan diterima"),
    WaCase("unknown-command", wp.text("/foo {name} %s"), "Perintah itu tidak dikenal"),
    WaCase("rekap-impossible-date", wp.text("/rekap 2026-13-45"), "Tanggal tidak sah"),
    *[WaCase(f"task-title-{name}", wp.text(text), "Tugas ditambahkan", writes=frozenset({"task"}),
             before=(wp.button_reply("t:add"),)) for name, text in HOSTILE_TEXTS.items()],
    WaCase("pdf-named-jpg-image", wp.image("m-pdf"), "bukan gambar", media={"m-pdf": PDF}),
    WaCase("path-traversal-document", wp.document("m-doc", "../../etc/passwd\x00.pdf"), "diterima",
           media={"m-doc": PDF}, writes=frozenset({"evidence"})),
    WaCase("expired-media-id", wp.image("m-gone"), "kirim"),
    WaCase("not-json", None, None, raw=b"{not json", status=400),
    WaCase("no-entries", None, None, raw=b'{"object":"whatsapp_business_account","entry":[]}'),
    WaCase("message-without-sender", None, None, raw=wp.encode(without_sender(wp.message(RUDI, RUDI_PHONE,
                                                                                      wp.text("/status"))))),
]


async def counts(db) -> dict[str, int]:
    tables = {t.name: t for t in SQLModel.metadata.sorted_tables}
    async with db.uow() as uow:
        return {n: (await uow.session.execute(select(func.count()).select_from(tables[n]))).scalar_one()
                for n in DATA_TABLES}


async def check(rig, case: WaCase) -> list[str]:  # noqa: F811 - the fixture's name is the rig's too
    for body in case.before:
        await rig.says(RUDI, RUDI_PHONE, body)
    for media_id, content in case.media.items():
        rig.graph.add_media(media_id, content, "image/jpeg" if media_id == "m-pdf" else "application/pdf")
    before, mark = await counts(rig.db), len(rig.graph.calls)
    if case.raw is None:
        response = await rig.post(wp.message(RUDI, RUDI_PHONE, case.body))
    else:
        response = await rig.http.post("/whatsapp", content=case.raw, headers={
            "content-type": "application/json", "x-hub-signature-256": wp.sign(case.raw, "app-secret-for-tests")})
    shown = "\n".join(c.shown() for c in rig.graph.sent(since=mark))
    problems = []
    if response.status_code != case.status:
        problems.append(f"answered HTTP {response.status_code}")
    after = await counts(rig.db)
    changed = sorted(t for t in before if before[t] != after[t] and t not in case.writes)
    if changed:
        problems.append(f"wrote to {changed}")
    if case.expect is None and shown:
        problems.append(f"answered although nobody asked: {shown!r}")
    if case.expect is not None and case.expect.lower() not in shown.lower():
        problems.append(f"expected {case.expect!r} in {shown!r}")
    if "Traceback" in shown or "Error(" in shown:
        problems.append(f"leaked an error: {shown!r}")
    follow = await rig.says(RUDI, RUDI_PHONE, wp.text("/status"))
    if "Status" not in "\n".join(c.shown() for c in follow):
        problems.append("the next ordinary message was not answered")
    return problems


async def test_every_bad_whatsapp_input_is_answered_politely_and_writes_nothing_partial(rig):  # noqa: F811
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))  # home
    assert len({c.id for c in WA_CASES}) == len(WA_CASES) >= 30
    failures = {case.id: problems for case in WA_CASES if (problems := await check(rig, case))}
    assert failures == {}


@pytest.mark.parametrize("name", ["script-tag", "every-html-char", "amp-entity"])
async def test_hostile_titles_reach_whatsapp_as_typed_without_markup(rig, name):  # noqa: F811
    await onboard(rig, RUDI, RUDI_PHONE, STAF)
    await rig.says(RUDI, RUDI_PHONE, wp.location(-1.6, 103.6))
    await rig.says(RUDI, RUDI_PHONE, wp.button_reply("t:add"))
    sent = "\n".join(c.shown() for c in await rig.says(RUDI, RUDI_PHONE, wp.text(HOSTILE_TEXTS[name])))
    assert HOSTILE_TEXTS[name] in sent
