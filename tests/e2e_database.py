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
