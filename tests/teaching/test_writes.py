"""Writing the journal from the chat: whose lessons, the roll-call, marks; judged and audited.

The tiny school's Monday (2026-11-30): 7А has algebra (period 1) with Крылова and Russian
(period 2), which Орлов covers for her that day; 7А's list is Иванова Анна (1), Петров
Дмитрий (2); Анна already has an imported Н in period 2.
"""

from __future__ import annotations

import asyncio
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import Attendance, AuditRecord, Lesson, Mark, OutboxEvent, SchoolClass, Staff
from core.models.enums import AttendanceCode, EventKind
from core.reader import Reader
from core.teaching.access import authorize_write
from core.teaching.dto import LessonSlot, Refusal, WriteRefused
from core.teaching.lessons import lesson_now, open_sheet, teacher_lessons
from core.teaching.marks import parse_marks, save_marks
from core.teaching.rollcall import save_roll_call
from tests.bot import school
from tests.bot.helpers import student_id

TODAY, NOW = school.TODAY, school.NOW


async def _ids(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int, int]:
    async with sessions() as session:
        staff = dict((await session.execute(select(Staff.external_id, Staff.id))).all())
        class_7a = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
    return staff["T1"], staff["T2"], class_7a


def _teacher(staff_id: int) -> Reader:
    return Reader(label="test", staff_id=staff_id, today=TODAY)


