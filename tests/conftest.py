"""Fixtures: every database test runs on a real SQLite file and on a real PostgreSQL server.

`JOURNAL_TEST_BACKENDS=sqlite` limits a run to SQLite (for a machine without PostgreSQL);
the default, and CI, is both.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import os
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.util import LRUCache

from core import migrate
from core.db import create_engine, create_sessionmaker
from tests import forkserver
from tests.postgres_server import PostgresServer, memory_dir, running_postgres

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
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


def pytest_configure(config: pytest.Config) -> None:
    """In the controller (or the only process): the workers' shared fork server, and the tests'
    temporary files in memory (``/dev/shm``) like the PostgreSQL server's - the SQLite
    databases copied for every test, the files the commands write. The controller picks the
    directory (xdist gives each worker its part of it) unless ``--basetemp`` was given."""
    if hasattr(config, "workerinput"):
        return
    if config.getoption("numprocesses", None):
        # One fork server for all the workers (tests/forkserver.py), not one each.
        config.stash[_FORK_FOLDER] = forkserver.share_for_session()
    if config.option.basetemp is not None:
        return
    shm = memory_dir()
    if shm is not None:
        config.option.basetemp = tempfile.mkdtemp(prefix="journal-tests-", dir=shm)
        config.stash[_MEMORY_BASE] = config.option.basetemp


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep the garbage collector off what every test shares, and run it less often.

    After collection a worker holds about 400,000 objects (aiogram's and pydantic's models,
    SQLAlchemy, the test modules) that live until it ends; each full collection walked them
    all again, 0.45 s a time, and the young collections ran every 700 allocations. Frozen,
    and with a higher first threshold, the collector took 5 s instead of 17 s of the bot
    tests' 70 s of CPU, with the same tests passing. The cycles a test leaves are still
    collected, only in larger batches.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_FORK_FOLDER, None)
    if folder is not None:
        forkserver.end_session(folder)
    base = config.stash.get(_MEMORY_BASE, None)
    if base is not None:
        shutil.rmtree(base, ignore_errors=True)  # memory: nothing is kept for a later look


_MEMORY_BASE = pytest.StashKey[str]()
_FORK_FOLDER = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


class _PgAdmin:
    """One connection to the server's ``postgres`` database for the worker's session, on a
    thread and loop of its own, for the ``CREATE DATABASE`` and ``DROP DATABASE`` of every
    test.

    Connecting anew for each statement cost the server about 9 ms of CPU per connection, two
    per test, and ``STRATEGY FILE_COPY`` (PostgreSQL 15+) copies a small template for less
    than the default WAL-logged copy: 0.020 s of the server's CPU per test instead of 0.045 s.
    """

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._connection: asyncpg.Connection = self._call(asyncpg.connect(server.dsn()))
        major = self._connection.get_server_version().major
        self._copy = " STRATEGY FILE_COPY" if major >= 15 else ""

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def execute(self, statement: str) -> None:
        self._call(self._connection.execute(statement))

    def create(self, template: str | None = None) -> str:
        """A new database (a copy of ``template``); its URL."""
        name = f"test_{os.getpid()}_{next(_database_numbers)}"
        clause = f" TEMPLATE {template}{self._copy}" if template else ""
        self.execute(f"CREATE DATABASE {name}{clause}")
        return self.server.url(name)

    def drop(self, url: str) -> None:
        """Drop a test's database at once: a session of thousands of copies fills the disk, and
        removing them all when the server stops took over a minute."""
        name = url.rsplit("/", 1)[1]
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        self._call(self._connection.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


@pytest.fixture(scope="session")
def pg_admin(pg_server: PostgresServer) -> Iterator[_PgAdmin]:
    admin = _PgAdmin(pg_server)
    yield admin
    admin.close()


@pytest.fixture(params=BACKENDS, scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database with no schema at all."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    admin: _PgAdmin = request.getfixturevalue("pg_admin")
    url = admin.create()
    yield url
    admin.drop(url)


Seed = Callable[[async_sessionmaker[AsyncSession]], Awaitable[None]]


def seeds(loader: Seed) -> Callable[[F], F]:
    """Mark a fixture as filling the test's database with ``loader``'s data.

    Put it under ``@pytest.fixture``. The loader then runs once per session (and worker) into a
    template database, and :func:`db_url` hands every test whose fixtures include the marked one
    a copy of that template - a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on
    PostgreSQL - instead of importing the same school again for each of a thousand tests. The
    marked fixture itself must not load anything.
    """

    def mark(function: F) -> F:
        function.__journal_seed__ = loader  # type: ignore[attr-defined]
        return function

    return mark


def _seed_of(request: pytest.FixtureRequest) -> Seed | None:
    """The loader of the seeding fixture in the test's closure, if it has one.

    Looks at the definition that really applies to the test (a module's own ``sessions`` that
    loads other data overrides the seeded one and is not seeded).
    """
    node = request.node
    definitions = node._fixtureinfo.name2fixturedefs  # no public API gives the winning defs
    found: Seed | None = None
    for name in node.fixturenames:
        chain = definitions.get(name)
        loader = getattr(chain[-1].func, "__journal_seed__", None) if chain else None
        if loader is not None:
            if found is not None and found is not loader:
                raise pytest.UsageError(f"{node.nodeid}: two seeding fixtures in one test")
            found = loader
    return found


class _Templates:
    """Template databases of the session: migrated to head, and each seed loaded on top."""

    def __init__(self, backend: str, folder: Path, admin: _PgAdmin | None) -> None:
        self.backend, self.folder, self.admin = backend, folder, admin
        self.made: dict[Seed | None, str] = {}

    def get(self, seed: Seed | None) -> str:
        if seed not in self.made:
            self.made[seed] = self._make(seed)
        return self.made[seed]

    def _make(self, seed: Seed | None) -> str:
        base = None if seed is None else self.get(None)  # made first: it numbers itself
        number = len(self.made)
        if self.backend == "sqlite":
            path = self.folder / f"template{number}.db"
            if seed is None:
                in_thread(migrate.upgrade, f"sqlite+aiosqlite:///{path}")
            else:
                assert base is not None
                shutil.copyfile(base, path)
                run_in_thread(_load(f"sqlite+aiosqlite:///{path}", seed))
            return str(path)
        assert self.admin is not None
        name = f"journal_template{number}"
        url = self.admin.server.url(name)
        if seed is None:
            self.admin.execute(f"CREATE DATABASE {name}")
            in_thread(migrate.upgrade, url)
        else:
            self.admin.execute(f"CREATE DATABASE {name} TEMPLATE {base}")
            run_in_thread(_load(url, seed))
        return name


async def _load(url: str, seed: Seed) -> None:
    engine = create_engine(url)
    try:
        await seed(create_sessionmaker(engine))
    finally:
        await engine.dispose()  # a template must have no connections left


# Kept beyond the fixture: a session-scoped fixture of a parametrized ``backend`` is set up
# again whenever a worker switches between the backends, and the templates must survive that.
_made_templates: dict[str, _Templates] = {}


@pytest.fixture(scope="session")
def _templates(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> _Templates:
    if backend not in _made_templates:
        admin = request.getfixturevalue("pg_admin") if backend == "postgresql" else None
        _made_templates[backend] = _Templates(backend, tmp_path_factory.mktemp("templates"), admin)
    return _made_templates[backend]


@pytest.fixture
def db_url(
    backend: str, _templates: _Templates, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """A fresh database migrated to head (with the seeding fixture's data, see :func:`seeds`)."""
    yield from _copy_of(
        _templates.get(_seed_of(request)), backend, request, tmp_path / "journal.db"
    )


@pytest.fixture
def other_db_url(
    backend: str, _templates: _Templates, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """A second fresh database migrated to head, empty: for a test that copies one into another
    (an export imported elsewhere, a backup restored)."""
    yield from _copy_of(_templates.get(None), backend, request, tmp_path / "other.db")


def _copy_of(
    template: str, backend: str, request: pytest.FixtureRequest, sqlite_path: Path
) -> Iterator[str]:
    if backend == "sqlite":
        shutil.copyfile(template, sqlite_path)
        yield f"sqlite+aiosqlite:///{sqlite_path}"
        return
    admin: _PgAdmin = request.getfixturevalue("pg_admin")
    url = admin.create(template)
    yield url
    admin.drop(url)


class _CompiledAcrossEngines(LRUCache[Any, Any]):
    """SQLAlchemy's compiled statements, shared by the tests' engines of one backend.

    A school's bot keeps one engine for months, so each statement is compiled once; the tests
    make an engine per test, and each compiled every statement again - about a tenth of the bot
    and messaging tests' CPU. The cache key names the engine's dialect object; here it names the
    dialect's class and server version instead, which is all a compiled statement depends on
    for databases of one server (or one SQLite library). Statements still run on each test's
    own database and connections.
    """

    @staticmethod
    def _shared(key: Any) -> Any:
        dialect, *rest = key
        return (type(dialect), dialect.server_version_info, *rest)

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(self._shared(key), default)

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(self._shared(key), value)


_compiled: dict[str, _CompiledAcrossEngines] = {}


@pytest.fixture
async def engine(db_url: str, backend: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    # As large as a long-running process's cache would grow over the suite's statements.
    engine.sync_engine._compiled_cache = _compiled.setdefault(backend, _CompiledAcrossEngines(5000))
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
