"""Running the Telegram adapter: long polling (the embedded default) or a webhook ASGI app.

`api_url` is the Bot API base (https://api.telegram.org, a local Bot API server, or a test stand-in);
aiogram builds `<api_url>/bot<token>/<method>` and `<api_url>/file/bot<token>/<path>` from it."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.types import LinkPreviewOptions
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods import DeleteWebhook

from bot.channels.telegram.dispatch import (
    ALLOWED_UPDATES,
    BotMediaFetcher,
    Deliver,
    build_dispatcher,
    set_command_menus,
    wake_sender,
)
from bot.channels.telegram.menu_refresh import MenuRefresher
from bot.channels.telegram.outbound import call_with_retry
from bot.channels.telegram.polling import RetryUntilHandled
from bot.channels.telegram.response_types import pin_response_models
from bot.channels.telegram.webhook import WEBHOOK_PATH, WebhookApp

if TYPE_CHECKING:
    from bot.services.conversation import Conversation

__all__ = [
    "ALLOWED_UPDATES",
    "BotMediaFetcher",
    "WebhookApp",
    "build_dispatcher",
    "make_bot",
    "run_polling",
    "set_command_menus",
    "webhook_asgi_app",
]

DEFAULT_API_URL = "https://api.telegram.org"


def make_bot(token: str, api_url: str = DEFAULT_API_URL, *, session: BaseSession | None = None,
             timeout: float | None = None) -> Bot:
    """A Bot whose defaults match what the core writes: HTML text, no link previews.

    `session` lets tests pass a recording session; otherwise aiohttp against `api_url`, with `timeout`
    seconds per request when given (aiogram's default otherwise)."""
    if session is None:
        extra = {} if timeout is None else {"timeout": timeout}
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url), **extra)
    # Not `link_preview_is_disabled`: aiogram would also fill the removed `disable_web_page_preview`
    # parameter, which Bot API 10.1 refuses. `link_preview` sends only `link_preview_options`.
    defaults = DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True))
    return Bot(token, session=pin_response_models(session), default=defaults)


async def run_polling(
    conversation: Conversation,
    *,
    token: str,
    api_url: str = DEFAULT_API_URL,
    deliver: Deliver | None = None,
    session: BaseSession | None = None,
    bot: Bot | None = None,
    handle_signals: bool = True,
    polling_timeout: int = 30,
    retry: RetryUntilHandled | None = None,
) -> None:
    """Long polling until SIGINT/SIGTERM (or the task is cancelled).

    handle_as_tasks=False: aiogram confirms an update (next getUpdates offset) only after its handling
    returned, one update at a time, so a process crash mid-update makes Telegram deliver it again. And
    `retry` (bot/channels/telegram/polling.py) makes the handling return only once the core stored the
    update: through a database outage it waits, a bug is tried a few times and then skipped loudly."""
    bot = bot or make_bot(token, api_url, session=session)
    menus = MenuRefresher(bot, conversation)
    try:
        dispatcher = build_dispatcher(conversation, deliver or wake_sender(None))
        dispatcher.update.outer_middleware(retry or RetryUntilHandled())
        # A webhook left set makes getUpdates fail with 409; pending updates are kept, not dropped.
        await call_with_retry(bot, DeleteWebhook(drop_pending_updates=False))
        await menus.set_all()
    except BaseException:
        await bot.session.close()
        raise
    refreshing = asyncio.create_task(menus.run())
    try:
        await dispatcher.start_polling(
            bot,
            handle_as_tasks=False,
            allowed_updates=ALLOWED_UPDATES,
            handle_signals=handle_signals,
            polling_timeout=polling_timeout,
        )
    finally:
        refreshing.cancel()


def webhook_asgi_app(
    conversation: Conversation,
    *,
    token: str,
    api_url: str = DEFAULT_API_URL,
    webhook_url: str,
    secret_token: str,
    deliver: Deliver | None = None,
    session: BaseSession | None = None,
    bot: Bot | None = None,
    path: str = WEBHOOK_PATH,
) -> WebhookApp:
    """An ASGI app for `uvicorn`-like servers; setWebhook and the menus run at lifespan start-up.

    Serve it with lifespan enabled (uvicorn's default "auto" does), or call `startup()` yourself."""
    bot = bot or make_bot(token, api_url, session=session)
    dispatcher = build_dispatcher(conversation, deliver or wake_sender(None))
    return WebhookApp(dispatcher, bot, conversation, webhook_url=webhook_url, secret_token=secret_token,
                      path=path)
