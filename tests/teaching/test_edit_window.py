"""The school's edit window (``edit_days`` in the exchange `school` table): how far back a
teacher may still write a lesson from the chat; the head teacher is not bound by it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.exchange.problems import ImportFailed
from core.models import School, SchoolClass, Staff
from core.reader import Reader
from core.teaching.access import staff_edit_window
from core.teaching.dto import LessonSlot, Refusal, WriteRefused
from core.teaching.lessons import open_sheet
from tests.bot import school
from tests.exchange.school_files import FILES, write_school

MONDAY = date(2026, 11, 30)
THURSDAY = MONDAY + timedelta(days=3)


async def _monday_algebra(sessions: async_sessionmaker[AsyncSession]) -> tuple[LessonSlot, int]:
    async with sessions() as session:
        class_id = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
        staff = (
            await session.execute(select(Staff.id).where(Staff.external_id == "T1"))
        ).scalar_one()
    return LessonSlot(MONDAY, 1, class_id), staff


async def test_a_teacher_writes_within_the_schools_window_and_not_beyond(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    slot, krylova = await _monday_algebra(sessions)
    reader = Reader(label="test", staff_id=krylova, today=THURSDAY)
    async with sessions() as session, session.begin():
        assert await staff_edit_window(session, krylova) == 7  # the default
        sheet = await open_sheet(session, reader, slot, today=THURSDAY)
        assert sheet.subject == "Алгебра"
        await session.execute(update(School).values(edit_days=2))
    async with sessions() as session, session.begin():
        assert await staff_edit_window(session, krylova) == 2
        with pytest.raises(WriteRefused) as caught:
            await open_sheet(session, reader, slot, today=THURSDAY)
        assert caught.value.refusal == Refusal.OUTSIDE_WINDOW
        # Two days back is still in.
        wednesday_reader = Reader(label="test", staff_id=krylova, today=MONDAY + timedelta(2))
        assert (
            await open_sheet(session, wednesday_reader, slot, today=MONDAY + timedelta(2))
        ).lesson_id


async def _load(sessions: async_sessionmaker[AsyncSession], path: Path) -> None:
    await service.import_path(sessions, path, now=school.NOW, today=school.TODAY)


async def test_the_window_comes_from_the_school_table_and_a_bad_one_is_refused(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    files = dict(FILES)
    files["school.csv"] = "id,name,short_name,дней на исправление\nG6,Гимназия №6,Г6,3\n"
    await _load(sessions, write_school(tmp_path / "ok", files))
    async with sessions() as session:
        assert await session.scalar(select(School.edit_days).where(School.external_id == "G6")) == 3
    files["school.csv"] = "id,name,short_name,edit_days\nG6,Гимназия №6,Г6,400\n"
    with pytest.raises(ImportFailed) as caught:
        await _load(sessions, write_school(tmp_path / "bad", files))
    assert "school.csv:2: edit_days: 400 is outside 0–366" in [
        p.render() for p in caught.value.problems
    ]
    async with sessions() as session:
        assert await session.scalar(select(School.edit_days).where(School.external_id == "G6")) == 3
