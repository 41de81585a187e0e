"""One database, many short cases: each case runs inside an outer transaction that is rolled back, so
a table of cases shares one built office and none sees what another did.

The core commits through `SqlUnitOfWork`; bound to the case's connection with
`join_transaction_mode="create_savepoint"`, each commit releases a SAVEPOINT instead of committing."""

from __future__ import annotations

from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.database import is_sqlite, make_engine
from storage.unit_of_work import SqlUnitOfWork


class SavepointDatabase:
    """`uow()` like `Database.uow()`, valid inside `async with case():`."""

    def __init__(self, url: str, schema: str | None):
        self.engine = make_engine(url, schema=schema)
        if is_sqlite(url):
            # pysqlite opens transactions lazily and would not let SAVEPOINT nest under our BEGIN;
            # SQLAlchemy's documented recipe: let SQLAlchemy emit BEGIN itself.
            @event.listens_for(self.engine.sync_engine, "connect")
            def _no_pysqlite_transactions(dbapi_connection, _record):
                dbapi_connection.isolation_level = None

            @event.listens_for(self.engine.sync_engine, "begin")
            def _begin(conn):
                conn.exec_driver_sql("BEGIN")

        self._sessions = None

    def uow(self) -> SqlUnitOfWork:
        assert self._sessions is not None, "uow() outside a case"
        return SqlUnitOfWork(self._sessions)

    @asynccontextmanager
    async def case(self):
        async with self.engine.connect() as conn:
            outer = await conn.begin()
            self._sessions = async_sessionmaker(bind=conn, expire_on_commit=False,
                                                join_transaction_mode="create_savepoint")
            try:
                yield self
            finally:
                self._sessions = None
                await outer.rollback()

    async def dispose(self) -> None:
        await self.engine.dispose()
