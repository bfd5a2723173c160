"""What teachers write in the chat is in the export, and importing that export changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.files import FileStore, export_ref
from core.models import HomeworkAttachment, SchoolClass, Staff
from core.models.enums import AttendanceCode
from core.reader import Reader
from core.teaching.dto import LessonSlot
from core.teaching.homework import assign_homework
from core.teaching.marks import NewMark, save_marks
from core.teaching.reasons import set_day_reason
from core.teaching.rollcall import save_roll_call
from core.teaching.topics import save_topic
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
    dmitry, anna = await student_id(sessions, "S3"), await student_id(sessions, "S1")
    teacher = Reader(label="test", staff_id=krylova, today=school.TODAY)
    slot = LessonSlot(school.TODAY, 1, class_7a)
    async with sessions() as session:
        await save_roll_call(
            session,
            teacher,
            slot,
            {dmitry: AttendanceCode.LATE, anna: AttendanceCode.ABSENT},
            now=school.NOW,
            today=school.TODAY,
        )
        # The class teacher (Крылова leads 7А) gives Анна's day a reason: stored, exported.
        await set_day_reason(
            session, teacher, anna, school.TODAY, AttendanceCode.ILL, today=school.TODAY
        )
        await save_marks(
            session,
            teacher,
            slot,
            (NewMark(1, "5", 5, "устный ответ"), NewMark(2, "зач", None)),
            work_type_id=None,
            now=school.NOW,
            today=school.TODAY,
        )
        await save_topic(session, teacher, slot, "Теорема Виета", today=school.TODAY)
        kept = FileStore(tmp_path / "files").put(b"%PDF task", "Задание; 1.pdf", "application/pdf")
        await assign_homework(
            session,
            teacher,
            slot,
            "№ 12 (из чата)",
            [kept],
            pupils=[dmitry],
            due=None,
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
    assert "устный ответ" in marks
    assert attendance.count("bot-absence-") == 2
    bot_rows = [line.split(",") for line in attendance.splitlines() if line.startswith("bot-")]
    assert sorted((row[1], row[4]) for row in bot_rows) == [("S1", "Б"), ("S3", "ОП")]
    assert "bot-lesson-" in lessons
    assert "Теорема Виета" in lessons
    homework = (tmp_path / "out" / "homework.csv").read_text(encoding="utf-8-sig")
    assert homework.count("bot-homework-") == 1
    assert "№ 12 (из чата)" in homework
    assert export_ref(kept.storage_path, kept.file_name) in homework
    again = await service.import_path(
        sessions, tmp_path / "out", now=school.NOW, today=school.TODAY
    )
    assert again.changes == 0, again.counts
    async with sessions() as session:
        attachment = (
            await session.execute(
                select(HomeworkAttachment).where(
                    HomeworkAttachment.storage_path == kept.storage_path
                )
            )
        ).scalar_one()
    assert (attachment.file_name, attachment.url) == ("Задание; 1.pdf", None)


async def test_a_kept_file_imported_by_reference_is_a_kept_file(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """Another journal's export (or the same after a fresh start) names a kept file: it comes
    back as that file, not as a link; a malformed reference stays a plain link."""
    kept = FileStore(tmp_path).put(b"card", "card.png", "image/png")
    rows = school.tables()
    rows["homework"][0]["attachments"] = ";".join(
        [export_ref(kept.storage_path, "Карточка.png"), "files/../../etc/passwd"]
    )
    await service.import_rows(sessions, rows, now=school.NOW, today=school.TODAY)
    async with sessions() as session:
        found = (
            await session.execute(
                select(
                    HomeworkAttachment.storage_path,
                    HomeworkAttachment.url,
                    HomeworkAttachment.file_name,
                ).order_by(HomeworkAttachment.id)
            )
        ).all()
    assert [tuple(row) for row in found] == [
        (kept.storage_path, None, "Карточка.png"),
        (None, "files/../../etc/passwd", "passwd"),
    ]
