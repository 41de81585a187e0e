"""Throwaway migrated databases for benchmarks: a SQLite file, or a PostgreSQL schema dropped after use."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text as sql
from sqlalchemy.engine import make_url

from storage.migrate import upgrade
from storage.unit_of_work import Database

# The same server the tests use (tests/conftest.py); APEL_BENCH_POSTGRES_URL points elsewhere.
POSTGRES_URL = os.environ.get(
    "APEL_BENCH_POSTGRES_URL",
    os.environ.get("APEL_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
)


async def _migrate(url: str, schema: str | None = None) -> None:
    db = Database(url, schema=schema)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()


async def _execute(url: str, statement: str) -> None:
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(sql(statement))
    finally:
        await db.dispose()


async def _scalar(url: str, query: str) -> str:
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            return (await conn.execute(sql(query))).scalar_one()
    finally:
        await db.dispose()


class SqliteTarget:
    name = "SQLite"

    def __init__(self, directory: Path):
        self.directory = directory
        self.version = f"SQLite {sqlite3.sqlite_version}"

    @contextmanager
    def fresh(self, label: str) -> Iterator[tuple[str, str | None]]:
        """An empty migrated file `sqlite_<label>.db`; it stays in the directory (tests count in it)."""
        path = self.directory / f"sqlite_{label}.db"
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        url = f"sqlite+aiosqlite:///{path}"
        asyncio.run(_migrate(url))
        yield url, None


class PostgresTarget:
    name = "PostgreSQL"

    def __init__(self, url: str = POSTGRES_URL):
        self.url = url
        self.version = ""

    def reachable(self) -> str | None:
        """None when the server answers, else why not (the benchmark then skips PostgreSQL)."""
        try:
            self.version = "PostgreSQL " + asyncio.run(_scalar(self.url, "SHOW server_version"))
        except Exception as exc:  # noqa: BLE001 - any failure to reach the server means "no PostgreSQL"
            # The note goes into BENCHMARKS.md: never with a password in it.
            shown = make_url(self.url).render_as_string(hide_password=True)
            return f"PostgreSQL at {shown} is not reachable ({type(exc).__name__}: {exc})"
        return None

    @contextmanager
    def fresh(self, label: str) -> Iterator[tuple[str, str | None]]:
        schema = f"apel_bench_{uuid.uuid4().hex[:10]}_{label}"
        asyncio.run(_execute(self.url, f'CREATE SCHEMA "{schema}"'))
        try:
            asyncio.run(_migrate(self.url, schema))
            yield self.url, schema
        finally:
            asyncio.run(_execute(self.url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def reachable_targets(engines, workdir, *, name: str, log, skipped: list) -> list:
    """The engines asked for; PostgreSQL is left out (with a note in `skipped`) when it does not answer."""
    targets = []
    if "sqlite" in engines:
        targets.append(SqliteTarget(workdir))
    if "postgresql" in engines:
        postgres = PostgresTarget()
        problem = postgres.reachable()
        if problem:
            log(f"{name}: skipping PostgreSQL: {problem}")
            skipped.append(problem)
        else:
            targets.append(postgres)
    return targets
