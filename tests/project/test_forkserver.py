"""The suite's fork server (tests/forkserver.py) gives a forked command what a new process has:
its own PID, directory, arguments, environment, standard streams and exit status, and dies of
the signals a test sends it."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from tests import forkserver


def test_a_forked_command_has_its_own_process_directory_environment_and_streams(
    tmp_path: Path,
) -> None:
    done = forkserver.run(
        "tests.fork_probe",
        "3",
        env={"JOURNAL_PROBE": "probe-value", "PATH": os.environ.get("PATH", "")},
        cwd=tmp_path,
        input="typed in\n",
    )
    seen = json.loads(done.stdout)
    assert done.returncode == 3
    assert seen["pid"] != os.getpid()
    assert seen["cwd"] == str(tmp_path)
    assert seen["argv"] == ["3"]
    assert seen["setting"] == "probe-value"
    assert seen["input"] == "typed in\n"
    assert done.stderr == "to stderr\n"
    assert "JOURNAL_PROBE" not in os.environ  # the worker's own environment is untouched


async def test_a_forked_process_is_killed_by_a_signal_and_reports_it(tmp_path: Path) -> None:
    process = await forkserver.spawn(
        "tests.fork_probe", "wait", env={}, cwd=tmp_path, stdout=forkserver.PIPE
    )
    assert process.stdout is not None
    assert await process.stdout.readline() == b"waiting\n"
    assert process.returncode is None
    process.send_signal(signal.SIGKILL)
    assert await process.wait() == -signal.SIGKILL
    assert process.returncode == -signal.SIGKILL
    process.kill()  # after the end: nothing to signal, no error


async def test_journal_itself_runs_forked_and_exits_with_its_code(
    db_url: str, tmp_path: Path
) -> None:
    async def health(url: str) -> tuple[int, bytes, bytes]:  # code, stdout, stderr
        process = await forkserver.spawn(
            "bot",
            "health",
            env={"DATABASE_URL": url},
            cwd=tmp_path,
            stdout=forkserver.PIPE,
            stderr=forkserver.PIPE,
        )
        out, err = await process.communicate()
        assert process.returncode is not None
        return process.returncode, out, err

    code, out, _err = await health(db_url)
    assert (code, out) == (0, b"ok\n")
    code, out, err = await health("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert (code, out) == (1, b"")
    assert b"unhealthy: " in err
