"""PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` into an empty database.

The tools are found as the tests find the server's binaries: ``PG_BINDIR`` when set, else the
newest of Debian's ``/usr/lib/postgresql/*/bin`` (a ``pg_dump`` older than the server refuses to
dump it), else ``PATH``. They are told where to connect by a libpq connection string without the
password; the password goes to the child alone, in its environment (``PGPASSWORD``), because an
argument list is visible to every user of the machine in ``ps``. ``--no-password``: a nightly cron
job must fail, not wait for a prompt nobody answers.

The restore runs in one transaction and stops at the first error, so a failed restore leaves the
target as empty as it was; ``--no-owner --no-privileges``: the restored objects belong to the
user the journal connects as, whatever roles the source server had.
"""

from __future__ import annotations

import asyncio
import glob
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.backup.errors import BackupFailedError, BackupRefusedError
from core.db import create_engine
from core.i18n import N_


@dataclass(frozen=True)
class Connection:
    """How a child tool connects: a conninfo string for its argv, the secret for its env."""

    conninfo: str
    env: dict[str, str]


def find_tool(name: str) -> Path:
    explicit = os.environ.get("PG_BINDIR")
    candidates = [explicit] if explicit else _debian_bindirs()
    if not explicit:
        which = shutil.which(name)
        if which:
            candidates.append(str(Path(which).parent))
    for candidate in candidates:
        tool = Path(candidate) / name
        if tool.is_file() and os.access(tool, os.X_OK):
            return tool
    raise BackupRefusedError(
        N_(
            "{tool} not found: install PostgreSQL's client tools "
            "(apt-get install -y postgresql-client) or set PG_BINDIR"
        ),
        tool=name,
    )


def _debian_bindirs() -> list[str]:
    def version(path: str) -> tuple[int, ...]:
        number = Path(path).parent.name
        return tuple(int(part) for part in re.findall(r"\d+", number))

    return sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def connection(url: str) -> Connection:
    parsed = make_url(url)
    query = {key: str(value) for key, value in parsed.query.items() if isinstance(value, str)}
    words = {
        "host": parsed.host or query.get("host"),
        "port": str(parsed.port) if parsed.port else query.get("port"),
        "user": parsed.username,
        "dbname": parsed.database,
        "sslmode": query.get("sslmode") or query.get("ssl"),
        "application_name": "journal-backup",
    }
    conninfo = " ".join(f"{key}={_quote(value)}" for key, value in words.items() if value)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    return Connection(conninfo=conninfo, env=env)


async def _run(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    code = process.returncode if process.returncode is not None else -1
    return code, out.decode(errors="replace"), err.decode(errors="replace")


def _last_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else "?"


async def backup(url: str, partial: Path) -> None:
    pg_dump, pg_restore = find_tool("pg_dump"), find_tool("pg_restore")
    target = connection(url)
    argv = [str(pg_dump), "--format=custom", "--no-password", f"--file={partial}"]
    code, _out, err = await _run([*argv, f"--dbname={target.conninfo}"], target.env)
    if code != 0:
        raise BackupFailedError(N_("pg_dump failed: {detail}"), detail=_last_line(err))
    # Read the archive's table of contents back: a file pg_restore cannot list is no backup.
    code, _out, err = await _run([str(pg_restore), "--list", str(partial)], target.env)
    if code != 0:
        raise BackupFailedError(
            N_("the backup cannot be read back: {detail}"), detail=_last_line(err)
        )


async def revision(file: Path) -> str | None:
    """The schema revision a pg_dump archive holds (its ``alembic_version`` row), read from the
    file alone; refuses an archive that is not a journal's."""
    pg_restore = find_tool("pg_restore")
    argv = [
        str(pg_restore),
        "--data-only",
        "--table=alembic_version",
        "--file=-",
        str(file),
    ]
    code, out, err = await _run(argv, dict(os.environ))
    if code != 0:
        raise BackupRefusedError(
            N_("the backup {file} cannot be read: {detail}"), file=file, detail=_last_line(err)
        )
    lines = out.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line:
            value = lines[number + 1] if number + 1 < len(lines) else "\\."
            return None if value == "\\." else value.strip()
    raise BackupRefusedError(N_("{file} is not a backup of the journal"), file=file)


async def ensure_empty(url: str) -> None:
    """Refuse a database that holds any table, view or sequence outside the system schemas."""
    engine = create_engine(url)
    try:
        async with engine.connect() as database:
            count = (
                await database.execute(
                    text(
                        "SELECT count(*) FROM pg_catalog.pg_class c "
                        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                        "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"
                    )
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    if count:
        raise BackupRefusedError(
            N_(
                "the database {path} is not empty: a backup is restored into an empty "
                "database only, nothing was changed"
            ),
            path=make_url(url).database,
        )


async def restore(file: Path, url: str) -> None:
    pg_restore = find_tool("pg_restore")
    await ensure_empty(url)
    target = connection(url)
    argv = [
        str(pg_restore),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        f"--dbname={target.conninfo}",
        str(file),
    ]
    code, _out, err = await _run(argv, target.env)
    if code != 0:
        raise BackupFailedError(
            N_("pg_restore failed, nothing was restored: {detail}"), detail=_last_line(err)
        )
