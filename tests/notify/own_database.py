"""A PostgreSQL database of a test's own: NOTIFY channels and advisory locks are per database,
so tests on one server cannot wake each other's listeners or take each other's locks."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest

from tests.conftest import BACKENDS
from tests.postgres_server import PostgresServer


@dataclass(frozen=True)
class Database:
    server: PostgresServer
    name: str
    password: str | None = None  # put in the DSN (trust auth ignores it) to check it never leaks

    def dsn(self) -> str:
        if self.password is None:
            return self.server.dsn(self.name)
        server = self.server
        return f"postgresql://{server.user}:{self.password}@{server.host}:{server.port}/{self.name}"

    def url(self) -> str:
        return self.server.url(self.name)


async def admin_fetch(server: PostgresServer, query: str, *args: object) -> list[asyncpg.Record]:
    """Run ``query`` on the server's maintenance database."""
    connection = await asyncpg.connect(server.dsn())
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def own_database(
    request: pytest.FixtureRequest, prefix: str, password: str | None = None
) -> AsyncIterator[Database]:
    if "postgresql" not in BACKENDS:
        pytest.skip("PostgreSQL is switched off by JOURNAL_TEST_BACKENDS")
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await admin_fetch(server, f"CREATE DATABASE {name}")
    yield Database(server, name, password)
    await admin_fetch(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
