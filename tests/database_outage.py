"""A database that goes away inside one test process, on either engine.

The shared PostgreSQL server must never be stopped (others use it), so in-process tests fake the outage
where the bot meets it: the pool is emptied and every new connection is refused, exactly as asyncpg
reports a stopped server (ConnectionRefusedError). tests/test_database_outage.py stops a real, private
server instead."""

from __future__ import annotations

from sqlalchemy import event

from storage.unit_of_work import Database


class FakeDatabaseOutage:
    def __init__(self, db: Database):
        self.db = db
        self.down = False
        self.refused = 0  # connection attempts refused while down
        event.listen(db.engine.sync_engine, "do_connect", self._connect)

    def _connect(self, dialect, conn_rec, cargs, cparams):
        if self.down:
            self.refused += 1
            raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432) [fake outage]")
        return None  # the dialect connects as usual

    async def start(self) -> None:
        self.down = True
        await self.db.engine.dispose()  # pooled connections die with the server

    def end(self) -> None:
        self.down = False
