"""The real core behind aiogram's Dispatcher with the recording fake session: what the bad-input corpus
feeds. Every text the bot sends is checked as Telegram would check it (HTML, length, buttons)."""

from __future__ import annotations

import itertools
import time
from typing import Any

from aiogram.client.default import Default
from sqlalchemy import func, select

from bot.channels.telegram.app import build_dispatcher, make_bot
from bot.channels.telegram.transport import TelegramTransport
from bot.domain.org_terms import Channel
from storage.tables import SQLModel
from tests.bot_api_spec import check_call
from tests.chat_harness import ChatHarness
from tests.telegram_fakes import TOKEN, FakeSession, as_update, private_chat

# Rows a refused input must not change. Bookkeeping (seen updates, the outbox, audit entries of
# refusals, the conversation's waiting state) legitimately moves with every update.
DATA_TABLES = (
    "org_unit", "person", "channel_account", "invite", "task", "evidence", "report", "location_fix",
    "leave_request", "calendar_entry", "unit_schedule", "day_flag", "presence_summary", "presence_check",
)


def now_seconds() -> int:
    # aiogram's adapter keeps a message's age relative to the injected clock: a fresh date keeps it "now".
    return int(time.time())


def user(user_id: int, first_name: str = "Rudi", language_code: str = "id") -> dict:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}


class TelegramCoreRig:
    """People talk to the real Conversation through aiogram; replies go straight through the real
    transport into the fake session, where they are recorded and checked."""

    def __init__(self, db, clock, media_dir):
        self.db = db
        self.harness = ChatHarness(db, clock, media_dir)
        self.conversation = self.harness.conversation
        self.session = FakeSession()
        self.bot = make_bot(TOKEN, session=self.session)
        self.transport = TelegramTransport(self.bot)
        self.dp = build_dispatcher(self.conversation, self._deliver)
        self.updates = itertools.count(10_000)
        self.messages = itertools.count(100)
        self.crashes: list[BaseException] = []
        self.welcomes: list[Any] = []  # the calls of linking, for tests that look at what people were greeted with

    async def _deliver(self, outgoings, origin) -> None:
        for outgoing in outgoings:
            if outgoing.channel is Channel.TELEGRAM:
                await self.transport.attempt(outgoing, 0)

    async def feed(self, payload: dict) -> list[Any]:
        """Feed one update; returns the Bot API calls it caused. A crash is recorded, not raised, so a
        case can say what it did and the next update still shows whether the bot lives."""
        mark = len(self.session.calls)
        payload = {"update_id": next(self.updates), **payload}
        try:
            await self.dp.feed_update(self.bot, as_update(self.bot, payload))
        except Exception as exc:  # noqa: BLE001 - the corpus asserts there were none
            self.crashes.append(exc)
        return self.session.calls[mark:]

    def message(self, sender: int, **content: Any) -> dict:
        return {"message": {"message_id": next(self.messages), "from": user(sender), "chat": private_chat(sender),
                            "date": now_seconds(), **content}}

    async def says(self, sender: int, text: str) -> list[Any]:
        return await self.feed(self.message(sender, text=text))

    async def taps(self, sender: int, data: str) -> list[Any]:
        shown = {"message_id": next(self.messages), "from": user(123456, "Apel") | {"is_bot": True},
                 "chat": private_chat(sender), "date": now_seconds(), "text": "…"}
        query = {"id": f"cq{next(self.messages)}", "from": user(sender), "chat_instance": "ci", "data": data,
                 "message": shown}
        return await self.feed({"callback_query": query})

    async def counts(self) -> dict[str, int]:
        async with self.db.uow() as uow:
            tables = {t.name: t for t in SQLModel.metadata.sorted_tables}
            return {name: (await uow.session.execute(select(func.count()).select_from(tables[name]))).scalar_one()
                    for name in DATA_TABLES}


def texts_of(calls: list[Any]) -> list[str]:
    return [c.text if hasattr(c, "text") and c.text is not None else (getattr(c, "caption", None) or "")
            for c in calls if c.__api_method__ in {"sendMessage", "editMessageText", "sendDocument", "sendPhoto"}]


def telegram_problems(calls: list[Any]) -> list[str]:
    """What Telegram would refuse in these calls (tests/bot_api_spec.py), e.g. HTML that does not parse."""
    problems = []
    for call in calls:
        params = {k: v for k, v in call.model_dump(exclude_none=True).items() if not isinstance(v, Default)}
        if isinstance(getattr(call, "parse_mode", None), Default):
            params["parse_mode"] = "HTML"  # the bot's default (make_bot), as aiogram fills it in
        problems += [f"{call.__api_method__}: {p}" for p in _checked(call.__api_method__, params)]
    return problems


def _checked(method: str, params: dict) -> list[str]:
    # The spec check also knows the parameters; aiogram's model_dump may carry defaults Telegram ignores.
    return [p for p in check_call(method, params) if not p.startswith("unknown parameter")]

