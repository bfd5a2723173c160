"""A teacher's lessons of a day, the one to open now, and an opened lesson's sheet."""

from __future__ import annotations

import uuid
import zlib
from datetime import date, time

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Attendance, GroupMember, Lesson, Mark, Student
from core.models.enums import AttendanceCode
from core.reader import Reader
from core.services.class_data import load_class
from core.services.naming import collation_key
from core.services.timetable import teacher_timetable
from core.services.timetable_lessons import TimetableLesson
from core.teaching.access import authorize_write
from core.teaching.dto import LessonSheet, LessonSlot, Pupil

# Attendance a teacher takes in class; the reasons (Б, У) come later, from the class teacher.
ROLL_CODES = (AttendanceCode.ABSENT, AttendanceCode.LATE)


def new_external_id(kind: str) -> str:
    """An id for a row written in the chat, so that an export names it and re-imports it."""
    return f"bot-{kind}-{uuid.uuid4().hex[:20]}"


async def teacher_lessons(
    session: AsyncSession, reader: Reader, staff_id: int, day: date
) -> tuple[TimetableLesson, ...]:
    """The lessons the teacher gives that day, changes applied, cancelled ones left out."""
    found = await teacher_timetable(session, staff_id, day, reader)
    return tuple(lesson for lesson in found.lessons if not lesson.cancelled)


def lesson_now(lessons: tuple[TimetableLesson, ...], at: time) -> int | None:
    """The index of the lesson in progress at ``at``, else the next one, else the last one."""
    if not lessons:
        return None
    for index, lesson in enumerate(lessons):
        if lesson.starts_at and lesson.ends_at and lesson.starts_at <= at < lesson.ends_at:
            return index
    for index, lesson in enumerate(lessons):
        if lesson.starts_at and at < lesson.starts_at:
            return index
    return len(lessons) - 1


def slot_of(lesson: TimetableLesson, day: date) -> LessonSlot:
    return LessonSlot(day, lesson.period, lesson.class_id, lesson.group_id)


async def open_sheet(
    session: AsyncSession,
    reader: Reader,
    slot: LessonSlot,
    *,
    today: date,
    edit_days: int | None = None,
    action: str = "open_lesson",
) -> LessonSheet:
    """The lesson, its pupils and this lesson's attendance and marks; the journal row is made
    when the timetable has the lesson and the journal does not yet."""
    lesson = await authorize_write(
        session, reader, slot, today=today, action=action, edit_days=edit_days
    )
    row = await journal_row(session, slot, lesson)
    pupils = await pupils_of(session, slot)
    rows = await attendance_rows(session, slot, row.id, [p.student_id for p in pupils])
    attendance = {student: AttendanceCode(found.code) for student, found in rows.items()}
    marks: dict[int, tuple[str, ...]] = {}
    for student, value in await session.execute(
        select(Mark.student_id, Mark.value)
        .where(Mark.lesson_id == row.id, Mark.deleted_at.is_(None))
        .order_by(Mark.id)
    ):
        marks[student] = (*marks.get(student, ()), value)
    return LessonSheet(
        slot=slot,
        lesson_id=row.id,
        school_id=row.school_id,
        subject_id=lesson.subject_id,
        subject=lesson.subject,
        class_name=lesson.class_name,
        group=lesson.group,
        starts_at=lesson.starts_at,
        ends_at=lesson.ends_at,
        topic=row.topic,
        pupils=pupils,
        attendance=attendance,
        marks=marks,
    )


async def attendance_rows(
    session: AsyncSession, slot: LessonSlot, lesson_id: int, student_ids: list[int]
) -> dict[int, Attendance]:
    """The live absences of these pupils at the lesson (imported ones may name only the period)."""
    found = await session.execute(
        select(Attendance).where(
            Attendance.student_id.in_(student_ids),
            Attendance.date == slot.day,
            Attendance.deleted_at.is_(None),
            or_(Attendance.lesson_id == lesson_id, Attendance.period == slot.period),
        )
    )
    return {row.student_id: row for row in found.scalars()}


async def _existing_row(session: AsyncSession, slot: LessonSlot) -> Lesson | None:
    group = Lesson.group_id.is_(None) if slot.group_id is None else Lesson.group_id == slot.group_id
    # The first if a past race left two (they are the same lesson; the oldest has its marks).
    found: Lesson | None = (
        await session.execute(
            select(Lesson)
            .where(
                Lesson.class_id == slot.class_id,
                Lesson.date == slot.day,
                Lesson.period == slot.period,
                group,
            )
            .order_by(Lesson.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    return found


async def journal_row(session: AsyncSession, slot: LessonSlot, lesson: TimetableLesson) -> Lesson:
    """The journal's row of the lesson, created from the timetable when missing.

    Two updates about a lesson without a row (the roll-call opened and a pupil tapped at once)
    must not create two rows. On PostgreSQL the creation is serialised by a transaction-scoped
    advisory lock on the lesson's key, and the row is looked for again once it is held (a read
    after the other transaction's commit sees its row); SQLite already lets one writer at a time.
    """
    row = await _existing_row(session, slot)
    if row is not None:
        return row
    if session.get_bind().dialect.name == "postgresql":
        key = f"lesson:{slot.class_id}:{slot.day.isoformat()}:{slot.period}:{slot.group_id}"
        await session.execute(select(func.pg_advisory_xact_lock(zlib.crc32(key.encode()))))
        row = await _existing_row(session, slot)
        if row is not None:
            return row
    info = await load_class(session, slot.class_id)
    row = Lesson(
        school_id=info.school_id,
        external_id=new_external_id("lesson"),
        class_id=slot.class_id,
        group_id=slot.group_id,
        subject_id=lesson.subject_id,
        teacher_id=lesson.teacher_id,
        date=slot.day,
        period=slot.period,
        room=lesson.room,
    )
    session.add(row)
    await session.flush()
    return row


async def pupils_of(session: AsyncSession, slot: LessonSlot) -> tuple[Pupil, ...]:
    """The class (or group) on that day, in the class list's order (surname, name)."""
    on = slot.day
    query = select(Student.id, Student.last_name, Student.first_name).where(
        Student.class_id == slot.class_id,
        or_(Student.left_on.is_(None), Student.left_on > on),
    )
    if slot.group_id is not None:
        query = query.join(GroupMember, GroupMember.student_id == Student.id).where(
            GroupMember.group_id == slot.group_id,
            or_(GroupMember.joined_on.is_(None), GroupMember.joined_on <= on),
            or_(GroupMember.left_on.is_(None), GroupMember.left_on > on),
        )
    rows = sorted(
        (await session.execute(query)).all(),
        key=lambda r: (collation_key(r.last_name), collation_key(r.first_name), r.id),
    )
    return tuple(
        Pupil(number, row.id, f"{row.last_name} {row.first_name}")
        for number, row in enumerate(rows, 1)
    )
