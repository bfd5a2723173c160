"""What teachers write in the chat is in the export, and importing that export changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import SchoolClass, Staff
from core.models.enums import AttendanceCode
from core.reader import Reader
from core.teaching.dto import LessonSlot
from core.teaching.marks import parse_marks, save_marks
from core.teaching.rollcall import save_roll_call
from tests.bot import school
from tests.bot.helpers import student_id


async def test_chat_writes_are_exported_and_reimport_as_no_change(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    async with sessions() as session:
        krylova = (
            await session.execute(select(Staff.id).where(Staff.external_id == "T1"))
        ).scalar_one()
        class_7a = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
    dmitry = await student_id(sessions, "S3")
    teacher = Reader(label="test", staff_id=krylova, today=school.TODAY)
    slot = LessonSlot(school.TODAY, 1, class_7a)
    async with sessions() as session:
        await save_roll_call(
            session,
            teacher,
            slot,
            {dmitry: AttendanceCode.LATE},
            now=school.NOW,
            today=school.TODAY,
        )
        await save_marks(
            session,
            teacher,
            slot,
            parse_marks("1 5, 2 зач", 2),
            work_type_id=None,
            now=school.NOW,
            today=school.TODAY,
        )
        await session.commit()
    await service.export_path(sessions, tmp_path / "out", None)
    marks = (tmp_path / "out" / "marks.csv").read_text(encoding="utf-8-sig")
    attendance = (tmp_path / "out" / "attendance.csv").read_text(encoding="utf-8-sig")
    lessons = (tmp_path / "out" / "lessons.csv").read_text(encoding="utf-8-sig")
    assert marks.count("bot-mark-") == 2
    assert "зач" in marks
    assert attendance.count("bot-absence-") == 1
    assert "bot-lesson-" in lessons
    again = await service.import_path(
        sessions, tmp_path / "out", now=school.NOW, today=school.TODAY
    )
    assert again.changes == 0, again.counts
