"""How the benchmarks start one of their modules as a process of its own.

A seam for the test suite: its smoke tests of the benchmarks swap in the fork server of
``tests/forkserver.py`` (the same command, without a fresh interpreter's imports), while ``make
bench`` always starts a fresh interpreter, as a school's server does.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any


async def python_module(
    module: str,
    *args: str,
    env: Mapping[str, str],
    cwd: Path | str,
    stdin: int | IO[Any] | None = asyncio.subprocess.DEVNULL,
    stdout: int | IO[Any] | None = None,
    stderr: int | IO[Any] | None = None,
) -> Any:
    """``python -m MODULE ARGS``: an :class:`asyncio.subprocess.Process` (or what stands in for
    one: ``pid``, ``returncode``, ``wait()``, ``send_signal()``, ``kill()``)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        env=dict(env),
        cwd=str(cwd),
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
    )
