"""The migrations build exactly the schema the models describe, on both engines, and go back down."""

import contextlib
import datetime as dt
import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, insert, select
from sqlalchemy import text as sql

from storage.migrate import alembic_config, pending, upgrade
from storage.tables import OrgMembership, OrgUnit, Person, SQLModel
from storage.unit_of_work import Database
from tests.conftest import PG_URL


async def test_no_drift_between_models_and_migrations(db):
    def diff(connection):
        return compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)

    async with db.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == []
    assert not await pending(db.engine)


async def test_upgrade_is_idempotent(db):
    await upgrade(db.engine)
    await upgrade(db.engine)
    assert not await pending(db.engine)


@pytest.mark.parametrize("dummy", [None])
async def test_downgrade_to_base_and_up_again_on_sqlite(tmp_path, dummy):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    try:
        await upgrade(database.engine)

        def down(connection):
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "base")

        async with database.engine.begin() as conn:
            await conn.run_sync(down)
        assert await pending(database.engine)
        await upgrade(database.engine)
        assert not await pending(database.engine)
    finally:
        await database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_kind(request) -> str:
    if request.param == "postgresql":
        request.getfixturevalue("postgres_schema")  # skips when no server (outside the event loop)
    return request.param


@pytest.fixture
async def database_at_0012(engine_kind, tmp_path):
    async with _database_at(engine_kind, tmp_path, "0012") as database:
        yield database


@pytest.fixture
async def database_at_0013(engine_kind, tmp_path):
    async with _database_at(engine_kind, tmp_path, "0013") as database:
        yield database


@contextlib.asynccontextmanager
async def _database_at(engine_kind: str, tmp_path, revision: str):
    """A database of its own (not the shared test schema), migrated up to `revision`."""
    if engine_kind == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    else:
        schema = f"backfill_{uuid.uuid4().hex[:8]}"
        admin = Database(PG_URL)
        async with admin.engine.begin() as conn:
            await conn.execute(sql(f'CREATE SCHEMA "{schema}"'))
        database = Database(PG_URL, schema=schema)
    try:
        await upgrade(database.engine, revision)
        yield database
    finally:
        await database.dispose()
        if engine_kind == "postgresql":
            async with admin.engine.begin() as conn:
                await conn.execute(sql(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()


async def test_memberships_are_backfilled_with_how_things_stand(database_at_0012):
    # Three people before the history was kept: active; deactivated on 10 November; inactive without a date.
    added, gone = dt.datetime(2026, 11, 1, tzinfo=dt.UTC), dt.datetime(2026, 11, 10, tzinfo=dt.UTC)
    async with database_at_0012.engine.begin() as conn:
        await conn.execute(insert(OrgUnit.__table__).values(id=1, name="Dinas", kind="dinas",
                                                            timezone="Asia/Jakarta", created_at=added,
                                                            updated_at=added))
        await conn.execute(insert(Person.__table__), [
            {"id": i, "nip": f"{i:018d}", "name": f"P{i}", "position": "Staf", "unit_id": 1, "role": "staff",
             "wfh_eligible": True, "active": active, "deactivated_at": at, "created_at": added, "updated_at": added}
            for i, active, at in ((1, True, None), (2, False, gone), (3, False, None))
        ])
    await upgrade(database_at_0012.engine)
    async with database_at_0012.engine.connect() as conn:
        rows = (await conn.execute(select(
            OrgMembership.person_id, OrgMembership.unit_id, OrgMembership.active, OrgMembership.valid_from,
            OrgMembership.valid_until).order_by(OrgMembership.person_id, OrgMembership.valid_from))).all()
    assert [tuple(r) for r in rows] == [
        (1, 1, True, added, None),
        (2, 1, True, added, gone),
        (2, 1, False, gone, None),
        (3, 1, False, added, None),
    ]


async def test_supervisors_are_backfilled_on_open_memberships_only_and_the_columns_go_back_down(database_at_0013):
    # Before supervisors were recorded: Budi at the top, Rudi under him, Sari under him until deactivated on
    # 10 November. Her membership closed then had a supervisor nobody recorded: not known, not guessed.
    added, gone = dt.datetime(2026, 11, 1, tzinfo=dt.UTC), dt.datetime(2026, 11, 10, tzinfo=dt.UTC)
    engine = database_at_0013.engine
    async with engine.begin() as conn:
        await conn.execute(insert(OrgUnit.__table__).values(id=1, name="Dinas", kind="dinas",
                                                            timezone="Asia/Jakarta", created_at=added,
                                                            updated_at=added))
        for i, boss, active in ((1, None, True), (2, 1, True), (3, 1, False)):
            await conn.execute(insert(Person.__table__).values(
                id=i, nip=f"{i:018d}", name=f"P{i}", position="Staf", unit_id=1, supervisor_id=boss, role="staff",
                wfh_eligible=True, active=active, created_at=added, updated_at=added))
        await conn.execute(sql("INSERT INTO org_membership (person_id, unit_id, active, valid_from, valid_until) "
                               "VALUES (1, 1, :t, :a, NULL), (2, 1, :t, :a, NULL), (3, 1, :t, :a, :g), "
                               "(3, 1, :f, :g, NULL)"), {"t": True, "f": False, "a": added, "g": gone})
    await upgrade(engine)
    async with engine.connect() as conn:
        rows = (await conn.execute(select(
            OrgMembership.person_id, OrgMembership.valid_from, OrgMembership.supervisor_id,
            OrgMembership.supervisor_known).order_by(OrgMembership.person_id, OrgMembership.valid_from))).all()
    assert [tuple(r) for r in rows] == [
        (1, added, None, True),  # the top of the chain, known
        (2, added, 1, True),
        (3, added, None, False),  # closed before: who it was cannot be known
        (3, gone, 1, True),
    ]

    def down_to_0013(connection):
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
        return [c["name"] for c in inspect(connection).get_columns("org_membership")]

    async with engine.begin() as conn:
        columns = await conn.run_sync(down_to_0013)
    assert "supervisor_id" not in columns and "supervisor_known" not in columns and "unit_id" in columns
    async with engine.connect() as conn:
        assert (await conn.execute(sql("SELECT COUNT(*) FROM org_membership"))).scalar_one() == 4
    await upgrade(engine)
    assert not await pending(engine)
