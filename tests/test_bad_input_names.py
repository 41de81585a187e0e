"""The bad-input corpus, the rest: hostile names from the org chart shown everywhere they appear, an
admin's upload beyond the row limit, and broken bodies posted to the Telegram webhook in front of the
real core (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.channels.telegram.app import webhook_asgi_app
from bot.spreadsheet import UploadedSheetReader
from tests.bad_input_corpus import BUDI, DEWI, HOSTILE_TEXTS, RUDI
from tests.bad_input_files import org_csv
from tests.bad_input_rig import TelegramCoreRig, now_seconds, telegram_problems, texts_of, user
from tests.chat_harness import MONDAY_0900_WIB
from tests.org_rows import HEAD, KASI, STAF, small_office
from tests.telegram_fakes import TOKEN, private_chat
from tests.test_org_import import run_import

NIPS = {RUDI: STAF, DEWI: KASI, BUDI: HEAD}
SECRET = "bad-input-secret"
# Rudi, the last row, is the one whose name his supervisor and the admin see most.
NAMES = [HOSTILE_TEXTS[k] for k in ("sql", "format-braces", "every-html-char", "arabic-rtl", "script-tag")]


def hostile_office() -> list[dict[str, str]]:
    rows = small_office()
    for row, name in zip(rows, NAMES, strict=True):
        row["name"] = name
    rows[0]["role"] = "admin"
    rows[3]["unit"] = rows[4]["unit"] = "Seksi <i>Timur</i> & {unit}"
    return rows


async def linked(db, clock, tmp_path, rows) -> TelegramCoreRig:
    clock.current = MONDAY_0900_WIB
    report = await run_import(db, clock, rows)
    assert report.ok, report.errors
    rig = TelegramCoreRig(db, clock, tmp_path / "media")
    codes = await rig.harness.codes()
    for chat, nip in NIPS.items():
        welcome = await rig.says(chat, f"/start {codes[nip]}")
        assert telegram_problems(welcome) == [] and welcome
        rig.welcomes += welcome
        await rig.feed(rig.message(chat, location={"latitude": -1.61, "longitude": 103.61}))
    return rig


async def test_hostile_names_and_units_are_shown_escaped_wherever_they_appear(db, clock, tmp_path):
    rig = await linked(db, clock, tmp_path, hostile_office())
    await rig.says(RUDI, "/lapor")
    await rig.taps(RUDI, "r:next")
    await rig.says(RUDI, "Selesai")
    calls = await rig.taps(RUDI, "r:send")  # the supervisor is told, by name
    for chat, command in ((DEWI, "/tim"), (DEWI, "/rekap"), (BUDI, "/tim"), (BUDI, "/rekap"), (RUDI, "/start"),
                          (BUDI, "/undang"), (DEWI, "/tugaskan"), (RUDI, "/status")):
        calls += await rig.says(chat, command)
    assert rig.crashes == [] and telegram_problems(calls) == []
    seen = "\n".join(texts_of(rig.welcomes + calls))
    assert "&lt;script&gt;" in seen and "<script>" not in seen  # Rudi's name in his supervisor's views
    assert "Seksi &lt;i&gt;Timur&lt;/i&gt; &amp; {unit}" in seen


async def test_an_admins_upload_beyond_the_row_limit_is_refused_whole(db, clock, tmp_path):
    rows = [r | {"role": "admin" if r["nip"] == HEAD else ""} for r in small_office()]
    rig = await linked(db, clock, tmp_path, rows)
    rig.conversation.sheets = UploadedSheetReader(max_rows=3)
    renamed = [r | {"name": r["name"] + " Baru"} for r in small_office()]
    rig.session.files["big-sheet"] = org_csv(renamed)
    before = await rig.counts()
    calls = await rig.feed(rig.message(BUDI, document={"file_id": "big-sheet", "file_unique_id": "bs",
                                                       "file_name": "pegawai.csv", "mime_type": "text/csv",
                                                       "file_size": len(rig.session.files["big-sheet"])}))
    assert any("lebih dari 3 baris" in t for t in texts_of(calls))
    assert await rig.counts() == before and rig.crashes == []
    async with db.uow() as uow:
        assert not any(p.values.name.endswith(" Baru") for p in (await uow.org.stored_people()).values())
    assert texts_of(await rig.says(BUDI, "/status"))


@pytest.mark.parametrize("body, status", [
    (b"{not json", 400),
    (b"[]", 400),
    (b'{"message": {"text": "/status"}}', 400),  # no update_id
    (json.dumps({"update_id": 1, "message": {"message_id": "x", "date": "kemarin", "chat": 5}}).encode(), 400),
    (b'{"update_id": 2, "callback_query": {"id": "q", "data": "ap:1:1"}}', 400),  # no from, no chat_instance
    (b"{" + b" " * (2 << 20) + b"}", 413),  # far larger than any update
    (json.dumps({"update_id": 3, "message_reaction": {"chat": {"id": 1, "type": "private"}, "message_id": 1,
                                                      "date": 0, "old_reaction": [], "new_reaction": []}}).encode(),
     200),
], ids=["not-json", "array", "no-update-id", "wrong-types", "callback-without-sender", "two-megabytes",
        "reaction-update"])
async def test_a_broken_webhook_body_is_refused_and_the_next_update_is_answered(db, clock, tmp_path, body, status):
    rig = await linked(db, clock, tmp_path, small_office())
    app = webhook_asgi_app(rig.conversation, token=TOKEN, webhook_url="https://apel.test/telegram/webhook",
                           secret_token=SECRET, deliver=rig._deliver, bot=rig.bot)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "content-type": "application/json"}
    before, mark = await rig.counts(), len(rig.session.calls)
    good = {"update_id": 99_001, "message": {"message_id": 1, "from": user(RUDI), "chat": private_chat(RUDI),
                                             "date": now_seconds(), "text": "/status"}}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://apel.test") as client:
        broken = await client.post("/telegram/webhook", content=body, headers=headers)
        assert broken.status_code == status and rig.session.calls[mark:] == []
        assert await rig.counts() == before
        fine = await client.post("/telegram/webhook", content=json.dumps(good), headers=headers)
    assert fine.status_code == 200
    assert any("Status" in t for t in texts_of(rig.session.calls[mark:]))

