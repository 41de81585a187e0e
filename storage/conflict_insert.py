"""INSERT … ON CONFLICT for the engine at hand. PostgreSQL and SQLite spell it alike, but SQLAlchemy has
one construct per dialect, so every repository that writes "unless it is there already" picks one here."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

_INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def dialect_insert(session: AsyncSession) -> Callable:
    """The insert construct of the session's engine (it has `on_conflict_do_nothing`/`_do_update`)."""
    return _INSERTS[session.bind.dialect.name]


def built_per_dialect(build: Callable) -> dict[str, object]:
    """A statement built once for each engine, looked up by the dialect's name when it runs: building a
    statement on every call costs about as much as running it (BENCHMARKS.md, "Update ingest")."""
    return {name: build(insert) for name, insert in _INSERTS.items()}
