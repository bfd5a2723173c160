"""`journal backup` and `journal restore` on both backends (docs/operations.md).

The acceptance test backs up the demo school with a linked guardian, restores it into a fresh
empty database, and asks the bot `/marks` there: the answer is the same as before the backup.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core import migrate
from core.backup import BackupRefusedError, backup_stem, take_backup
from core.clock import FrozenClock
from core.db import create_engine, create_sessionmaker
from core.demo import generate
from core.exchange import service
from core.models import Base
from tests.bot import school
from tests.bot.driver import ChatDriver, button_data, texts
from tests.bot.helpers import AGREE, invite
from tests.cli_kit import isolate, runner
from tests.notify.own_database import own_database

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
NAME = re.compile(r"^journal-(\d{8}T\d{6}Z)\.(sqlite3|pgdump)$")


async def _counts(url: str) -> dict[str, int]:
    """Rows of every table of the journal, and the schema revision."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            counts = {
                name: int(
                    (await connection.execute(select(func.count()).select_from(table))).scalar_one()
                )
                for name, table in Base.metadata.tables.items()
            }
            revision = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar_one()
    finally:
        await engine.dispose()
    counts[f"revision {revision}"] = 1
    return counts


def _mode(path: Path) -> int:
    return path.stat().st_mode


def _names(directory: Path) -> list[str]:
    """What a directory holds, hidden temporaries included ([] when it does not exist)."""
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


async def _marks(url: str, user_id: int) -> tuple[str, list[str]]:
    engine = create_engine(url)
    try:
        driver = ChatDriver(create_sessionmaker(engine), FrozenClock(NOW))
        calls = await driver.send(driver.user(user_id), "/marks")
        return texts(calls), button_data(calls)
    finally:
        await engine.dispose()


