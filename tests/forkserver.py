"""Real ``journal`` processes for the tests, without paying the interpreter's start each time.

Every process test (``journal run``, notifiers killed and restarted, the rush bench) used to
start a fresh interpreter that spent about 3 s importing aiogram - pydantic builds its 800
models at import - before doing anything the test looks at: about 35 of them per run, a
quarter of the suite's CPU on a 2-core machine.

A fork server (one per test worker, started on first use) imports the bot once and forks a
child for each command. The children are real processes: their own PID, signals (SIGTERM,
SIGKILL), exit codes, stdin/stdout/stderr, environment and working directory, run exactly as
``python -m bot …`` runs them. What is shared is only what a fresh interpreter would have
rebuilt identically: the imported modules. The tests that are about start-up itself (``make
run``'s console, a bad setting) still start a fresh interpreter.

Protocol, over a Unix ``SOCK_SEQPACKET`` socket, one connection per child: the client sends a
JSON request (module, arguments, environment, directory) with its stdin, stdout and stderr
descriptors attached; the server answers ``{"pid": …}`` at once and ``{"returncode": …}`` when
the child ends (negative for a signal, as :mod:`subprocess` reports it).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import fcntl
import gc
import importlib
import json
import os
import runpy
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
# What a `journal` process imports before it does anything: preloaded once in the server.
PRELOAD = (
    "aiogram",
    "aiogram.types",
    "aiogram.methods",
    "aiogram.fsm.storage.redis",
    "aiohttp.web",
    "asyncpg",
    "aiosqlite",
    "sqlalchemy.dialects.postgresql.asyncpg",
    "sqlalchemy.dialects.sqlite.aiosqlite",
    "alembic.command",
    "prometheus_client",
    "redis.asyncio",
    "bot.cli",
    "bot.app",
    "bot.runtime",
    "bot.notifier.service",
    "bot.console.main",
    "bot.max.serve",
    "bench.rush",
    "bench.memory",
)
_MESSAGE = 1 << 20  # requests carry an environment: kilobytes, never near this
PIPE = subprocess.PIPE
DEVNULL = subprocess.DEVNULL


# ---------------------------------------------------------------------------------------------
# The server: `python -m tests.forkserver SOCKET`


def _set_parent_death_signal() -> None:
    """The server dies with the test worker that started it (Linux ``PR_SET_PDEATHSIG``)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def serve(path: str, watched: int | None) -> None:
    """Serve forks on ``path`` until the test process that owns the server ends: the session's
    xdist controller (``watched``) for a server the workers share, else the parent."""
    if watched is None:
        _set_parent_death_signal()
    for module in PRELOAD:
        importlib.import_module(module)
    # Objects of the preloaded modules stay out of the collector's sight: a child's collections
    # would otherwise touch, and so copy, every page the server shares with it.
    gc.collect()
    gc.freeze()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(64)
    children: dict[int, tuple[int, socket.socket]] = {}  # pidfd -> (pid, connection)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    owner = None if watched is None else os.pidfd_open(watched)
    if owner is not None:
        selector.register(owner, selectors.EVENT_READ)
    assert threading.active_count() == 1, "a thread at fork time could hold a lock for ever"
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        for key, _ in selector.select():
            if key.fd == owner:
                return  # the session is over; children still running end on their own
            if key.fileobj is listener:
                connection, _ = listener.accept()
                pid = _start(connection, listener, selector, children, owner)
                if pid is None:
                    connection.close()
                    continue
                pidfd = os.pidfd_open(pid)
                children[pidfd] = (pid, connection)
                selector.register(pidfd, selectors.EVENT_READ)
            else:
                pidfd = int(key.fd)
                pid, connection = children.pop(pidfd)
                selector.unregister(pidfd)
                os.close(pidfd)
                _, status = os.waitpid(pid, 0)
                with contextlib.suppress(OSError):  # the client may be gone
                    connection.send(
                        json.dumps({"returncode": os.waitstatus_to_exitcode(status)}).encode()
                    )
                connection.close()


