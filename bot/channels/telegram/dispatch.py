"""The aiogram side of a conversation turn: update → Inbound → core → Outgoings → Bot API.

There is no aiogram FSM or filter logic here on purpose: the core keeps all conversation state in the
database (DESIGN.md), so one catch-all handler per update kind is all the adapter needs."""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, DeleteMyCommands, SetMyCommands
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, CallbackQuery, Message, Update

from bot.channels.telegram.inbound import TapOrigin, tap_origin, to_inbound, utc_now
from bot.channels.telegram.outbound import Sleep, call_with_retry, redact
from bot.domain.org_terms import Channel
from bot.messages import Outgoing
from bot.texts import LANGUAGES

if TYPE_CHECKING:  # the core modules are typed against, never needed at run time here
    from bot.services.conversation import Conversation
    from bot.services.menus import CommandMenu

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
DEFAULT_MENU_LANGUAGE = "id"  # without an office default: people whose Telegram speaks neither id nor en
LANGUAGE_TAP = "lang:"  # the language buttons (`/bahasa`, bot/services/conversation.py)
ROLE_RANK = {"staff": 0, "supervisor": 1, "admin_desk": 2, "admin": 2}
# The language_code values a chat's own menu is set (and deleted) under: none, and each Apel speaks.
CHAT_MENU_LANGUAGES = (None, *LANGUAGES)

class BotMediaFetcher:
    """`MediaFetcher` over the Bot API: getFile, then the file download (Telegram allows ≤ 20 MB)."""

    def __init__(self, bot: Bot):
        self._bot = bot

    async def fetch(self, file_ref: str) -> bytes:
        try:
            buffer = await self._bot.download(file_ref)
        except TelegramAPIError as exc:
            # The core may not import aiogram, so it gets a plain OSError it can catch and explain.
            raise OSError(f"telegram file unavailable: {redact(str(exc), self._bot.token)}") from exc
        assert buffer is not None  # download() into the default BytesIO always returns it
        return buffer.read()


# What happens after the core handled an update: its messages are already in the outbox (written in
# the same transaction), so in production this only wakes the sender; tests may send them directly.
Deliver = Callable[[list[Outgoing], TapOrigin | None], Awaitable[None]]


def wake_sender(wake: Callable[[], None] | None) -> Deliver:
    async def deliver(outgoings: list[Outgoing], origin: TapOrigin | None) -> None:
        if wake is not None and outgoings:
            wake()

    return deliver


def build_dispatcher(
    conversation: Conversation,
    deliver: Deliver,
    *,
    now: Callable[[], dt.datetime] | None = None,
) -> Dispatcher:
    # Apel's own clock (injected; FAKE_NOW in end-to-end tests) dates taps and moves message times.
    clock = getattr(conversation, "clock", None)
    now = now or (clock.now if clock is not None else utc_now)

    async def turn(update: Update, bot: Bot, origin: TapOrigin | None = None) -> None:
        inbound = to_inbound(update, now=now, origin=origin)
        if inbound is None:
            return  # acknowledged and ignored: groups, bots, kinds the routine does not use
        if inbound.location is not None and inbound.location.is_update and getattr(conversation, "live", None):
            await conversation.live.add(inbound)  # stored with the moves arriving with it; never answered
            return
        # Errors from the core propagate: in webhook mode that means a 500 and a redelivery.
        outgoings = await conversation.handle(inbound, BotMediaFetcher(bot))
        await deliver(outgoings, origin)
        if (inbound.text or "").startswith("/start ") and outgoings:
            await _refresh_menu(bot, inbound.sender)
        elif (inbound.tap or "").startswith(LANGUAGE_TAP):
            await _refresh_menu(bot, inbound.sender, chose_language=True)

    async def _refresh_menu(bot: Bot, chat: str, *, chose_language: bool = False) -> None:
        """Someone just linked: a supervisor or admin gets their longer menu now, not at the next restart.
        Someone just chose a language: their chat's menu follows it now (or, back to the office's language as
        staff, the chat's own menu goes and the default one shows)."""
        try:
            menus = [
                replace(m, external_ids=[chat]) for m in await command_menus_of(conversation) if chat in m.external_ids
            ]
            if menus:
                await set_command_menus(bot, menus, default_language=menu_language(conversation))
            elif chose_language:
                await delete_chat_menus(bot, chat)
        except Exception:  # noqa: BLE001 - a menu is a convenience; the person was linked all the same
            log.exception("could not set the command menu of a newly linked chat")

    router = Router(name="apel-telegram")
    # Polling retries an update until the core stored it; its tap was answered on the first try, and
    # Telegram refuses a second answer. A few ids suffice: polling handles one update at a time.
    answered: deque[str] = deque(maxlen=32)

    @router.message()
    async def on_message(message: Message, bot: Bot, event_update: Update) -> None:
        await turn(event_update, bot)

    @router.edited_message()
    async def on_edited(edited_message: Message, bot: Bot, event_update: Update) -> None:
        await turn(event_update, bot)

    @router.callback_query()
    async def on_tap(callback_query: CallbackQuery, bot: Bot, event_update: Update) -> None:
        # Answer first: the spinner stops at once even when the core is slow or fails.
        if callback_query.id not in answered:
            answered.append(callback_query.id)
            try:
                await bot(AnswerCallbackQuery(callback_query_id=callback_query.id))
            except TelegramAPIError as exc:  # e.g. "query is too old": the tap itself is still worth handling
                log.info("answerCallbackQuery failed: %s", redact(str(exc), bot.token))
        await turn(event_update, bot, tap_origin(callback_query))

    dispatcher = Dispatcher(name="apel")
    dispatcher.include_router(router)
    return dispatcher


