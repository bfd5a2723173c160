"""A throwaway Redis server for the tests, from the machine's ``redis-server`` (Debian's
``redis-server`` package; .ci/run installs it when missing), on a free loopback port in a
temporary directory, without persistence. Session-scoped: import ``redis_server`` (and
``redis_url`` for a clean database per test) into a test module."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis.asyncio import Redis


class RedisUnavailableError(RuntimeError):
    pass


@dataclass(frozen=True)
class RedisServer:
    host: str
    port: int

    def url(self, db: int = 0) -> str:
        return f"redis://{self.host}:{self.port}/{db}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _options(port: int, base: Path) -> list[str]:
    """Loopback only, no persistence (a test's data dies with it), its log in the temp dir."""
    pairs = {
        "port": str(port),
        "bind": "127.0.0.1",
        "dir": str(base),
        "save": "",
        "appendonly": "no",
        "daemonize": "no",
        "logfile": str(base / "redis.log"),
    }
    return [part for name, value in pairs.items() for part in (f"--{name}", value)]


@contextlib.contextmanager
def running_redis() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisUnavailableError("redis-server not found: `apt-get install -y redis-server`")
    base = Path(tempfile.mkdtemp(prefix="journal-redis-"))
    port = free_port()
    process = subprocess.Popen(
        [binary, *_options(port, base)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (base / "redis.log").read_text(errors="replace")[-2000:]
                raise RedisUnavailableError(f"redis-server did not start:\n{log}")
            time.sleep(0.05)
        yield RedisServer("127.0.0.1", port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


@pytest.fixture
async def redis_url(redis_server: RedisServer) -> AsyncIterator[str]:
    """Database 0 of the session's server, empty at the start of the test."""
    url = redis_server.url()
    client = Redis.from_url(url)
    try:
        await client.flushdb()
        yield url
    finally:
        await client.aclose()
