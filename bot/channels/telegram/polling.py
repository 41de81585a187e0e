"""Long polling that never confirms an update the core did not store.

aiogram's polling loop moves the getUpdates offset past an update once its handling returns — and its
`_process_update` turns an exception into a log line and a return, so an update whose handling failed
(the database was down) would be confirmed and lost. This middleware sits around the whole handling of
each update and does not return until the core has stored it:

- the database is unavailable: wait (growing back-off, capped) and try again, for as long as it takes;
  the outage is logged once for the whole process (`bot.outage.DATABASE`), not once per try;
- anything else is a bug: tried BUG_ATTEMPTS times (a race may pass the second time), then logged
  loudly with the update id and skipped, so one poisoned update cannot stop the bot for everyone.

With `handle_as_tasks=False` updates are handled one at a time in order, so while one waits for the
database the ones behind it wait too, unconfirmed, on Telegram's side (it keeps them for 24 hours).
Handling an update again is harmless: the core ignores an update key it has seen (`seen_update`)."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update

from bot.channels.telegram.outbound import redact
from bot.outage import DATABASE, Backoff, Outage, first_line
from storage.availability import database_unavailable

log = logging.getLogger(__name__)

BUG_ATTEMPTS = 3
BUG_PAUSE_S = 1.0
WHERE = "telegram polling"

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
Sleep = Callable[[float], Awaitable[None]]


class RetryUntilHandled(BaseMiddleware):
    """An outer middleware on `dispatcher.update` for polling only: the webhook answers 500 instead."""

    def __init__(self, *, unavailable: Callable[[BaseException], bool] = database_unavailable,
                 outage: Outage = DATABASE, backoff: Backoff | None = None, sleep: Sleep = asyncio.sleep,
                 bug_attempts: int = BUG_ATTEMPTS):
        self.unavailable = unavailable
        self.outage = outage
        self.backoff = backoff or Backoff()
        self.sleep = sleep
        self.bug_attempts = bug_attempts
        self.skipped: deque[int | None] = deque(maxlen=100)  # update ids given up on (bugs), the latest

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        token = getattr(data.get("bot"), "token", "")
        update_id = event.update_id if isinstance(event, Update) else None
        bugs = 0
        while True:
            try:
                result = await handler(event, dict(data))  # a fresh copy: handlers add their own keys
            except Exception as error:  # noqa: BLE001 - sorted below: wait for the database, or a bug
                if self.unavailable(error):
                    self.outage.failed(error, WHERE, redact=lambda text: redact(text, token))
                    await self.sleep(self.backoff.next_delay())
                    continue
                bugs += 1
                if bugs >= self.bug_attempts:
                    self._give_up(update_id, error, token)
                    return UNHANDLED
                log.warning("update %s failed (%s); trying it again", update_id,
                            redact(first_line(error), token))
                await self.sleep(BUG_PAUSE_S * bugs)
                continue
            if self.outage.ongoing:
                self.outage.back(WHERE)
            self.backoff.reset()
            return result

    def _give_up(self, update_id: int | None, error: BaseException, token: str) -> None:
        self.skipped.append(update_id)
        trace = redact("".join(traceback.format_exception(error)), token)
        log.error("UPDATE %s SKIPPED: it failed %d times and is not a database outage, so it is treated as a "
                  "bug; its offset is confirmed so the updates behind it go on. Nothing of it was stored.\n%s",
                  update_id, self.bug_attempts, trace)
