"""Shared fixtures: databases on both engines, a fake clock, sample files.

PostgreSQL: 127.0.0.1:5432, database `test` (override with APEL_TEST_POSTGRES_URL). Each test run
migrates its own schema and drops it at the end, so parallel runs never collide. Where no server
answers, the PostgreSQL half is skipped, unless APEL_REQUIRE_POSTGRES=1 (as in CI) makes it a failure."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text as sql

from storage.migrate import upgrade
from storage.tables import SQLModel
from storage.unit_of_work import Database

PG_URL = os.environ.get("APEL_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
RUN_SCHEMA = f"apel_test_{uuid.uuid4().hex[:10]}"


class FakeClock:
    """A clock the test sets and moves."""

    def __init__(self, start: dt.datetime | None = None):
        self.current = start or dt.datetime(2026, 11, 23, 0, 30, tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def _pg_prepare() -> str | None:
    db = Database(PG_URL)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(sql(f'CREATE SCHEMA "{RUN_SCHEMA}"'))
    except (OSError, Exception) as exc:  # noqa: BLE001 - any failure to reach the server means "no PostgreSQL"
        return f"PostgreSQL at {PG_URL} is not reachable ({type(exc).__name__}: {exc})"
    finally:
        await db.dispose()
    migrated = Database(PG_URL, schema=RUN_SCHEMA)
    try:
        await upgrade(migrated.engine)
    finally:
        await migrated.dispose()
    return None


async def _pg_drop() -> None:
    db = Database(PG_URL)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(sql(f'DROP SCHEMA IF EXISTS "{RUN_SCHEMA}" CASCADE'))
    finally:
        await db.dispose()


@pytest.fixture(scope="session")
def postgres_schema():
    problem = asyncio.run(_pg_prepare())
    if problem:
        if os.environ.get("APEL_REQUIRE_POSTGRES") == "1":
            pytest.fail(problem + " and APEL_REQUIRE_POSTGRES=1")
        pytest.skip(problem)
    yield RUN_SCHEMA
    asyncio.run(_pg_drop())


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await upgrade(database.engine)
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An empty migrated SQLite file, made once per run: each test gets a copy (migrating takes about
    0.2 s, copying a millisecond, and a few hundred tests start from it)."""
    path = tmp_path_factory.mktemp("sqlite_template") / "apel.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    # Closing the last connection checkpoints the WAL into the file: the file alone is the database.
    assert sorted(p.name for p in path.parent.iterdir()) == ["apel.db"]
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request, tmp_path) -> tuple[str, str | None]:
    """(DATABASE_URL, DATABASE_SCHEMA) of an empty, migrated database on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "apel.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}", None
    schema = request.getfixturevalue("postgres_schema")

    async def _empty():
        database = Database(PG_URL, schema=schema)
        try:
            async with database.engine.begin() as conn:
                names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
                await conn.execute(sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        finally:
            await database.dispose()

    asyncio.run(_empty())
    return PG_URL, schema


@pytest.fixture
async def db(db_target):
    url, schema = db_target
    database = Database(url, schema=schema)
    yield database
    await database.dispose()


@pytest.fixture
def apel_env(db_target, monkeypatch, tmp_path):
    """Environment for running the `apel` CLI against the test database, with no tokens set."""
    url, schema = db_target
    monkeypatch.chdir(tmp_path)
    env = {
        "DATABASE_URL": url,
        "DATABASE_SCHEMA": schema or "",
        "DEFAULT_LANGUAGE": "en",
        "TELEGRAM_BOT_TOKEN": "",
        "WHATSAPP_TOKEN": "",
        "TELEGRAM_BOT_USERNAME": "ApelDinasBot",
        "WHATSAPP_NUMBER": "+6281100001111",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    # The CLI keeps one FAKE_NOW clock per value for its process; in a test worker that process outlives the test,
    # and a later test with the same FAKE_NOW would start minutes late ("reported 10.02" for 10.00).
    import bot.cli.context as cli_context

    monkeypatch.setattr(cli_context, "_clocks", {})
    return env


def pytest_collection_modifyitems(config, items):
    """The slow tests first (in their usual order): handed out last, they all landed on one worker, which ran
    on for minutes after the others were idle (CI 12.5 min with one worker 170 s behind the other)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
