"""Copies of the demo school made in SQL: every row again under new ids, each copy on its own."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import create_sessionmaker
from core.demo import generate
from core.demo.copies import NOT_COPIED, NotOneSchoolError, copy_school
from core.exchange import service
from core.models import Base, Guardian, Mark, School, Student, Subject
from tests.cli_kit import isolate, runner
from tests.demo.conftest import TODAY

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
COPIES = 2


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        return {
            table.name: (
                await connection.execute(select(func.count()).select_from(table))
            ).scalar_one()
            for table in Base.metadata.sorted_tables
        }


async def _marks_by_school(engine: AsyncEngine) -> dict[str, list[tuple[str, str, str, str]]]:
    """School id → its marks as (student, subject, date, value), through its own rows."""
    query = (
        select(School.external_id, Student.external_id, Subject.external_id, Mark.date, Mark.value)
        .join(Student, Student.id == Mark.student_id)
        .join(Subject, Subject.id == Mark.subject_id)
        .join(School, School.id == Mark.school_id)
        .where(Student.school_id == Mark.school_id, Subject.school_id == Mark.school_id)
    )
    found: dict[str, list[tuple[str, str, str, str]]] = {}
    async with engine.connect() as connection:
        for school, *mark in (await connection.execute(query)).all():
            found.setdefault(school, []).append(tuple(str(cell) for cell in mark))  # type: ignore[arg-type]
    return {school: sorted(marks) for school, marks in found.items()}


async def test_copies_hold_the_school_again_under_new_ids(engine: AsyncEngine) -> None:
    tables = generate(seed=1, students=120, today=TODAY)
    await service.import_rows(create_sessionmaker(engine), tables, now=NOW, today=TODAY)
    before = await _counts(engine)

    report = await copy_school(engine, COPIES)

    after = await _counts(engine)
    for name, count in before.items():
        expected = count if name in NOT_COPIED else count * (COPIES + 1)
        assert after[name] == expected, name
    assert report.rows == sum(after.values()) - sum(before.values())
    marks = await _marks_by_school(engine)
    assert sorted(marks) == ["GYM6", "GYM6-2", "GYM6-3"]
    assert len(marks["GYM6"]) == before["marks"]  # every mark joins its own school's rows
    assert marks["GYM6-2"] == marks["GYM6"] == marks["GYM6-3"]


async def test_a_copy_has_no_phone_numbers_and_takes_new_rows(engine: AsyncEngine) -> None:
    tables = generate(seed=1, students=60, today=TODAY)
    await service.import_rows(create_sessionmaker(engine), tables, now=NOW, today=TODAY)
    await copy_school(engine, 1)
    async with create_sessionmaker(engine)() as session:
        phones = dict(
            (
                await session.execute(
                    select(School.external_id, func.count(Guardian.phone))
                    .join(School, School.id == Guardian.school_id)
                    .group_by(School.external_id)
                )
            ).all()
        )
        assert phones["GYM6"] > 0
        assert phones["GYM6-2"] == 0
        # A row added after the copy gets an id of its own (PostgreSQL's sequences moved on).
        school = (
            await session.execute(select(School).where(School.external_id == "GYM6-2"))
        ).scalar_one()
        session.add(Subject(school_id=school.id, external_id="NEW", name="Новый", short_name="Нов"))
        await session.commit()
        largest = (await session.execute(text("SELECT max(id) FROM subjects"))).scalar_one()
        assert (
            await session.execute(select(Subject.id).where(Subject.external_id == "NEW"))
        ).scalar_one() == largest


async def test_only_a_database_of_one_school_is_copied(engine: AsyncEngine) -> None:
    with pytest.raises(NotOneSchoolError):
        await copy_school(engine, 1)  # no school at all
    tables = generate(seed=1, students=60, today=TODAY)
    await service.import_rows(create_sessionmaker(engine), tables, now=NOW, today=TODAY)
    await copy_school(engine, 1)
    with pytest.raises(NotOneSchoolError):
        await copy_school(engine, 1)


async def test_journal_demo_makes_a_region_once(
    engine: AsyncEngine,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    isolate(monkeypatch, db_url, tmp_path)
    journal = runner(capsys)
    made = await journal("demo", "--students", "60", "--today", "2026-11-30", "--schools", "3")
    assert made.code == 0, made.err
    assert "2 copies of the school" in made.out
    async with engine.connect() as connection:
        schools = (await connection.execute(select(School.external_id))).scalars().all()
    assert sorted(str(school) for school in schools) == ["GYM6", "GYM6-2", "GYM6-3"]

    again = await journal("demo", "--students", "60", "--today", "2026-11-30", "--schools", "3")
    assert again.code == 2
    assert "holds only it" in again.err
