"""Migrations build exactly the models' schema, and every revision goes up, down and up again."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from core import migrate
from core.db import create_engine
from core.models import Base
from tests.conftest import in_thread


async def _sync_call(url: str, function: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(function)
    finally:
        await engine.dispose()


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


async def test_migrated_schema_equals_models(empty_db_url: str) -> None:
    in_thread(migrate.upgrade, empty_db_url)
    diff = await _sync_call(empty_db_url, _diff)
    assert diff == []
    tables = await _sync_call(empty_db_url, _tables)
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


async def test_every_revision_upgrades_downgrades_and_upgrades_again(empty_db_url: str) -> None:
    revisions = _revisions()
    assert revisions, "no migrations found"
    for revision in revisions:
        in_thread(migrate.upgrade, empty_db_url, revision)
        in_thread(migrate.downgrade, empty_db_url, "-1")
        in_thread(migrate.upgrade, empty_db_url, revision)
    assert await _sync_call(empty_db_url, _tables) >= set(Base.metadata.tables)
    in_thread(migrate.downgrade, empty_db_url, "base")
    assert await _sync_call(empty_db_url, _tables) == {"alembic_version"}