def _start(
    connection: socket.socket,
    listener: socket.socket,
    selector: selectors.BaseSelector,
    children: Mapping[int, tuple[int, socket.socket]],
    owner: int | None,
) -> int | None:
    data, fds, _flags, _address = socket.recv_fds(connection, _MESSAGE, 3)
    if len(fds) != 3:  # a client only checking that the server is up
        for fd in fds:
            os.close(fd)
        return None
    request = json.loads(data)
    pid = os.fork()
    if pid == 0:  # the child: becomes the command
        selector.close()
        listener.close()
        for pidfd, (_pid, other) in children.items():
            os.close(pidfd)
            other.close()
        if owner is not None:
            os.close(owner)
        connection.close()
        _become(request, fds)
    for fd in fds:
        os.close(fd)
    connection.send(json.dumps({"pid": pid}).encode())
    return pid


def _become(request: dict[str, Any], fds: list[int]) -> None:
    """Run ``python -m MODULE ARGS`` in this forked child and never return."""
    code = 1
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in set(fds) - {0, 1, 2}:
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()  # TZ as the request sets it, as a fresh process reads it
        sys.argv = [request["module"], *request["args"]]
        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exit_code(exc.code)
    except BaseException:  # reported as an interpreter reports it
        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()  # logging's flush, as a fresh interpreter ends
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):
                stream.flush()
        os._exit(code)


def exit_code(code: object) -> int:
    """The status a ``SystemExit(code)`` ends a Python process with (a text is printed, 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


# ---------------------------------------------------------------------------------------------
# The client, in a test worker


SHARED = "JOURNAL_FORKSERVER_DIR"  # set by tests/conftest.py for an xdist session's workers
_started: list[subprocess.Popen[bytes]] = []  # servers this process started and must stop
_private: list[str] = []  # this process's own folder when no session-wide one is set
_lock = threading.Lock()


def share_for_session() -> str:
    """A folder for one server that every worker of this session uses: called by the xdist
    controller before it starts the workers (they inherit it through the environment). The
    first worker that needs the server starts it; it ends with the controller."""
    folder = tempfile.mkdtemp(prefix="journal-fork-")
    os.environ[SHARED] = folder
    return folder


def end_session(folder: str) -> None:
    """Stop the session's shared server, if a worker started one, and remove its folder."""
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(Path(folder, "pid").read_text()), signal.SIGKILL)
    shutil.rmtree(folder, ignore_errors=True)


def _stop_started() -> None:
    for process in _started:
        if process.poll() is None:
            process.kill()
            process.wait()
    for folder in _private:
        shutil.rmtree(folder, ignore_errors=True)


atexit.register(_stop_started)


def _accepts(path: str) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as probe:
        try:
            probe.connect(path)
        except OSError:
            return False
        return True


