"""`journal roles` and `journal audit` as an operator runs them (a real process)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.access.permissions import Permission
from core.access.policy import AccessDenied, authorize
from core.db import create_sessionmaker
from tests.access import world
from tests.access.world import guardian_reader, staff_reader, student_id
from tests.runtime.test_cli import journal


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    sessions = create_sessionmaker(engine)
    await world.load(sessions)
    return sessions


def cell(output: str, permission: str, column: int) -> str:
    line = next(line for line in output.splitlines() if line.startswith(permission + " "))
    return line.split()[column]


async def test_roles_show_grant_revoke_reset(
    db_url: str, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    env = {"DATABASE_URL": db_url}
    shown = journal("roles", "show", env=env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    header = shown.stdout.splitlines()[0].split()
    teacher = header.index("teacher")
    assert cell(shown.stdout, "marks", teacher) == "taught"
    assert cell(shown.stdout, "people", teacher) == "class"

    assert journal("roles", "revoke", "teacher", "marks", env=env, cwd=tmp_path).returncode == 0
    granted = journal("roles", "grant", "secretary", "attendance", "school", env=env, cwd=tmp_path)
    assert granted.returncode == 0, granted.stderr
    changed = journal("roles", "show", env=env, cwd=tmp_path).stdout
    assert cell(changed, "marks", teacher) == "none*"
    assert cell(changed, "attendance", header.index("secretary")) == "school*"
    async with sessions() as session:
        reader = await staff_reader(session, "T1")
        with pytest.raises(AccessDenied):
            await authorize(
                session, reader, Permission.MARKS, await student_id(session, "S1"), action="t"
            )

    reset = journal("roles", "reset", env=env, cwd=tmp_path)
    assert "2 changed" in reset.stdout
    assert (
        cell(journal("roles", "show", env=env, cwd=tmp_path).stdout, "marks", teacher) == "taught"
    )


def test_an_unknown_role_or_scope_is_one_clear_line(db_url: str, tmp_path: Path) -> None:
    bad = journal(
        "roles", "grant", "janitor", "marks", "school", env={"DATABASE_URL": db_url}, cwd=tmp_path
    )
    assert bad.returncode == 2
    assert "janitor" in bad.stderr


async def test_audit_prints_who_read_what_and_when(
    db_url: str, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    async with sessions() as session:
        anna = await student_id(session, "S1")
        await authorize(
            session,
            await guardian_reader(session, "G1"),
            Permission.MARKS,
            anna,
            action="read_diary",
        )
        with pytest.raises(AccessDenied):
            await authorize(
                session,
                await guardian_reader(session, "G2"),
                Permission.MARKS,
                anna,
                action="read_diary",
            )
        await session.commit()
    result = journal("audit", "--student", "S1", env={"DATABASE_URL": db_url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert "account #1" in lines[0]
    assert "read_diary" in lines[0]
    assert lines[0].endswith("read")
    assert lines[1].endswith("REFUSED")
    missing = journal("audit", "--student", "S404", env={"DATABASE_URL": db_url}, cwd=tmp_path)
    assert missing.returncode == 2
    assert "S404" in missing.stderr
