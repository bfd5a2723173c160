"""Fixtures: every database test runs on a real SQLite file and on a real PostgreSQL server.

`JOURNAL_TEST_BACKENDS=sqlite` limits a run to SQLite (for a machine without PostgreSQL);
the default, and CI, is both.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core import migrate
from core.db import create_engine, create_sessionmaker
from tests.postgres_server import PostgresServer, running_postgres

T = TypeVar("T")
BACKENDS = [
    name.strip()
    for name in os.environ.get("JOURNAL_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if name.strip()
]
_database_numbers = itertools.count(1)


def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Call ``function`` on a thread of its own and return its result.

    Alembic's env.py and our async helpers call asyncio.run(), which refuses to run on a thread
    whose loop pytest-asyncio is driving.
    """
    result: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(function(*args))
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


def run_in_thread(coro: Coroutine[Any, Any, T]) -> T:
    outcome: T = in_thread(asyncio.run, coro)
    return outcome


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


async def _pg_execute(server: PostgresServer, *statements: str) -> None:
    connection = await asyncpg.connect(server.dsn())
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _new_pg_database(server: PostgresServer, template: str | None = None) -> str:
    name = f"test_{os.getpid()}_{next(_database_numbers)}"
    clause = f" TEMPLATE {template}" if template else ""
    run_in_thread(_pg_execute(server, f"CREATE DATABASE {name}{clause}"))
    return server.url(name)


@pytest.fixture(params=BACKENDS, scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database with no schema at all."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    return _new_pg_database(server)


@pytest.fixture(scope="session")
def _migrated_template(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """Migrate once per session; each test then gets a cheap copy."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("template") / "journal.db"
        in_thread(migrate.upgrade, f"sqlite+aiosqlite:///{path}")
        return str(path)
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = "journal_template"
    run_in_thread(_pg_execute(server, f"CREATE DATABASE {name}"))
    in_thread(migrate.upgrade, server.url(name))
    return name


@pytest.fixture
def db_url(
    backend: str, _migrated_template: str, request: pytest.FixtureRequest, tmp_path: Path
) -> str:
    """A fresh database migrated to head."""
    if backend == "sqlite":
        target = tmp_path / "journal.db"
        shutil.copyfile(_migrated_template, target)
        return f"sqlite+aiosqlite:///{target}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    return _new_pg_database(server, template=_migrated_template)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with create_sessionmaker(engine)() as session:
        yield session


# A summary line per backend, so a run shows that both databases were really exercised.
_outcomes: Counter[tuple[str, str]] = Counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    for name in ("sqlite", "postgresql"):
        if (
            f"[{name}" in report.nodeid
            or f"-{name}]" in report.nodeid
            or f"-{name}-" in report.nodeid
        ):
            _outcomes[(name, report.outcome)] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name in BACKENDS:
        counts = {outcome: n for (backend, outcome), n in _outcomes.items() if backend == name}
        if counts:
            text = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
            terminalreporter.write_line(f"backend {name}: {text}")