async def test_the_demo_school_restored_from_a_backup_answers_marks_the_same(
    engine: AsyncEngine,
    db_url: str,
    empty_db_url: str,
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tables = generate(seed=1, students=60, today=TODAY)
    sessions = create_sessionmaker(engine)
    await service.import_rows(sessions, tables, now=NOW, today=TODAY)
    # A guardian of a child with marks (first-formers have none).
    marked = {mark["student"] for mark in tables["marks"]}
    family = next(g for g in tables["guardians"] if set(g["students"].split(";")) & marked)
    driver = ChatDriver(sessions, FrozenClock(NOW))
    parent = driver.user(7)
    await driver.send(parent, f"/start {await invite(sessions, family['id'])}")
    await driver.press(parent, AGREE)
    before, before_buttons = await _marks(db_url, 7)
    assert "ср. " in before  # the week's marks with averages, not an invitation to link

    isolate(monkeypatch, db_url, tmp_path)
    journal = runner(capsys)
    taken_from = datetime.now(UTC).replace(microsecond=0)
    backup = await journal("backup", str(tmp_path / "backups"))
    taken_to = datetime.now(UTC)
    assert backup.code == 0, backup.err
    path = Path(backup.out.strip())
    assert path.parent == tmp_path / "backups"
    assert _mode(path) & 0o077 == 0  # children's data: the owner's alone
    match = NAME.match(path.name)
    assert match, path.name
    assert match.group(2) == ("sqlite3" if backend == "sqlite" else "pgdump")
    stamp = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert taken_from <= stamp <= taken_to
    assert _names(path.parent) == [path.name]  # no temporary left
    source = await _counts(db_url)

    isolate(monkeypatch, empty_db_url, tmp_path)
    restored = await journal("restore", str(path))
    assert restored.code == 0, restored.err
    assert f"migrated to {migrate.head_revision()}" in restored.out
    assert await _counts(empty_db_url) == source

    after, after_buttons = await _marks(empty_db_url, 7)
    assert after == before
    assert after_buttons == before_buttons
    # The restored journal takes new rows (PostgreSQL's sequences came back with the data).
    other = next(g for g in tables["guardians"] if g["id"] != family["id"])
    restored_engine = create_engine(empty_db_url)
    try:
        restored_sessions = create_sessionmaker(restored_engine)
        driver = ChatDriver(restored_sessions, FrozenClock(NOW))
        newcomer = driver.user(8)
        await driver.send(newcomer, f"/start {await invite(restored_sessions, other['id'])}")
        linked = texts(await driver.press(newcomer, AGREE))
    finally:
        await restored_engine.dispose()
    assert "Готово, ваш аккаунт привязан." in linked, linked


async def test_a_restore_into_a_database_that_is_not_empty_is_refused_and_changes_nothing(
    engine: AsyncEngine,
    db_url: str,
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    isolate(monkeypatch, db_url, tmp_path)
    journal = runner(capsys)
    backup = await journal("backup", str(tmp_path))
    assert backup.code == 0, backup.err
    # The target now holds a school the backup does not: an overwrite would lose it.
    await school.load(create_sessionmaker(engine))
    before = await _counts(db_url)
    assert before["students"] > 0

    refused = await journal("restore", backup.out.strip())
    assert refused.code == 2
    assert "not empty" in refused.err
    assert refused.err.count("\n") == 1
    assert await _counts(db_url) == before


async def test_the_russian_refusal(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate(monkeypatch, db_url, tmp_path, locale="ru")
    journal = runner(capsys)
    backup = await journal("backup", str(tmp_path))
    refused = await journal("restore", backup.out.strip())
    assert refused.code == 2
    assert refused.err.startswith("journal: ")
    assert "не пуста" in refused.err


async def test_a_backup_of_the_other_backend_or_of_something_else_is_refused(
    db_url: str,
    empty_db_url: str,
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    journal = runner(capsys)
    if backend == "sqlite":
        # A pg_dump custom archive begins with these bytes.
        foreign = tmp_path / "journal-20261206T031500Z.pgdump"
        foreign.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(64))
        expected = "PostgreSQL database and this journal's database is SQLite"
    else:
        source = tmp_path / "source.db"
        await asyncio.to_thread(migrate.upgrade, f"sqlite+aiosqlite:///{source}")
        foreign = await take_backup(f"sqlite+aiosqlite:///{source}", tmp_path, now=NOW)
        expected = "SQLite database and this journal's database is PostgreSQL"
    isolate(monkeypatch, empty_db_url, tmp_path)
    wrong = await journal("restore", str(foreign))
    assert wrong.code == 2
    assert expected in wrong.err

    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a backup\n")
    for path, words in ((text_file, "is not a backup"), (tmp_path / "missing", "no backup file")):
        refused = await journal("restore", str(path))
        assert refused.code == 2
        assert words in refused.err
    assert await _tables(empty_db_url) == set()


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
                if url.startswith("sqlite")
                else text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
            return {str(row[0]) for row in rows}
    finally:
        await engine.dispose()


async def test_a_backup_from_a_newer_journal_is_refused(
    db_url: str,
    empty_db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine = create_engine(db_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = 'fromfuture'"))
    finally:
        await engine.dispose()
    isolate(monkeypatch, db_url, tmp_path)
    journal = runner(capsys)
    backup = await journal("backup", str(tmp_path / "b"))
    assert backup.code == 0, backup.err
    isolate(monkeypatch, empty_db_url, tmp_path)
    refused = await journal("restore", backup.out.strip())
    assert refused.code == 2
    assert "newer version of the journal (schema fromfuture)" in refused.err
    assert await _tables(empty_db_url) == set()


async def test_two_backups_in_one_second_keep_both(db_url: str, tmp_path: Path) -> None:
    first = await take_backup(db_url, tmp_path, now=NOW)
    second = await take_backup(db_url, tmp_path, now=NOW)
    assert first.name.startswith("journal-20261130T050000Z.")
    assert second.name.startswith("journal-20261130T050000Z-2.")
    assert first.read_bytes()[:5] == second.read_bytes()[:5]


async def test_the_postgresql_tools_missing_are_named_in_one_line(
    db_url: str,
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    isolate(monkeypatch, db_url, tmp_path)
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PG_BINDIR", str(empty))
    result = await runner(capsys)("backup", str(tmp_path / "b"))
    if backend == "sqlite":
        assert result.code == 0, result.err  # SQLite needs no PostgreSQL tools
    else:
        assert result.code == 2
        assert result.err.startswith("journal: pg_dump not found")
        assert result.err.count("\n") == 1
        assert _names(tmp_path / "b") == []


@pytest.mark.postgresql
async def test_the_password_reaches_pg_dump_only_through_its_environment(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "s3cret-Pa55"  # noqa: S105 - trust authentication ignores it
    children: list[tuple[tuple[str, ...], dict[str, str]]] = []
    spawn = asyncio.create_subprocess_exec

    async def recording(*argv: str, env: dict[str, str], **kwargs: Any) -> Any:
        children.append((argv, env))
        return await spawn(*argv, env=env, **kwargs)

    monkeypatch.setattr(asyncio, "create_subprocess_exec", recording)
    async with own_database(request, "backup", password=secret) as database:
        server = database.server
        url = (
            f"postgresql+asyncpg://{server.user}:{secret}@{server.host}:{server.port}/"
            f"{database.name}"
        )
        await asyncio.to_thread(migrate.upgrade, url)
        isolate(monkeypatch, url, tmp_path)
        result = await runner(capsys)("backup", str(tmp_path / "b"))
    assert result.code == 0, result.err
    dumps = [(argv, env) for argv, env in children if Path(argv[0]).name == "pg_dump"]
    assert len(dumps) == 1
    argv, env = dumps[0]
    assert not any(secret in word for word in argv)
    assert env["PGPASSWORD"] == secret
    assert any(word.startswith("--dbname=") and database.name in word for word in argv)
    assert secret not in result.out + result.err + caplog.text


# --- SQLite while the bot writes ------------------------------------------------------------

BATCH = 25


def _probe_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE alembic_version (version_num TEXT PRIMARY KEY)")
        connection.execute("CREATE TABLE probe (batch INTEGER, n INTEGER, payload TEXT)")
    connection.close()


class Writer:
    """Commits batches of BATCH rows (one transaction each) until stopped, as the bot would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.batches = 0
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            while not self._stop.is_set():
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany(
                    "INSERT INTO probe VALUES (?, ?, ?)",
                    [(self.batches, n, "x" * 200) for n in range(BATCH)],
                )
                connection.execute("COMMIT")
                self.batches += 1
        except BaseException as error:
            self.errors.append(error)
        finally:
            connection.close()

    def wait_for(self, batches: int) -> None:
        while self.batches < batches and not self.errors:
            time.sleep(0.01)

    def __enter__(self) -> Writer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture
def probe(tmp_path: Path) -> Path:
    path = tmp_path / "live.db"
    _probe_database(path)
    return path


def _batches(path: Path) -> list[tuple[int, int]]:
    """(batch, rows) in a backup, after checking it is one sound self-contained file."""
    assert not Path(f"{path}-wal").exists()
    copy = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        return copy.execute("SELECT batch, count(*) FROM probe GROUP BY batch").fetchall()
    finally:
        copy.close()


@pytest.mark.sqlite
async def test_a_sqlite_backup_taken_while_the_database_is_written_is_consistent(
    probe: Path, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{probe}"
    seen: list[int] = []
    with Writer(probe) as writer:
        await asyncio.to_thread(writer.wait_for, 20)
        for number in range(5):
            started = writer.batches
            path = await take_backup(url, tmp_path / "b", now=NOW + timedelta(seconds=number))
            sizes = _batches(path)
            # Whole transactions only: every batch complete, none missing before the last.
            assert {size for _batch, size in sizes} == {BATCH}
            assert [batch for batch, _size in sizes] == list(range(len(sizes)))
            assert len(sizes) >= started
            seen.append(len(sizes))
            await asyncio.sleep(0.02)
        grown = writer.batches
    assert writer.errors == []
    assert seen == sorted(seen)
    assert seen[-1] > seen[0]
    assert grown > seen[-1]  # the writer went on while backups were taken


@pytest.mark.sqlite
async def test_a_sqlite_backup_does_not_wait_for_a_transaction_under_way_nor_copy_it(
    probe: Path, tmp_path: Path
) -> None:
    writer = sqlite3.connect(probe, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO probe VALUES (1, 1, 'uncommitted')")
        started = time.monotonic()
        path = await take_backup(f"sqlite+aiosqlite:///{probe}", tmp_path / "b", now=NOW)
        assert time.monotonic() - started < 5
        writer.execute("COMMIT")
    finally:
        writer.close()
    with sqlite3.connect(path) as copy:
        assert copy.execute("SELECT count(*) FROM probe").fetchone() == (0,)
    copy.close()
    with sqlite3.connect(probe) as live:
        assert live.execute("SELECT count(*) FROM probe").fetchone() == (1,)
    live.close()


def test_the_name_is_the_instant_in_utc() -> None:
    yekaterinburg = datetime(2026, 12, 6, 13, 15, tzinfo=ZoneInfo("Asia/Yekaterinburg"))
    assert backup_stem(yekaterinburg) == "journal-20261206T081500Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        backup_stem(datetime(2026, 12, 6, 8, 15))  # noqa: DTZ001 - the refusal under test


async def test_an_in_memory_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackupRefusedError, match="in-memory"):
        await take_backup("sqlite+aiosqlite://", tmp_path, now=NOW)
