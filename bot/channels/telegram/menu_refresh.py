"""Command menus follow the org chart while the bot runs: someone an import made a section head gets the
supervisor's menu, a former supervisor the staff one, within MENU_REFRESH_S and without a restart.

Menus are set in full at start; afterwards only the chats whose menu changed are touched (a province has
thousands of supervisors, and setMyCommands is one call per chat and language)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import DeleteMyCommands
from aiogram.types import BotCommandScopeChat

from bot.channels.telegram.dispatch import ROLE_RANK, command_menus_of, menu_language, set_command_menus
from bot.channels.telegram.outbound import Sleep, call_with_retry
from bot.texts import LANGUAGES

log = logging.getLogger(__name__)

MENU_REFRESH_S = 900


def chat_roles(menus) -> dict[str, str]:
    """Each supervisor's or admin's chat and the role of the highest menu it is in."""
    roles: dict[str, str] = {}
    for menu in menus:
        if menu.role != "staff":
            for chat in menu.external_ids:
                if ROLE_RANK.get(menu.role, 0) > ROLE_RANK.get(roles.get(chat, "staff"), 0):
                    roles[chat] = menu.role
    return roles


class MenuRefresher:
    def __init__(self, bot: Bot, conversation, *, sleep: Sleep = asyncio.sleep) -> None:
        self.bot, self.conversation, self._sleep = bot, conversation, sleep
        self._shown: dict[str, str] = {}  # chat -> the role whose menu it was given (staff: not listed)

    async def set_all(self) -> None:
        menus = await command_menus_of(self.conversation)
        await set_command_menus(self.bot, menus, default_language=menu_language(self.conversation), sleep=self._sleep)
        self._shown = chat_roles(menus)

    async def refresh(self) -> None:
        menus = await command_menus_of(self.conversation)
        roles = chat_roles(menus)
        changed = {chat for chat, role in roles.items() if self._shown.get(chat) != role}
        if changed:
            await set_command_menus(self.bot, [
                replace(m, external_ids=[e for e in m.external_ids if e in changed])
                for m in menus if m.role != "staff" and changed.intersection(m.external_ids)
            ], default_language=menu_language(self.conversation), sleep=self._sleep)
        for chat in sorted(set(self._shown) - set(roles)):
            await self._back_to_default(chat)
        self._shown = roles

    async def _back_to_default(self, chat: str) -> None:
        """A chat's own menu removed, in every language it was set in: the default (staff) menu shows."""
        for language in (None, *LANGUAGES):
            method = DeleteMyCommands(scope=BotCommandScopeChat(chat_id=int(chat)), language_code=language)
            try:
                await call_with_retry(self.bot, method, self._sleep)
            except TelegramAPIError as exc:
                log.warning("deleteMyCommands for a chat failed: %s", exc.message)

    async def run(self, interval_s: float = MENU_REFRESH_S) -> None:
        """Refresh every `interval_s` until cancelled; a failed round is logged and tried again next time."""
        while True:
            await self._sleep(interval_s)
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a menu is a convenience; the next round tries again
                log.exception("refreshing the command menus failed")