async def test_a_teacher_has_her_lessons_and_the_substitute_the_one_he_covers(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    krylova, orlov, _ = await _ids(sessions)
    async with sessions() as session:
        hers = await teacher_lessons(session, _teacher(krylova), krylova, TODAY)
        his = await teacher_lessons(session, _teacher(orlov), orlov, TODAY)
    assert [(lesson.period, lesson.subject) for lesson in hers] == [(1, "Алгебра")]
    assert [(lesson.period, lesson.subject) for lesson in his] == [(2, "Русский язык")]
    # In progress, else the next, else the last.
    assert lesson_now(hers, time(8, 20)) == 0
    assert lesson_now(hers, time(7, 0)) == 0
    assert lesson_now(hers, time(15, 0)) == 0
    assert lesson_now((), time(8, 0)) is None


async def test_writes_are_judged_every_time_and_audited(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    krylova, orlov, class_7a = await _ids(sessions)
    russian = LessonSlot(TODAY, 2, class_7a)
    cases = [
        (krylova, russian, Refusal.NOT_YOURS),  # Орлов covers it today
        (krylova, LessonSlot(TODAY, 1, class_7a + 999), Refusal.NO_SUCH_LESSON),
        (krylova, LessonSlot(TODAY - timedelta(days=14), 1, class_7a), Refusal.OUTSIDE_WINDOW),
        (krylova, LessonSlot(TODAY + timedelta(days=1), 1, class_7a), Refusal.OUTSIDE_WINDOW),
        (orlov, LessonSlot(TODAY, 1, class_7a), Refusal.NOT_YOURS),
    ]
    async with sessions() as session:
        for staff, slot, refusal in cases:
            with pytest.raises(WriteRefused) as refused:
                await authorize_write(
                    session, _teacher(staff), slot, today=TODAY, action="save_roll_call"
                )
            assert refused.value.refusal == refusal, (staff, slot)
        lesson = await authorize_write(
            session, _teacher(orlov), russian, today=TODAY, action="save_roll_call"
        )
        assert lesson.subject == "Русский язык"
        await session.commit()
        granted = (
            (
                await session.execute(
                    select(AuditRecord.details["granted"].as_boolean()).where(
                        AuditRecord.action == "save_roll_call"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert sorted(granted) == [False, False, False, False, True]


async def test_opening_a_lesson_makes_its_journal_row_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    krylova, _, class_7a = await _ids(sessions)
    slot = LessonSlot(TODAY, 1, class_7a)
    async with sessions() as session:
        first = await open_sheet(session, _teacher(krylova), slot, today=TODAY)
        again = await open_sheet(session, _teacher(krylova), slot, today=TODAY)
        await session.commit()
        rows = await session.scalar(
            select(func.count(Lesson.id)).where(
                Lesson.date == TODAY, Lesson.period == 1, Lesson.class_id == class_7a
            )
        )
    assert first.lesson_id == again.lesson_id
    assert [p.name for p in first.pupils] == ["Иванова Анна", "Петров Дмитрий"]
    assert first.subject == "Алгебра"
    assert rows == 1


async def test_two_opens_at_once_make_one_journal_row(
    sessions: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    """The roll-call opened and a pupil tapped at the same moment: one row, both see it (a CI
    run once made two on PostgreSQL, and every later tap failed)."""
    krylova, _, class_7a = await _ids(sessions)
    slot = LessonSlot(TODAY, 1, class_7a)
    sqlite = "sqlite" in db_url
    both_looked = asyncio.Barrier(2)

    async def open_and_commit() -> int:
        async with sessions() as session:
            await session.scalar(select(func.count(Lesson.id)))
            if not sqlite:  # both transactions have looked before either writes: the race
                await both_looked.wait()
            sheet = await open_sheet(session, _teacher(krylova), slot, today=TODAY)
            await asyncio.sleep(0.05)  # the other one is at its insert now
            await session.commit()
            return sheet.lesson_id

    if sqlite:
        # One writer at a time: the second comes after the first and finds its row.
        ids = [await open_and_commit(), await open_and_commit()]
    else:
        ids = list(await asyncio.gather(open_and_commit(), open_and_commit()))
    async with sessions() as session:
        rows = await session.scalar(
            select(func.count(Lesson.id)).where(
                Lesson.date == TODAY, Lesson.period == 1, Lesson.class_id == class_7a
            )
        )
    assert rows == 1
    assert ids[0] == ids[1]


async def _absence_events(
    sessions: async_sessionmaker[AsyncSession],
) -> list[tuple[int | None, str]]:
    """(student, what): "new", "late (was absent)" style corrections, or "present again"."""
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxEvent.student_id, OutboxEvent.payload)
            .where(OutboxEvent.kind == EventKind.ABSENCE_RECORDED)
            .order_by(OutboxEvent.id)
        )
        return [
            (
                student,
                "present again"
                if payload.get("deleted")
                else f"{payload['code']} (was {payload['previous']})"
                if "previous" in payload
                else "new",
            )
            for student, payload in rows
        ]


async def test_a_roll_call_writes_the_difference_and_pushes_new_absences_and_corrections(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    krylova, _, class_7a = await _ids(sessions)
    anna, dmitry = await student_id(sessions, "S1"), await student_id(sessions, "S3")
    slot = LessonSlot(TODAY, 1, class_7a)
    before = await _absence_events(sessions)
    teacher = _teacher(krylova)

    async def save(absent: dict[int, AttendanceCode]) -> tuple[int, int, int]:
        async with sessions() as session:
            saved = await save_roll_call(session, teacher, slot, absent, now=NOW, today=TODAY)
            await session.commit()
        return saved.added, saved.changed, saved.removed

    assert await save({dmitry: AttendanceCode.ABSENT}) == (1, 0, 0)
    assert await save({dmitry: AttendanceCode.ABSENT}) == (0, 0, 0)  # saved again: nothing
    assert await save({dmitry: AttendanceCode.LATE, anna: AttendanceCode.ABSENT}) == (1, 1, 0)
    assert await save({}) == (0, 0, 2)  # everybody present
    # New absences are pushed; a change or a pupil present again corrects a pending push.
    assert (await _absence_events(sessions))[len(before) :] == [
        (dmitry, "new"),
        (anna, "new"),
        (dmitry, "late (was absent)"),
        (anna, "present again"),
        (dmitry, "present again"),
    ]
    async with sessions() as session:
        live = await session.scalar(
            select(func.count(Attendance.id)).where(
                Attendance.date == TODAY, Attendance.period == 1, Attendance.deleted_at.is_(None)
            )
        )
    assert live == 0


async def test_a_reason_the_class_teacher_set_survives_an_absence_marked_again(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    krylova, _, class_7a = await _ids(sessions)
    dmitry = await student_id(sessions, "S3")
    slot = LessonSlot(TODAY, 1, class_7a)
    async with sessions() as session:
        await save_roll_call(
            session, _teacher(krylova), slot, {dmitry: AttendanceCode.ABSENT}, now=NOW, today=TODAY
        )
        row = (
            await session.execute(
                select(Attendance).where(Attendance.student_id == dmitry, Attendance.period == 1)
            )
        ).scalar_one()
        row.code = AttendanceCode.ILL
        await session.commit()
    async with sessions() as session:
        saved = await save_roll_call(
            session, _teacher(krylova), slot, {dmitry: AttendanceCode.ABSENT}, now=NOW, today=TODAY
        )
        await session.commit()
    assert saved.nothing


async def test_marks_from_one_message_are_saved_with_one_event_each(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    krylova, _, class_7a = await _ids(sessions)
    slot = LessonSlot(TODAY, 1, class_7a)
    async with sessions() as session:
        saved = await save_marks(
            session,
            _teacher(krylova),
            slot,
            parse_marks("1 5, 2 4", 2),
            work_type_id=None,
            now=NOW,
            today=TODAY,
        )
        await session.commit()
        written = select(Mark.id).where(Mark.external_id.like("bot-mark-%"))
        marks = (
            await session.execute(
                select(Mark.value, Mark.teacher_id).where(Mark.external_id.like("bot-mark-%"))
            )
        ).all()
        events = await session.scalar(
            select(func.count(OutboxEvent.id)).where(
                OutboxEvent.kind == EventKind.MARK_ADDED, OutboxEvent.object_id.in_(written)
            )
        )
    assert saved.added == 2
    assert sorted(marks) == [("4", krylova), ("5", krylova)]
    assert events == 2


async def test_the_substitute_writes_and_the_absent_teacher_cannot(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    krylova, orlov, class_7a = await _ids(sessions)
    dmitry = await student_id(sessions, "S3")
    russian = LessonSlot(TODAY, 2, class_7a)
    async with sessions() as session:
        with pytest.raises(WriteRefused):
            await save_marks(
                session,
                _teacher(krylova),
                russian,
                parse_marks("1 5, 2 4", 2),
                work_type_id=None,
                now=NOW,
                today=TODAY,
            )
        saved = await save_roll_call(
            session, _teacher(orlov), russian, {dmitry: AttendanceCode.LATE}, now=NOW, today=TODAY
        )
        await session.commit()
    assert saved.added == 1
