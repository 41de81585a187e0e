"""Command menus follow the org chart while the bot runs: someone an import made a section head gets the
supervisor's menu, a former supervisor the staff one, someone who chose another language in Apel a menu in
it, within MENU_REFRESH_S and without a restart.

Menus are set in full at start; afterwards only the chats whose menu changed are touched (a province has
thousands of supervisors, and setMyCommands is one call per chat and language)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from aiogram import Bot

from bot.channels.telegram.dispatch import (
    ROLE_RANK,
    command_menus_of,
    delete_chat_menus,
    menu_language,
    set_command_menus,
)
from bot.channels.telegram.outbound import Sleep

log = logging.getLogger(__name__)

MENU_REFRESH_S = 900


def chat_menus(menus) -> dict[str, tuple[str, str]]:
    """Each chat with a menu of its own and the (role, language) of the highest menu it is in."""
    shown: dict[str, tuple[str, str]] = {}
    for menu in menus:
        for chat in menu.external_ids:
            if chat not in shown or ROLE_RANK.get(menu.role, 0) > ROLE_RANK.get(shown[chat][0], 0):
                shown[chat] = (menu.role, menu.language)
    return shown


class MenuRefresher:
    def __init__(self, bot: Bot, conversation, *, sleep: Sleep = asyncio.sleep) -> None:
        self.bot, self.conversation, self._sleep = bot, conversation, sleep
        self._shown: dict[str, tuple[str, str]] = {}  # chat -> the (role, language) of its own menu

    async def set_all(self) -> None:
        menus = await command_menus_of(self.conversation)
        await set_command_menus(self.bot, menus, default_language=menu_language(self.conversation), sleep=self._sleep)
        self._shown = chat_menus(menus)

    async def refresh(self) -> None:
        menus = await command_menus_of(self.conversation)
        shown = chat_menus(menus)
        changed = {chat for chat, wanted in shown.items() if self._shown.get(chat) != wanted}
        if changed:
            await set_command_menus(self.bot, [
                replace(m, external_ids=[e for e in m.external_ids if e in changed])
                for m in menus if changed.intersection(m.external_ids)
            ], default_language=menu_language(self.conversation), sleep=self._sleep)
        for chat in sorted(set(self._shown) - set(shown)):
            await delete_chat_menus(self.bot, chat, self._sleep)
        self._shown = shown

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
