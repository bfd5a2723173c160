"""The `journal` command as an operator runs it, on a real database: `make run`'s start and a bad
setting as a real process (entry point, exit status, standard streams); the other commands
in-process (:func:`tests.cli_kit.journal_in_process`: the same settings, directory, code and
output, without 3 s of imports each)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from bot.settings import Settings
from core.db import create_engine
from core.models import Base
from tests.cli_kit import journal_in_process as in_process

ROOT = Path(__file__).resolve().parents[2]


def journal(
    *args: str, env: dict[str, str], cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    # The outer environment's settings must not leak into the process under test.
    settings = {name.upper() for name in Settings.model_fields}
    clean = {k: v for k, v in os.environ.items() if k not in settings}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_db_upgrade_creates_the_schema_and_downgrade_removes_it(
    empty_db_url: str, tmp_path: Path
) -> None:
    up = in_process("db", "upgrade", env={"DATABASE_URL": empty_db_url}, cwd=tmp_path)
    assert up.returncode == 0, up.stderr
    assert await _tables(empty_db_url) == set(Base.metadata.tables) | {"alembic_version"}

    down = in_process("db", "downgrade", "base", env={"DATABASE_URL": empty_db_url}, cwd=tmp_path)
    assert down.returncode == 0, down.stderr
    assert await _tables(empty_db_url) == {"alembic_version"}


def test_run_without_a_token_opens_the_console_as_a_demo_guardian_who_links(
    tmp_path: Path,
) -> None:
    # What `make run` does on a fresh machine: an empty default database gets the demo school,
    # and the console plays a demo guardian, who takes a code from the school and agrees.
    result = journal("run", env={}, cwd=tmp_path, stdin=":code\n1\n/child\n:quit\n")
    assert result.returncode == 0, result.stderr
    assert "BOT_TOKEN" in result.stdout
    assert (tmp_path / "journal.db").exists()
    children = re.findall(r"• (\w+ \w+), (\d{1,2}[А-Я])", result.stdout)
    assert len(children) >= 2, result.stdout  # the demo's default guardian has siblings
    assert "[1] ✅" in result.stdout  # /child offers them as numbered buttons


def test_settings_from_a_dotenv_file_are_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite+aiosqlite:///./from-dotenv.db\n")
    result = in_process("db", "upgrade", env={}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-dotenv.db").exists()
    assert not (tmp_path / "journal.db").exists()


def test_a_bad_setting_stops_start_up_with_one_line_naming_it(tmp_path: Path) -> None:
    result = journal("run", env={"SCHOOL_TIMEZONE": "Europe/Atlantis"}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SCHOOL_TIMEZONE" in lines[0]
    assert not (tmp_path / "journal.db").exists()


def test_health_reports_an_unmigrated_then_a_migrated_database(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"}
    before = in_process("health", env=env, cwd=tmp_path)
    assert before.returncode == 1
    assert "journal db upgrade" in before.stderr
    assert in_process("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    after = in_process("health", env=env, cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    assert after.stdout.strip() == "ok"


def test_health_reports_an_unreachable_database(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none"}
    result = in_process("health", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "unreachable" in result.stderr
