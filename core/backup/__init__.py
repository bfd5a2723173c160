"""Backups of the journal's database and restores into an empty one (`journal backup`,
`journal restore`; the operator's page is docs/operations.md).

A backup is one file named by the instant it was taken, ``journal-20261206T031500Z.sqlite3`` or
``.pgdump``, taken while the bot runs (SQLite's backup API in WAL mode; ``pg_dump``'s snapshot).
A restore refuses a backup of the other backend, a file that is not a journal's, a backup from a
newer version of the journal, and any target that is not empty — it never overwrites; after
the copy the migrations bring an older backup up to date.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import make_url

from core import migrate
from core.backup import postgres, sqlite
from core.backup.errors import BackupError, BackupFailedError, BackupRefusedError
from core.backup.files import SUFFIXES, Kind, backup_stem, kind_of, partial_file, publish
from core.i18n import N_

__all__ = [
    "BackupError",
    "BackupFailedError",
    "BackupRefusedError",
    "Restored",
    "backup_stem",
    "restore",
    "take_backup",
]

_NAMES: dict[Kind, str] = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Restored:
    kind: Kind
    backup_revision: str | None
    revision: str | None


def _backend(url: str) -> Kind:
    name = make_url(url).get_backend_name()
    if name == "sqlite":
        return "sqlite"
    if name == "postgresql":
        return "postgresql"
    raise BackupRefusedError(N_("backups are made of SQLite and PostgreSQL databases only"))


async def take_backup(url: str, directory: Path, *, now: datetime) -> Path:
    """Back the database at ``url`` up into ``directory``; the new file's path."""
    kind = _backend(url)
    stem, suffix = backup_stem(now), SUFFIXES[kind]
    with partial_file(directory, stem, suffix) as partial:
        if kind == "sqlite":
            await asyncio.to_thread(sqlite.backup, sqlite.database_path(url), partial)
        else:
            await postgres.backup(url, partial)
        return publish(partial, stem, suffix)


def _ensure_known(revision: str | None, file: Path) -> None:
    if revision is None:
        return
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    try:
        script.get_revision(revision)
    except CommandError:
        raise BackupRefusedError(
            N_(
                "{file} was made by a newer version of the journal (schema {revision}): "
                "update the journal first"
            ),
            file=file,
            revision=revision,
        ) from None


def _check_kind(file: Path, kind: Kind) -> None:
    if not file.is_file():
        raise BackupRefusedError(N_("no backup file {file}"), file=file)
    found = kind_of(file)
    if found is None:
        raise BackupRefusedError(N_("{file} is not a backup of the journal"), file=file)
    if found != kind:
        raise BackupRefusedError(
            N_(
                "{file} is a backup of a {found} database and this journal's database is "
                "{backend}: nothing was changed"
            ),
            file=file,
            found=_NAMES[found],
            backend=_NAMES[kind],
        )


async def restore(url: str, file: Path) -> Restored:
    """Restore the backup ``file`` into the empty database at ``url`` and migrate it to head."""
    kind = _backend(url)
    await asyncio.to_thread(_check_kind, file, kind)
    if kind == "sqlite":
        target = sqlite.database_path(url)
        backup_revision = await asyncio.to_thread(sqlite.revision, file)
        _ensure_known(backup_revision, file)
        await asyncio.to_thread(sqlite.restore, file, target)
    else:
        backup_revision = await postgres.revision(file)
        _ensure_known(backup_revision, file)
        await postgres.restore(file, url)
    await asyncio.to_thread(migrate.upgrade, url)
    return Restored(kind=kind, backup_revision=backup_revision, revision=migrate.head_revision())