async def delete_chat_menus(bot: Bot, chat: str, sleep: Sleep = asyncio.sleep) -> None:
    """A chat's own menu removed, in every language it was set in: the default menu shows."""
    for language in CHAT_MENU_LANGUAGES:
        method = DeleteMyCommands(scope=BotCommandScopeChat(chat_id=int(chat)), language_code=language)
        try:
            await call_with_retry(bot, method, sleep)
        except TelegramAPIError as exc:
            log.warning("deleteMyCommands for a chat failed: %s", exc.message)


def menu_language(conversation) -> str:
    """The menu of Telegram apps in neither id nor en: the office's DEFAULT_LANGUAGE, as for people who chose none."""
    return getattr(conversation, "default_language", None) or DEFAULT_MENU_LANGUAGE


async def command_menus_of(conversation: Conversation) -> list[CommandMenu]:
    """The core's menus; tolerant of `command_menus` becoming async when it reads the database."""
    menus = conversation.command_menus()
    if inspect.isawaitable(menus):
        menus = await menus
    return list(menus)


async def set_command_menus(
    bot: Bot,
    menus: Sequence[CommandMenu],
    *,
    default_language: str = DEFAULT_MENU_LANGUAGE,
    sleep: Sleep = asyncio.sleep,
) -> int:
    """setMyCommands for every menu; returns how many calls succeeded.

    A menu without chats goes to the default scope, in its language (the `default_language` one also
    without language_code, for clients in any other language). A menu with chats (supervisors, admins,
    people who chose a language other than the office's) is set in each chat for every language_code,
    all in the menu's language: Telegram prefers a chat's language-specific menu, so what the person sees
    is the language they chose in Apel, not their app's. A chat listed in several menus gets only the
    highest one (the admin menu already holds the others), so the order of Telegram calls cannot leave
    someone with a lesser menu."""
    best: dict[str, int] = {}
    for menu in menus:
        for external_id in menu.external_ids:
            best[external_id] = max(best.get(external_id, -1), ROLE_RANK.get(menu.role, 0))
    done = 0
    for menu in sorted(menus, key=lambda m: ROLE_RANK.get(m.role, 0)):
        commands = [BotCommand(command=name, description=text) for name, text in menu.commands]
        languages: list[str | None]
        if not menu.external_ids:
            scopes: list[Any] = [BotCommandScopeDefault()]
            languages = [menu.language] + ([None] if menu.language == default_language else [])
        else:
            rank = ROLE_RANK.get(menu.role, 0)
            scopes = [BotCommandScopeChat(chat_id=int(e)) for e in menu.external_ids if best[e] == rank]
            languages = list(CHAT_MENU_LANGUAGES)
        for scope in scopes:
            for language in languages:
                method = SetMyCommands(commands=commands, scope=scope, language_code=language)
                try:
                    await call_with_retry(bot, method, sleep)
                    done += 1
                except TelegramBadRequest as exc:
                    # "chat not found": a supervisor who never pressed Start; the rest still get theirs.
                    log.warning("setMyCommands for %s failed: %s", scope.type, exc.message)
                except TelegramAPIError as exc:
                    log.warning("setMyCommands failed: %s", redact(str(exc), bot.token))
    return done
