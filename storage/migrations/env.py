"""Alembic environment. `storage.migrate` hands in an open connection; the `alembic` command line
(for writing new revisions: `alembic revision --autogenerate -m ...`) opens one from DATABASE_URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_settings() -> None:
    from bot.settings import Settings
    from storage.database import make_engine

    settings = Settings()
    engine = make_engine(settings.database_url, schema=settings.database_schema)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_from_settings())
