"""One attempt at sending one outbox message to Telegram, and what came of it. No retries here: the
outbox sender decides (waits out 429s for the whole bot, backs off on 5xx, counts uncertain sends)."""

from __future__ import annotations

import logging

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
from aiogram.methods import EditMessageText

from bot.channels.telegram.outbound import NO_PREVIEW, NOT_MODIFIED, _editable, keyboard, plan, redact
from bot.messages import Outgoing, Urgency
from bot.outbox.records import Attempt, Outcome

log = logging.getLogger(__name__)

# Telegram says "chat not found" (400) to a bot writing to someone who never opened it.
UNREACHABLE_400 = ("chat not found", "user not found")


class TelegramTransport:
    def __init__(self, bot: Bot, *, paid_broadcast: bool = False):
        self.bot = bot
        self.paid_broadcast = paid_broadcast  # bulk beyond 30/s, charged in Telegram Stars

    async def attempt(self, outgoing: Outgoing, parts_sent: int) -> Attempt:
        done = parts_sent
        try:
            if done == 0 and await self._edited(outgoing):
                return Attempt(Outcome.SENT, 1)
            for method in plan(int(outgoing.external_id), outgoing.reply)[done:]:
                if self.paid_broadcast and outgoing.urgency is Urgency.BULK:
                    method.allow_paid_broadcast = True
                await self.bot(method)
                done += 1
            return Attempt(Outcome.SENT, done)
        except TelegramRetryAfter as exc:
            return Attempt(Outcome.RETRY_AFTER, done, float(exc.retry_after), "429")
        except TelegramForbiddenError as exc:
            return Attempt(Outcome.UNREACHABLE, done, reason=f"403 {exc.message}")
        except TelegramEntityTooLarge as exc:
            return Attempt(Outcome.REJECTED, done, reason=f"file too large: {exc.message}")
        except TelegramBadRequest as exc:
            if any(words in exc.message.lower() for words in UNREACHABLE_400):
                return Attempt(Outcome.UNREACHABLE, done, reason=f"400 {exc.message}")
            return Attempt(Outcome.REJECTED, done, reason=f"400 {exc.message}")
        except TelegramServerError as exc:
            return Attempt(Outcome.TRANSIENT, done, reason=f"5xx {exc.message}")
        except TelegramNetworkError as exc:
            message = redact(str(exc), self.bot.token)
            # A timeout means the request left and no answer came: it may have been delivered.
            outcome = Outcome.UNCERTAIN if "timeout" in message.lower() else Outcome.TRANSIENT
            return Attempt(outcome, done, reason=message[:300])
        except TelegramAPIError as exc:
            return Attempt(Outcome.REJECTED, done, reason=redact(str(exc), self.bot.token)[:300])

    async def _edited(self, outgoing: Outgoing) -> bool:
        """Replace the message whose button was tapped, when the reply asks for it and Telegram can."""
        target, reply = outgoing.edit_target, outgoing.reply
        if not target or not reply.edit_origin:
            return False
        markup = keyboard(reply)
        if not _editable(reply, markup):
            return False
        try:
            await self.bot(EditMessageText(chat_id=target["chat_id"], message_id=target["message_id"], text=reply.text,
                                           parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                                           reply_markup=markup))
        except TelegramBadRequest as exc:
            if NOT_MODIFIED in exc.message:
                return True
            # "message can't be edited", "message to edit not found", …: say it as a new message.
            log.info("edit failed (%s); sending a new message", exc.message)
            return False
        return True
