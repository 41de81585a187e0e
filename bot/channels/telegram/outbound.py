"""Channel-neutral `Outgoing` → Bot API calls, with Telegram's failure modes handled.

How one Reply becomes Bot API calls (`plan`, `keyboard`); sending them is the outbox sender's work
through `transport.TelegramTransport`. `call_with_retry` is for the bot's own set-up calls (webhook,
menus), which happen outside the outbox."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import EditMessageText, SendDocument, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import (
    BufferedInputFile,
    FSInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
)

from bot.channels.telegram.inbound import TapOrigin
from bot.channels.telegram.text_split import CAPTION_LIMIT, TEXT_LIMIT, split_html, visible_len
from bot.domain.org_terms import Channel
from bot.messages import Attachment, Outgoing, Reply

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[Any]]
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
RETRY_AFTER_ATTEMPTS = 3  # a 429 repeated this often means the outbox should slow down, not us
# Polling handles one update at a time: a long flood wait here would stall every other person's turn.
MAX_RETRY_AFTER_S = 30
NETWORK_ATTEMPTS = 3
NETWORK_BACKOFF_S = (1.0, 2.0, 4.0)
# Editing to identical content: the message already shows what we wanted; a new copy would be noise.
NOT_MODIFIED = "message is not modified"

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None


class Unreachable(Protocol):
    async def mark_unreachable(self, channel: Channel, external_id: str) -> None: ...


def redact(text: str, token: str) -> str:
    """Network errors may quote the request URL, which contains the token."""
    return text.replace(token, "<token>") if token else text


async def call_with_retry(bot: Bot, method: TelegramMethod[Any], sleep: Sleep = asyncio.sleep) -> Any:
    """`bot(method)`, waiting out 429s and retrying transient network/server failures.

    Anything else (400, 403, a file too large) is raised at once: retrying cannot fix it; so is a
    flood wait longer than MAX_RETRY_AFTER_S (the message is dropped and logged)."""
    flood = network = 0
    while True:
        try:
            return await bot(method)
        except TelegramRetryAfter as exc:
            flood += 1
            if flood > RETRY_AFTER_ATTEMPTS or exc.retry_after > MAX_RETRY_AFTER_S:
                raise
            await sleep(exc.retry_after)
        except TelegramEntityTooLarge:
            raise  # a subclass of TelegramNetworkError, but no retry makes the file smaller
        except (TelegramNetworkError, TelegramServerError):
            network += 1
            if network > NETWORK_ATTEMPTS:
                raise
            await sleep(NETWORK_BACKOFF_S[min(network, len(NETWORK_BACKOFF_S)) - 1])


def keyboard(reply: Reply) -> Markup:
    """Inline buttons for actions, or a one-time reply keyboard for "share my location".

    The core never mixes both in one Reply; if it ever did, the kind of the first button wins and
    the others are dropped with a warning rather than sent as buttons that do nothing."""
    buttons = [b for row in reply.buttons for b in row]
    if not buttons:
        return None
    if buttons[0].request_location:
        rows = [[KeyboardButton(text=b.label, request_location=True) for b in row if b.request_location]
                for row in reply.buttons]
        markup: Markup = ReplyKeyboardMarkup(keyboard=[r for r in rows if r], one_time_keyboard=True,
                                             resize_keyboard=True)
        kept = sum(len(r) for r in rows)
    else:
        inline = [[InlineKeyboardButton(text=b.label, callback_data=b.action) for b in row if b.action]
                  for row in reply.buttons]
        markup = InlineKeyboardMarkup(inline_keyboard=[r for r in inline if r])
        kept = sum(len(r) for r in inline)
    if kept != len(buttons):
        log.warning("dropped %d button(s) of another kind in one reply", len(buttons) - kept)
    return markup


def input_file(attachment: Attachment) -> BufferedInputFile | FSInputFile:
    if attachment.content is not None:
        return BufferedInputFile(attachment.content, filename=attachment.filename)
    if attachment.path is not None:
        return FSInputFile(attachment.path, filename=attachment.filename)
    raise ValueError(f"attachment {attachment.filename!r} has neither content nor path")


def plan(chat_id: int, reply: Reply) -> list[TelegramMethod[Any]]:
    """The Bot API calls that render one Reply, in order; the keyboard goes on the last one."""
    markup = keyboard(reply)
    methods: list[TelegramMethod[Any]] = []
    caption: str | None = None
    if reply.attachment is not None and visible_len(reply.text) <= CAPTION_LIMIT:
        caption = reply.text or None
    elif reply.text:
        parts = split_html(reply.text, TEXT_LIMIT)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1 and reply.attachment is None
            methods.append(SendMessage(chat_id=chat_id, text=part, parse_mode=ParseMode.HTML,
                                       link_preview_options=NO_PREVIEW, reply_markup=markup if last else None))
    if reply.attachment is not None:
        file = input_file(reply.attachment)
        common = dict(chat_id=chat_id, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup)
        if reply.attachment.is_photo:
            methods.append(SendPhoto(photo=file, **common))
        else:
            methods.append(SendDocument(document=file, **common))
    return methods


def _editable(reply: Reply, markup: Markup) -> bool:
    # edit_message_text can change text and inline buttons only.
    return (reply.attachment is None and bool(reply.text) and visible_len(reply.text) <= TEXT_LIMIT
            and not isinstance(markup, ReplyKeyboardMarkup))
