"""Absence reasons: the class teacher gives Б or У to a pupil's day or one lesson (and back to
Н), within the reasons window; others are refused; nothing is pushed; every change audited."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import (
    Attendance,
    AuditRecord,
    Guardian,
    OutboxEvent,
    SchoolClass,
    Staff,
    StaffRole,
    Student,
)
from core.models.enums import AttendanceCode, Role
from core.reader import Reader
from core.teaching.dto import LessonSlot, Refusal, WriteRefused
from core.teaching.reasons import (
    REASON_DAYS,
    DayWithoutReason,
    ReasonError,
    absences_without_reason,
    set_day_reason,
    set_lesson_reason,
)
from core.teaching.rollcall import save_roll_call
from tests.bot import school

MONDAY = school.TODAY


class _School:
    def __init__(
        self,
        staff: dict[str | None, int],
        students: dict[str | None, int],
        classes: dict[str, int],
    ) -> None:
        self.krylova = Reader(label="test", staff_id=staff["T1"], today=MONDAY)
        self.orlov = Reader(label="test", staff_id=staff["T2"], today=MONDAY)
        self.orlov_id = staff["T2"]
        self.anna, self.dmitry = students["S1"], students["S3"]
        self.class_7a, self.class_5b = classes["7А"], classes["5Б"]


async def _setup(sessions: async_sessionmaker[AsyncSession]) -> _School:
    """Анна is Н at Monday's algebra (Крылова's roll-call) and Russian (imported): two rows."""
    async with sessions() as session:
        staff = dict((await session.execute(select(Staff.external_id, Staff.id))).all())
        students = dict((await session.execute(select(Student.external_id, Student.id))).all())
        classes = dict((await session.execute(select(SchoolClass.name, SchoolClass.id))).all())
    found = _School(staff, students, classes)
    async with sessions() as session:
        await save_roll_call(
            session,
            found.krylova,
            LessonSlot(MONDAY, 1, found.class_7a),
            {found.anna: AttendanceCode.ABSENT},
            now=school.NOW,
            today=MONDAY,
        )
        await session.commit()
    return found


async def _codes(sessions: async_sessionmaker[AsyncSession], student: int, day: date) -> list[str]:
    async with sessions() as session:
        rows = await session.execute(
            select(Attendance.code)
            .where(
                Attendance.student_id == student,
                Attendance.date == day,
                Attendance.deleted_at.is_(None),
            )
            .order_by(Attendance.period)
        )
        return [AttendanceCode(code).value for code in rows.scalars()]


async def _events(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count(OutboxEvent.id))) or 0)


async def test_the_class_teacher_gives_a_day_a_reason_unpushed_and_audited(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    s = await _setup(sessions)
    caplog.set_level(logging.DEBUG)
    events = await _events(sessions)
    async with sessions() as session:
        listed = await absences_without_reason(
            session, s.krylova, s.class_7a, MONDAY - timedelta(days=14), MONDAY
        )
    assert listed == (DayWithoutReason(s.anna, "Иванова Анна", MONDAY, (1, 2), False),)
    async with sessions() as session:
        done = await set_day_reason(
            session, s.krylova, s.anna, MONDAY, AttendanceCode.ILL, today=MONDAY
        )
        await session.commit()
    assert (done.changed, done.code, done.name) == (2, AttendanceCode.ILL, "Иванова Анна")
    assert await _codes(sessions, s.anna, MONDAY) == ["ill", "ill"]
    assert await _events(sessions) == events  # a reason is never pushed
    async with sessions() as session:
        assert (
            await absences_without_reason(
                session, s.krylova, s.class_7a, MONDAY - timedelta(days=14), MONDAY
            )
            == ()
        )
        audit = (
            await session.execute(
                select(AuditRecord.details, AuditRecord.student_id).where(
                    AuditRecord.action == "absence_reason_set"
                )
            )
        ).one()
    assert audit.student_id == s.anna
    assert audit.details["code"] == "ill"
    assert len(audit.details["attendance_ids"]) == 2
    ours = [r for r in caplog.records if r.name.split(".")[0] in ("core", "bot", "handlers")]
    assert not any("ill" in r.getMessage() or "Анна" in r.getMessage() for r in ours)
    # Back to Н for the day; then У for one lesson.
    async with sessions() as session:
        back = await set_day_reason(
            session, s.krylova, s.anna, MONDAY, AttendanceCode.ABSENT, today=MONDAY
        )
        lesson = (
            await session.execute(
                select(Attendance.id).where(
                    Attendance.student_id == s.anna,
                    Attendance.date == MONDAY,
                    Attendance.period == 2,
                )
            )
        ).scalar_one()
        one = await set_lesson_reason(
            session, s.krylova, lesson, AttendanceCode.EXCUSED, today=MONDAY
        )
        await session.commit()
    assert (back.changed, one.changed) == (2, 1)
    assert await _codes(sessions, s.anna, MONDAY) == ["absent", "excused"]
    assert await _events(sessions) == events


async def test_late_arrivals_take_no_reason_and_the_window_holds(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    s = await _setup(sessions)
    late_day = date(2026, 11, 23)  # Анна's ОП
    async with sessions() as session:
        done = await set_day_reason(
            session, s.krylova, s.anna, late_day, AttendanceCode.ILL, today=MONDAY
        )
        assert done.changed == 0
        with pytest.raises(ReasonError):
            await set_day_reason(
                session, s.krylova, s.anna, MONDAY, AttendanceCode.LATE, today=MONDAY
            )
        for day in (MONDAY + timedelta(days=1), MONDAY - timedelta(days=REASON_DAYS + 1)):
            with pytest.raises(WriteRefused) as refused:
                await set_day_reason(
                    session, s.krylova, s.anna, day, AttendanceCode.ILL, today=MONDAY
                )
            assert refused.value.refusal == Refusal.OUTSIDE_WINDOW
        await session.commit()
    assert await _codes(sessions, s.anna, late_day) == ["late"]
    # The head teacher has no window.
    async with sessions() as session:
        session.add(StaffRole(staff_id=s.orlov_id, role=Role.HEAD_TEACHER))
        await session.commit()
    old = MONDAY - timedelta(days=REASON_DAYS + 5)
    async with sessions() as session:
        session.add(
            Attendance(
                school_id=await session.scalar(
                    select(Student.school_id).where(Student.id == s.anna)
                ),
                student_id=s.anna,
                date=old,
                period=1,
                code=AttendanceCode.ABSENT,
            )
        )
        await session.commit()
    async with sessions() as session:
        done = await set_day_reason(session, s.orlov, s.anna, old, AttendanceCode.ILL, today=MONDAY)
        await session.commit()
    assert done.changed == 1


async def test_another_class_teacher_and_a_parent_are_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    s = await _setup(sessions)
    async with sessions() as session:
        await session.execute(
            update(SchoolClass)
            .where(SchoolClass.id == s.class_5b)
            .values(class_teacher_id=s.orlov_id)
        )
        olga = (
            await session.execute(select(Guardian.id).where(Guardian.external_id == "G1"))
        ).scalar_one()
        await session.commit()
    parent = Reader(label="test", guardian_ids=(olga,), today=MONDAY)
    events = await _events(sessions)
    async with sessions() as session:
        for reader in (s.orlov, parent):
            with pytest.raises(WriteRefused) as refused:
                await set_day_reason(
                    session, reader, s.anna, MONDAY, AttendanceCode.ILL, today=MONDAY
                )
            assert refused.value.refusal == Refusal.NOT_YOURS
            with pytest.raises(WriteRefused):
                await absences_without_reason(
                    session, reader, s.class_7a, MONDAY - timedelta(days=14), MONDAY
                )
        await session.commit()
        refusals = (
            (
                await session.execute(
                    select(AuditRecord.details).where(AuditRecord.action == "set_absence_reason")
                )
            )
            .scalars()
            .all()
        )
    assert await _codes(sessions, s.anna, MONDAY) == ["absent", "absent"]
    assert [r["granted"] for r in refusals] == [False, False]
    assert await _events(sessions) == events
