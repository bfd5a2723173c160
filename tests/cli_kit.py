"""Running ``journal`` in-process as an operator would, for the CLI tests of every area."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings
from tests import forkserver
from tests.conftest import in_thread


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


Journal = Callable[..., Awaitable[Run]]


def isolate(
    monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path, locale: str = "en"
) -> None:
    """The command sees this database and language, works in ``tmp_path``, and nothing of the
    outer environment's settings."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DEFAULT_LOCALE", locale)
    monkeypatch.chdir(tmp_path)


def runner(capsys: pytest.CaptureFixture[str]) -> Journal:
    async def run(*argv: str) -> Run:
        capsys.readouterr()
        # main() calls asyncio.run(), which refuses the thread pytest-asyncio's loop runs on.
        code = await asyncio.to_thread(main, list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


_one_at_a_time = threading.Lock()


@contextlib.contextmanager
def _as_a_process(
    env: dict[str, str], cwd: Path, stdin: str
) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """What a new process would have: only ``env``'s settings, ``cwd``, its own standard
    streams; the worker's own are put back afterwards."""
    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    out, err = io.StringIO(), io.StringIO()
    try:
        for name in Settings.model_fields:
            os.environ.pop(name.upper(), None)
        os.environ.update(env)
        os.chdir(cwd)
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
        yield out, err
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def journal_in_process(
    *args: str, env: dict[str, str], cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``journal ARGS`` as tests/runtime/test_cli.py runs it in a subprocess, without paying a
    new Python process (about 3 s of importing aiogram) for every command: the same settings
    from ``env`` only, the same directory, exit code and output. The process itself - entry
    point, ``.env`` file, signals - is tested by tests/runtime/test_cli.py."""
    with _one_at_a_time, _as_a_process(env, cwd, stdin) as (out, err):
        # main() calls asyncio.run(): not on the test's loop thread.
        code = in_thread(_status_of_main, list(args))
        return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def _status_of_main(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit_:
        return forkserver.exit_code(exit_.code)


def journal_forked(
    *args: str, env: dict[str, str], cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``journal ARGS`` as a process of its own (its own logging set-up, standard streams and
    exit), forked from the suite's pre-imported server (``tests/forkserver.py``) rather than a
    fresh interpreter: only ``env``'s settings, ``cwd``, ``stdin`` as the input."""
    settings = {name.upper() for name in Settings.model_fields}
    clean = {k: v for k, v in os.environ.items() if k not in settings}
    return forkserver.run("bot", *args, env={**clean, **env}, cwd=cwd, input=stdin, timeout=180)
