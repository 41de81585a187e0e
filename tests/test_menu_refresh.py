"""Command menus follow the org chart while the bot runs: after an import makes someone a section head,
their chat gets the supervisor's menu at the next refresh, and the former section head's chat goes back
to the default (staff) menu; chats whose menu did not change are not touched."""

from __future__ import annotations

import datetime as dt

from aiogram.types import BotCommandScopeChat

from bot.channels.telegram.menu_refresh import MenuRefresher
from bot.services import plh
from tests.bot_api_spec import check_call
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness
from tests.org_rows import HEAD, KABID, KASI, SEK, STAF, small_office
from tests.telegram_fakes import FakeSession, fake_bot
from tests.test_org_import import run_import

SENDERS = {HEAD: "801", SEK: "802", KABID: "803", KASI: "804", STAF: "805"}


def chats(calls) -> set[tuple[int, str | None]]:
    return {(c.scope.chat_id, c.language_code) for c in calls if isinstance(c.scope, BotCommandScopeChat)}


async def linked_office(db, clock, tmp_path, **harness) -> ChatHarness:
    """The small office imported on Monday 09.00 WIB, everyone linked on Telegram (chat ids of SENDERS)."""
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    chat = ChatHarness(db, clock, tmp_path / "media", **harness)
    await chat.link([(sender, nip) for nip, sender in SENDERS.items()])
    return chat


async def test_a_promotion_and_a_retirement_change_the_menus_without_a_restart(db, clock, tmp_path):
    harness = await linked_office(db, clock, tmp_path)
    session = FakeSession()
    menus = MenuRefresher(fake_bot(session), harness.conversation)
    await menus.set_all()
    assert {chat for chat, _ in chats(session.sent("setMyCommands"))} == {801, 803, 804}  # the supervisors

    # Dewi (the section head) retires; Rudi takes her place and reports to the division head.
    rows = [r for r in small_office() if r["nip"] != KASI]
    rows[-1] = {**rows[-1], "position": "Kepala Seksi", "supervisor_nip": KABID}
    await run_import(db, clock, rows)
    session.calls.clear()
    await menus.refresh()
    assert chats(session.sent("setMyCommands")) == set()  # Rudi heads nobody yet: still staff
    assert chats(session.sent("deleteMyCommands")) == {(804, None), (804, "id"), (804, "en")}

    rows.append({**small_office()[4], "nip": "199001012015011001", "name": "Staf Baru", "supervisor_nip": STAF})
    await run_import(db, clock, rows)
    session.calls.clear()
    await menus.refresh()
    promoted = session.sent("setMyCommands")
    assert chats(promoted) == {(805, None), (805, "id"), (805, "en")}
    assert "tim" in [c.command for c in promoted[0].commands]
    assert session.sent("deleteMyCommands") == []

    session.calls.clear()
    await menus.refresh()
    assert session.calls == []  # nothing changed since: no call at all


async def test_an_english_office_gives_telegram_apps_in_other_languages_the_english_menu(db, clock, tmp_path):
    """DEFAULT_LANGUAGE=en: the menu set without language_code (an app in Javanese, Malay, …) was Indonesian."""
    harness = await linked_office(db, clock, tmp_path, default_language="en")
    session = FakeSession()
    await MenuRefresher(fake_bot(session), harness.conversation).set_all()
    anyone = {(getattr(c.scope, "chat_id", "default"), c.language_code): {b.command: b.description for b in c.commands}
              for c in session.sent("setMyCommands")}
    assert anyone[("default", None)]["tugas"] == "Today's tasks"
    assert anyone[(804, None)]["tim"] == "My team today"
    assert anyone[("default", "id")]["tugas"] == "Tugas hari ini"


async def test_a_plh_without_a_team_has_the_supervisors_menu_on_the_days_they_stand_in(db, clock, tmp_path):
    """Rudi (staff) stands in for his section head on Tuesday: /tim and /rekap work for him then, and were
    missing from his menu; the other chats are not touched, and on Wednesday his menu is the default again."""
    harness = await linked_office(db, clock, tmp_path)
    tuesday = MONDAY_0900_WIB.date() + dt.timedelta(days=1)
    await plh.designate(db.uow, KASI, STAF, tuesday, tuesday, today=tuesday, now=clock.now(), actor="cli")
    session = FakeSession()
    menus = MenuRefresher(fake_bot(session), harness.conversation)
    await menus.set_all()
    assert {chat for chat, _ in chats(session.sent("setMyCommands"))} == {801, 803, 804}  # not his day yet

    clock.current = MONDAY_0900_WIB + dt.timedelta(days=1)
    session.calls.clear()
    await menus.refresh()
    acting = session.sent("setMyCommands")
    assert chats(acting) == {(805, None), (805, "id"), (805, "en")}
    assert {"tim", "rekap"} <= {c.command for c in acting[0].commands}
    assert session.sent("deleteMyCommands") == []

    session.calls.clear()
    await menus.refresh()
    assert session.calls == []  # the same day: nothing to change

    clock.current = MONDAY_0900_WIB + dt.timedelta(days=2)
    session.calls.clear()
    await menus.refresh()
    assert session.sent("setMyCommands") == []
    assert chats(session.sent("deleteMyCommands")) == {(805, None), (805, "id"), (805, "en")}


def descriptions(calls, command: str) -> dict[tuple[int, str | None], str]:
    return {(c.scope.chat_id, c.language_code): {b.command: b.description for b in c.commands}.get(command)
            for c in calls if isinstance(c.scope, BotCommandScopeChat)}


async def test_a_chats_menu_is_in_the_language_its_person_chose_in_apel_not_their_apps(db, clock, tmp_path):
    """Dewi (section head) chose English: her menu was Indonesian in an Indonesian app. Rudi (staff) chose
    English too and had the default menu; Siti chose Indonesian, the office's language, and needs none."""
    harness = await linked_office(db, clock, tmp_path)
    for sender, language in (("804", "en"), ("805", "en"), ("802", "id")):
        await harness.tap(sender, f"lang:{language}")
    session = FakeSession()
    menus = MenuRefresher(fake_bot(session), harness.conversation)
    await menus.set_all()
    every = (None, "id", "en")
    assert descriptions(session.sent("setMyCommands"), "tim") == {
        **{(801, code): "Tim saya hari ini" for code in every}, **{(803, code): "Tim saya hari ini" for code in every},
        **{(804, code): "My team today" for code in every}, **{(805, code): None for code in every},
    }
    assert descriptions(session.sent("setMyCommands"), "tugas")[(805, "id")] == "Today's tasks"

    await harness.tap("805", "lang:id")
    await harness.tap("804", "lang:id")
    session.calls.clear()
    await menus.refresh()
    assert descriptions(session.sent("setMyCommands"), "tim") == {(804, code): "Tim saya hari ini" for code in every}
    assert chats(session.sent("deleteMyCommands")) == {(805, code) for code in every}
    assert all(check_call(c.__api_method__, c.model_dump(mode="json", exclude_none=True)) == [] for c in session.calls)

    session.calls.clear()
    await menus.refresh()
    assert session.calls == []
