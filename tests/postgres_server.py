"""A throwaway PostgreSQL server for the test session, started from the machine's binaries.

`initdb` and `pg_ctl` refuse to run as root, so as root they run as the `postgres` user on a
directory that user owns. The server listens on a free loopback port and a private socket dir.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailableError(RuntimeError):
    pass


def find_bindir() -> Path:
    explicit = os.environ.get("PG_BINDIR")
    candidates = [explicit] if explicit else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    which = shutil.which("initdb")
    if which:
        candidates.append(str(Path(which).parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise PostgresUnavailableError(
        "PostgreSQL server binaries not found: `apt-get install -y postgresql` "
        "(or set PG_BINDIR), or run `make test-sqlite` for SQLite only"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_dir() -> str | None:
    """``/dev/shm`` where the machine has it: a test server's files in memory.

    Every test gets a database copied from a template and dropped after it; on a disk each
    copy and drop cost 0.4-0.5 s of CPU in the kernel's and the server's file work (with
    fsync off), in memory 0.05 s - a thousand PostgreSQL tests are minutes apart. None (the
    system's temporary directory) elsewhere.
    """
    shm = Path("/dev/shm")  # noqa: S108 - mkdtemp makes a private directory inside
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    bindir = find_bindir()
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="journal-pg-", dir=memory_dir()))
    data, sockets = base / "data", base / "sock"
    data.mkdir()
    sockets.mkdir()
    runner: list[str] = []
    if as_root:
        owner = pwd.getpwnam("postgres")
        for path in (base, data, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        runner = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    run = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    try:
        subprocess.run(
            [
                *runner,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "journal",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            **run,  # type: ignore[call-overload]
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off -c max_connections=200"
        )
        subprocess.run(
            [
                *runner,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-l",
                str(base / "server.log"),
                "start",
            ],
            **run,  # type: ignore[call-overload]
        )
    except subprocess.CalledProcessError as exc:
        log = base / "server.log"
        detail = log.read_text() if log.exists() else exc.stderr.decode(errors="replace")
        shutil.rmtree(base, ignore_errors=True)
        raise PostgresUnavailableError(f"could not start PostgreSQL: {detail}") from exc
    try:
        yield PostgresServer(host="127.0.0.1", port=port, user="journal")
    finally:
        subprocess.run(
            [*runner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)
