"""`journal roles` and `journal audit` as an operator runs them, through ``bot.cli.main``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.access.permissions import Permission
from core.access.policy import AccessDenied, authorize
from core.db import create_sessionmaker
from core.models import AuditRecord, School
from tests.access import world
from tests.access.world import guardian_reader, staff_reader, student_id
from tests.cli_kit import Journal, Run, isolate, runner
from tests.conftest import seeds


@pytest.fixture
@seeds(world.load)  # a copy of the school loaded once per worker (tests/conftest.py)
async def sessions(
    engine: AsyncEngine, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> async_sessionmaker[AsyncSession]:
    isolate(monkeypatch, db_url, tmp_path)
    return create_sessionmaker(engine)


@pytest.fixture
def journal(capsys: pytest.CaptureFixture[str]) -> Journal:
    return runner(capsys)


def cell(output: str, permission: str, column: int) -> str:
    line = next(line for line in output.splitlines() if line.startswith(permission + " "))
    return line.split()[column]


async def test_roles_show_grant_revoke_reset(
    sessions: async_sessionmaker[AsyncSession], journal: Journal
) -> None:
    run = journal
    shown: Run = await run("roles", "show")
    assert shown.code == 0, shown.err
    header = shown.out.splitlines()[0].split()
    assert header[1:] == [
        "guardian",
        "student",
        "teacher",
        "head_teacher",
        "admin",
        "secretary",
        "social_pedagogue",
        "psychologist",
    ]
    teacher, secretary = header.index("teacher"), header.index("secretary")
    assert cell(shown.out, "marks", teacher) == "taught"
    assert cell(shown.out, "people", teacher) == "class"
    assert cell(shown.out, "people", secretary) == "school"
    assert cell(shown.out, "attendance", header.index("psychologist")) == "school"

    assert (await run("roles", "revoke", "teacher", "marks")).code == 0
    granted: Run = await run("roles", "grant", "secretary", "attendance", "school")
    assert granted.code == 0, granted.err
    changed: Run = await run("roles", "show")
    assert cell(changed.out, "marks", teacher) == "none*"
    assert cell(changed.out, "attendance", secretary) == "school*"
    assert cell(changed.out, "homework", teacher) == "taught"
    one: Run = await run("roles", "show", "--role", "secretary")
    assert one.out.splitlines()[0].split() == ["permission", "secretary"]
    assert cell(one.out, "attendance", 1) == "school*"
    async with sessions() as session:
        reader = await staff_reader(session, "T1")
        with pytest.raises(AccessDenied):
            await authorize(
                session, reader, Permission.MARKS, await student_id(session, "S1"), action="t"
            )

    partial: Run = await run("roles", "reset", "secretary")
    assert "cells back to the regulation's defaults: 1" in partial.out
    rest: Run = await run("roles", "reset")
    assert "defaults: 1" in rest.out
    assert cell((await run("roles", "show")).out, "marks", teacher) == "taught"


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (("roles", "grant", "janitor", "marks", "school"), "unknown role 'janitor'"),
        (("roles", "grant", "teacher", "salary", "school"), "unknown permission 'salary'"),
        (("roles", "grant", "teacher", "marks", "galaxy"), "unknown scope 'galaxy'"),
        (("roles", "revoke", "teacher", "salary"), "unknown permission 'salary'"),
        (("roles", "show", "--role", "janitor"), "unknown role 'janitor'"),
        (("audit", "--student", "S404"), "there is no student with id S404"),
        (("audit", "--student", "#987654"), "there is no student with id #987654"),
        (("audit", "--student", "S1", "--limit", "0"), "--limit must be 1 or more"),
        (("roles", "show", "--school", "NOPE"), "there is no school with id NOPE"),
    ],
)
async def test_a_wrong_word_is_one_clear_line_and_exit_code_2(
    sessions: async_sessionmaker[AsyncSession], journal: Journal, argv: tuple[str, ...], word: str
) -> None:
    bad: Run = await journal(*argv)
    assert bad.code == 2
    assert len(bad.err.splitlines()) == 1, bad.err
    assert bad.err.startswith(f"journal: {word}")


async def test_several_schools_need_school(
    sessions: async_sessionmaker[AsyncSession], journal: Journal
) -> None:
    async with sessions() as session:
        session.add(School(external_id="SCH2", name="Лицей", short_name="Лицей"))
        await session.commit()
    run = journal
    several: Run = await run("roles", "show")
    assert (several.code, several.err.strip()) == (
        2,
        "journal: the database holds several schools: give --school ID",
    )
    assert (await run("roles", "show", "--school", "SCH")).code == 0
    other: Run = await run("audit", "--student", "S1", "--school", "SCH2")
    assert other.code == 2


async def test_audit_prints_who_read_what_and_when(
    sessions: async_sessionmaker[AsyncSession], journal: Journal
) -> None:
    async with sessions() as session:
        anna = await student_id(session, "S1")
        teacher = await staff_reader(session, "T1")
        await authorize(session, teacher, Permission.MARKS, anna, action="read_diary")
        olga = await guardian_reader(session, "G1")
        await authorize(session, olga, Permission.ATTENDANCE, anna, action="read_attendance")
        with pytest.raises(AccessDenied):
            await authorize(
                session,
                await guardian_reader(session, "G2"),
                Permission.MARKS,
                anna,
                action="read_diary",
            )
        ids = list((await session.scalars(select(AuditRecord.id).order_by(AuditRecord.id))).all())
        times = [
            datetime(2026, 11, 29, 10, 0, tzinfo=UTC),  # 15:00 on the 29th in Yekaterinburg
            datetime(2026, 11, 29, 20, 30, tzinfo=UTC),  # 01:30 on the 30th
            datetime(2026, 11, 30, 5, 0, tzinfo=UTC),
        ]
        for ident, at in zip(ids, times, strict=True):
            await session.execute(update(AuditRecord).where(AuditRecord.id == ident).values(at=at))
        await session.commit()
    run = journal
    result: Run = await run("audit", "--student", "S1")
    assert result.code == 0, result.err
    lines = result.out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("2026-11-29 15:00:00  Крылова")
    assert "account #3 / telegram  read_diary (marks)  read" in lines[0]
    assert lines[1].startswith("2026-11-30 01:30:00  account #1 / telegram  read_attendance")
    assert lines[1].endswith("  read")
    assert lines[2].endswith("read_diary (marks)  REFUSED")

    since: Run = await run("audit", "--student", "S1", "--since", "2026-11-30")
    assert [line[:19] for line in since.out.strip().splitlines()] == [
        "2026-11-30 01:30:00",
        "2026-11-30 10:00:00",
    ]
    newest: Run = await run("audit", "--student", f"#{anna}", "--limit", "1")
    assert newest.out.strip().splitlines() == [lines[2]]
    nobody: Run = await run("audit", "--student", "S3")
    assert nobody.out.strip() == "no reads of this student's data recorded"
