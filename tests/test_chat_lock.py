"""One chat's updates are handled one at a time across processes: on PostgreSQL the statement that records
an update's key first takes the chat's lock, held until the transaction ends (DESIGN.md "The conversation")."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.domain.org_terms import Channel

AT = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


async def test_an_update_key_is_recorded_once(db):
    async with db.uow() as uow:
        assert await uow.day.first_time_in_chat(Channel.TELEGRAM, "501", "tg:1", AT)
        assert not await uow.day.first_time_in_chat(Channel.TELEGRAM, "501", "tg:1", AT)
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.day.first_time_in_chat(Channel.TELEGRAM, "501", "tg:1", AT)  # a redelivery
        assert await uow.day.first_time_in_chat(Channel.TELEGRAM, "501", "tg:2", AT)


async def test_a_second_worker_waits_for_the_chat_until_the_first_one_commits(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("one SQLite process: its Conversation holds each chat's asyncio lock itself")

    async def record(sender: str, key: str) -> bool:
        async with db.uow() as uow:
            fresh = await uow.day.first_time_in_chat(Channel.TELEGRAM, sender, key, AT)
            await uow.commit()
            return fresh

    async with db.uow() as first:
        assert await first.day.first_time_in_chat(Channel.TELEGRAM, "501", "tg:1", AT)
        # Another chat goes on meanwhile; the same chat, even with another update, waits.
        assert await asyncio.wait_for(record("502", "tg:2"), timeout=5)
        same_chat = asyncio.create_task(record("501", "tg:3"))
        redelivery = asyncio.create_task(record("501", "tg:1"))
        await asyncio.sleep(0.5)
        assert not same_chat.done() and not redelivery.done()
        await first.commit()
    assert await asyncio.wait_for(same_chat, timeout=5)
    assert not await asyncio.wait_for(redelivery, timeout=5)  # it saw the key the first worker recorded
