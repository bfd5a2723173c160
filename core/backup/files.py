"""Backup files: their names, their kinds and how one appears only when it is complete.

A backup holds children's personal data, so it is created readable by its owner only (0600) in a
directory made for the owner only (0700) when it did not exist. It is written under a hidden
temporary name and linked to its final name when complete, so a half-written file is never taken
for a backup (by a restore, by the retention clean-up of docs/operations.md), and an existing
backup is never replaced.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from core.backup.errors import BackupRefusedError
from core.i18n import N_

Kind = Literal["sqlite", "postgresql"]

SUFFIXES: dict[Kind, str] = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
# The first bytes of each kind: a file is judged by what it holds, not by its name.
_MAGIC: dict[Kind, bytes] = {"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP"}


def backup_stem(now: datetime) -> str:
    """``journal-20261206T031500Z``: the instant in UTC, sortable as text."""
    if now.tzinfo is None:
        raise ValueError("a backup's time must be timezone-aware")
    return f"journal-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def kind_of(path: Path) -> Kind | None:
    """Which backend's backup ``path`` is, from its first bytes; None for anything else."""
    with path.open("rb") as stream:
        head = stream.read(16)
    for kind, magic in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


@contextlib.contextmanager
def partial_file(directory: Path, stem: str, suffix: str) -> Iterator[Path]:
    """A fresh owner-only temporary file in ``directory``, removed unless it was published."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupRefusedError(
            N_("cannot use the directory {path}: {reason}"), path=directory, reason=error.strerror
        ) from None
    partial = directory / f".{stem}{suffix}.partial"
    try:
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as error:
        raise BackupRefusedError(
            N_("cannot write in {path}: {reason}"), path=directory, reason=error.strerror
        ) from None
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def publish(partial: Path, stem: str, suffix: str) -> Path:
    """Give the complete ``partial`` its final name, never replacing another backup (a second
    backup within the same second gets ``-2``), and make the name durable."""
    _fsync(partial)
    directory = partial.parent
    for number in range(1, 100):
        final = directory / (f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}")
        try:
            os.link(partial, final)  # atomic, and fails rather than replace
        except FileExistsError:
            continue
        except OSError:
            # A file system without hard links: a rename is atomic too.
            if final.exists():
                continue
            os.replace(partial, final)
        partial.unlink(missing_ok=True)
        _fsync(directory)
        return final
    raise BackupRefusedError(
        N_("too many backups named {name} in {path}"), name=stem, path=directory
    )


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
