"""The migrations build exactly the schema the models describe, on both engines, and go back down."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage.migrate import alembic_config, pending, upgrade
from storage.tables import SQLModel
from storage.unit_of_work import Database


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
