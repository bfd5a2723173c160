"""SQLite: an online backup through SQLite's own backup API, and a checked restore.

The backup copies the whole database in one step of ``sqlite3.Connection.backup``: one read
transaction, so the copy is one consistent snapshot; in WAL mode (the journal's) the bot goes on
writing meanwhile and nothing it has not committed is copied. The copy is switched out of WAL so
that it is one self-contained file, and checked with ``PRAGMA integrity_check`` before it gets its
name.

A restore copies the backup into an empty database with the same API (SQLite then writes the
target through its own locks and journal, which a plain file copy beside a stale ``-wal`` file
would not) and checks the result again.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from core.backup.errors import BackupFailedError, BackupRefusedError
from core.i18n import N_

_BUSY_MS = 30_000


def database_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupRefusedError(
            N_("an in-memory SQLite database has nothing to back up or restore")
        )
    return Path(database)


@contextlib.contextmanager
def _connect(target: str | Path, *, uri: bool = False) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(target, uri=uri, timeout=_BUSY_MS / 1000)
    try:
        yield connection
    finally:
        connection.close()


def _integrity(connection: sqlite3.Connection) -> str:
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(row[0]) for row in rows[:3])


def _tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [str(row[0]) for row in rows]


def backup(source: Path, partial: Path) -> None:
    """Copy the live database ``source`` into the empty file ``partial``."""
    if not source.is_file():
        # Opening a missing file would create an empty database and back that up.
        raise BackupRefusedError(N_("no SQLite database at {path}"), path=source)
    with _connect(source) as live, _connect(partial) as copy:
        live.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
        live.backup(copy)  # pages=-1: everything in one step, one snapshot
        copy.execute("PRAGMA journal_mode=DELETE")
        verdict = _integrity(copy)
    if verdict != "ok":
        raise BackupFailedError(
            N_("the backup failed its integrity check: {detail}"), detail=verdict
        )


def revision(file: Path) -> str | None:
    """The schema revision a SQLite backup holds; refuses a file that is not a journal's."""
    try:
        with _connect(f"{file.resolve().as_uri()}?mode=ro", uri=True) as backup_file:
            verdict = _integrity(backup_file)
            if verdict != "ok":
                raise BackupRefusedError(
                    N_("the backup {file} is damaged: {detail}"), file=file, detail=verdict
                )
            if "alembic_version" not in _tables(backup_file):
                raise BackupRefusedError(N_("{file} is not a backup of the journal"), file=file)
            row = backup_file.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupRefusedError(
            N_("the backup {file} cannot be read: {detail}"), file=file, detail=error
        ) from None
    return str(row[0]) if row else None


def ensure_empty(target: Path) -> None:
    """Refuse a target that holds anything, or that a stale journal file could fill."""
    if target.exists():
        try:
            with _connect(target) as connection:
                tables = _tables(connection)
        except sqlite3.DatabaseError:
            raise BackupRefusedError(
                N_("{path} is not an SQLite database, nothing was changed"), path=target
            ) from None
        if tables:
            raise BackupRefusedError(
                N_(
                    "the database {path} is not empty: a backup is restored into an empty "
                    "database only, nothing was changed"
                ),
                path=target,
            )
        return
    for leftover in (Path(f"{target}-wal"), Path(f"{target}-journal")):
        # SQLite would replay a left-over journal into the new file.
        if leftover.exists():
            raise BackupRefusedError(
                N_("{path} is left from an earlier database: remove it first"), path=leftover
            )


def restore(file: Path, target: Path) -> None:
    """Copy the backup ``file`` into the empty database ``target`` and check it."""
    ensure_empty(target)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Owner-only, like the backup it comes from; O_EXCL: never take over a file made meanwhile.
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    with (
        _connect(f"{file.resolve().as_uri()}?mode=ro", uri=True) as backup_file,
        _connect(target) as restored,
    ):
        backup_file.backup(restored)
        verdict = _integrity(restored)
    if verdict != "ok":
        raise BackupFailedError(
            N_("the restored database {path} failed its integrity check: {detail}"),
            path=target,
            detail=verdict,
        )