def _server_path() -> str:
    """The socket of a running server: the session's shared one, started here if no worker
    has yet (or if it died), else this process's own."""
    with _lock:
        shared = os.environ.get(SHARED)
        if shared is None and not _private:
            _private.append(tempfile.mkdtemp(prefix="journal-fork-"))
        folder = shared or _private[0]
        path = os.path.join(folder, "socket")
        with open(os.path.join(folder, "lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one starter among the workers
            if not _accepts(path):
                _start_server(path, folder, shared is not None)
        return path


def _start_server(path: str, folder: str, shared: bool) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    # A shared server outlives the worker that starts it and ends with the session's
    # controller, this worker's parent; a private one ends with this process. Both stay in the
    # run's process group, so that Ctrl-C reaches them and their children as it reaches a
    # subprocess.
    watch = ["--watch", str(os.getppid())] if shared else []
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.forkserver", path, *watch],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    process.stdout.close()
    if line != b"ready\n":
        raise RuntimeError(f"the fork server did not start: {line!r}")
    Path(folder, "pid").write_text(str(process.pid))
    if not shared:
        _started.append(process)


def _request(
    module: str, args: Sequence[str], env: Mapping[str, str], cwd: Path | str, fds: list[int]
) -> tuple[socket.socket, int]:
    """Ask the server for a child; the connection that will tell its end, and its PID."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    connection.connect(_server_path())
    body = {"module": module, "args": list(args), "env": dict(env), "cwd": str(cwd)}
    socket.send_fds(connection, [json.dumps(body).encode()], fds)
    pid = int(json.loads(connection.recv(_MESSAGE))["pid"])
    return connection, pid


def _descriptor(
    choice: int | IO[Any] | None, mode: str, inherited: int, keep: list[int]
) -> tuple[int, int | None]:
    """The descriptor the child gets and, for PIPE, the parent's end of the pipe; None is this
    process's own stream, as a subprocess inherits it."""
    if choice is None:
        return inherited, None
    if choice == DEVNULL:
        fd = os.open(os.devnull, os.O_RDWR)
        keep.append(fd)
        return fd, None
    if choice == PIPE:
        read, write = os.pipe()
        child, parent = (write, read) if mode == "w" else (read, write)
        keep.append(child)
        return child, parent
    if isinstance(choice, int):
        return choice, None
    return choice.fileno(), None


class Forked:
    """A forked ``journal`` process, with the part of :class:`asyncio.subprocess.Process` the
    tests use."""

    def __init__(self, pid: int, connection: socket.socket) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdout: asyncio.StreamReader | None = None
        self.stderr: asyncio.StreamReader | None = None
        self._connection = connection
        self._ended = asyncio.get_running_loop().create_task(self._until_ended())

    async def _until_ended(self) -> int:
        loop = asyncio.get_running_loop()
        try:
            data = await loop.sock_recv(self._connection, _MESSAGE)
        finally:
            self._connection.close()
        if not data:
            raise RuntimeError("the fork server stopped before the process ended")
        self.returncode = int(json.loads(data)["returncode"])
        return self.returncode

    async def wait(self) -> int:
        return await asyncio.shield(self._ended)

    async def communicate(self) -> tuple[bytes, bytes]:
        async def read(stream: asyncio.StreamReader | None) -> bytes:
            return b"" if stream is None else await stream.read()

        out, err = await asyncio.gather(read(self.stdout), read(self.stderr))
        await self.wait()
        return out, err

    def send_signal(self, number: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, number)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


async def _reader(fd: int) -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 24)
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(fd, "rb", buffering=0)
    )
    return reader


async def spawn(
    module: str,
    *args: str,
    env: Mapping[str, str],
    cwd: Path | str,
    stdin: int | IO[Any] | None = DEVNULL,
    stdout: int | IO[Any] | None = DEVNULL,
    stderr: int | IO[Any] | None = DEVNULL,
) -> Forked:
    """Start ``python -m MODULE ARGS`` as a forked child (like
    :func:`asyncio.create_subprocess_exec`; stdin is never a pipe here)."""
    if stdin == PIPE:
        raise ValueError("a forked process reads its stdin from a file or /dev/null")
    keep: list[int] = []
    try:
        child_in, _ = _descriptor(stdin, "r", 0, keep)
        child_out, out = _descriptor(stdout, "w", 1, keep)
        child_err, err = _descriptor(stderr, "w", 2, keep)
        connection, pid = _request(module, args, env, cwd, [child_in, child_out, child_err])
    finally:
        for fd in keep:
            os.close(fd)
    connection.setblocking(False)
    process = Forked(pid, connection)
    if out is not None:
        process.stdout = await _reader(out)
    if err is not None:
        process.stderr = await _reader(err)
    return process


def run(
    module: str,
    *args: str,
    env: Mapping[str, str],
    cwd: Path | str,
    input: str = "",  # as subprocess.run names it
    timeout: float = 120.0,
) -> subprocess.CompletedProcess[str]:
    """``subprocess.run([python, -m, MODULE, *ARGS], text=True, capture_output=True)``, forked."""
    with (
        tempfile.TemporaryFile() as given,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        given.write(input.encode())
        given.seek(0)
        connection, pid = _request(
            module, args, env, cwd, [given.fileno(), out.fileno(), err.fileno()]
        )
        try:
            connection.settimeout(timeout)
            data = connection.recv(_MESSAGE)
        except TimeoutError:
            os.kill(pid, signal.SIGKILL)
            raise subprocess.TimeoutExpired([module, *args], timeout) from None
        finally:
            connection.close()
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(
            [module, *args],
            int(json.loads(data)["returncode"]),
            out.read().decode(),
            err.read().decode(),
        )


if __name__ == "__main__":
    watched = int(sys.argv[3]) if sys.argv[2:3] == ["--watch"] else None
    serve(sys.argv[1], watched)
