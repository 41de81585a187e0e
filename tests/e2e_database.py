"""Reading the database an `apel` process under test writes, on either engine (the test's own connection)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text as sql

from storage.unit_of_work import Database


def query(url: str, schema: str | None, statement: str) -> list[tuple]:
    async def fetch() -> list[tuple]:
        db = Database(url, schema=schema)
        try:
            async with db.engine.connect() as conn:
                return [tuple(row) for row in (await conn.execute(sql(statement))).all()]
        finally:
            await db.dispose()

    return asyncio.run(fetch())


async def link_everyone(url: str, schema: str | None, nips: list[str], first_uid: int,
                        channel=None) -> dict[str, int]:
    """Each person's Telegram chat id (first_uid, first_uid + 1, …), linked as if each had opened their invite;
    or their id on `channel`."""
    import datetime as dt

    from bot.domain.org_terms import Channel

    channel = channel or Channel.TELEGRAM

    db = Database(url, schema=schema)
    chats = {nip: first_uid + i for i, nip in enumerate(nips)}
    try:
        async with db.uow() as uow:
            ids = dict((await uow.session.execute(sql("SELECT nip, id FROM person"))).all())
            for nip, chat in chats.items():
                await uow.accounts.link(ids[nip], channel, str(chat), dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
            await uow.commit()
    finally:
        await db.dispose()
    return chats
