"""The claim: the due messages a sender takes, most urgent first, and never a chat's message while an
earlier one of that chat is in flight or waits for its retry time (DESIGN "The outbox")."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text as sql
from sqlalchemy.dialects import postgresql

from bot.domain.org_terms import Channel
from bot.messages import Outgoing, Reply, Urgency
from storage.outbox_repository import CLAIM_LOCK, CLAIM_PAGES, CLAIM_START, claim_page

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
TELEGRAM = [Channel.TELEGRAM]


def bulk(chat: str, text: str) -> Outgoing:
    return Outgoing(Channel.TELEGRAM, chat, Reply(text), Urgency.BULK, kind="briefing", key=f"claim:{chat}:{text}")


async def queue(db, *outgoings: Outgoing) -> None:
    async with db.uow() as uow:
        uow.outbox.add(list(outgoings))
        await uow.commit()


class Claims:
    """Claims as a sender makes them, remembering each claimed message's id by its text."""

    def __init__(self, db):
        self.db = db
        self.ids: dict[str, int] = {}

    async def __call__(self, limit: int, now: dt.datetime = NOW) -> list[str]:
        async with self.db.uow() as uow:
            items = await uow.outbox.claim("t", now, limit, TELEGRAM)
            await uow.commit()
        self.ids.update({item.outgoing.reply.text: item.id for item in items})
        return [item.outgoing.reply.text for item in items]

    async def sent(self, text: str) -> None:
        async with self.db.uow() as uow:
            await uow.outbox.sent_many([(self.ids[text], 1)], NOW)
            await uow.commit()


@pytest.fixture
def claim(db) -> Claims:
    return Claims(db)


async def test_a_chat_with_a_message_in_flight_waits_while_the_others_are_claimed(db, claim):
    await queue(db, bulk("1", "a1"), bulk("1", "a2"), bulk("2", "b1"))
    assert await claim(1) == ["a1"]
    assert await claim(10) == ["b1"]
    await claim.sent("a1")
    assert await claim(10) == ["a2"]


async def test_a_later_message_waits_behind_an_earlier_one_waiting_for_its_retry_time(db, claim):
    await queue(db, bulk("1", "a1"), bulk("1", "a2"), bulk("2", "b1"))
    assert await claim(1) == ["a1"]
    async with db.uow() as uow:
        await uow.outbox.retry(claim.ids["a1"], NOW + dt.timedelta(minutes=1), parts_sent=0, attempts=1,
                               uncertain=0, reason="502")
        await uow.commit()
    assert await claim(10) == ["b1"]
    assert await claim(10, NOW + dt.timedelta(seconds=30)) == []
    assert await claim(10, NOW + dt.timedelta(minutes=1, seconds=1)) == ["a1", "a2"]


async def test_a_page_of_waiting_chats_does_not_stop_the_claim_at_it(db, claim):
    busy = [bulk("1", f"a{n}") for n in range(1, 6)]
    await queue(db, *busy, bulk("2", "b1"), bulk("3", "c1"))
    assert await claim(1) == ["a1"]
    # Pages of two: a2 a3 | a4 a5 | b1 c1 — the third page, within CLAIM_PAGES.
    assert CLAIM_PAGES >= 3
    assert await claim(2) == ["b1", "c1"]


async def test_what_lies_beyond_the_last_page_waits_for_a_later_claim(db, claim):
    await queue(db, *[bulk("1", f"a{n}") for n in range(1, CLAIM_PAGES + 3)], bulk("2", "b1"))
    assert await claim(1) == ["a1"]
    assert await claim(1) == []  # CLAIM_PAGES pages of one, all chat 1's
    await claim.sent("a1")
    assert await claim(1) == ["a2"]


async def test_postgresql_walks_the_claim_index_even_with_statistics_from_before_the_wave(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the planner settings and FOR UPDATE are PostgreSQL's; SQLite has no statistics unless analyzed")
    async with db.uow() as uow:
        await uow.session.execute(sql("ANALYZE outbox"))  # statistics of an empty queue
        await uow.commit()
    # 20,000: at 3,000 the planner walks the index anyway; at 20,000 it sorts them all without the settings
    await queue(db, *[bulk(str(n), "wave") for n in range(20_000)])
    page = claim_page(1000, TELEGRAM, 2, None, postgres=True).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    async with db.uow() as uow:
        conn = await uow.session.connection()
        await conn.execute(CLAIM_START, {"k": CLAIM_LOCK})
        plan = "\n".join(row[0] for row in await conn.execute(sql(f"EXPLAIN {page}")))
    assert "Index Scan using ix_outbox_claim" in plan and "Sort" not in plan, plan
