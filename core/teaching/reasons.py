"""Absence reasons: the class teacher marks a pupil's absences Б (ill) or У (a valid reason).

A reason is health data: it is stored on the attendance rows, audited (who set which code on
which rows), and never pushed — no outbox event is written, nothing reaches a log. Families see
it in their diary like any attendance. The ``set_absence_reason`` cell of the matrix decides
who may (docs/access.md): the class teacher for the class they lead (CLASS), a social
pedagogue for the pupils in their care (ASSIGNED), the head teacher and administration for the
school (SCHOOL). A reason is set for a pupil's whole day (every absence of that day at once)
or for one lesson, and can be set back to Н.

The window: a class teacher (or social pedagogue) sets reasons up to :data:`REASON_DAYS` back
— longer than the teachers' edit window, because a medical certificate comes days after the
illness; never for a day still ahead. The head teacher and administration have no window.
Late arrivals (ОП) take no reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.classes import authorize_class_span
from core.access.facts import held_scopes
from core.access.permissions import Permission
from core.access.policy import AccessDenied, authorize, scope_of
from core.audit import record_read
from core.models import Attendance, Student
from core.models.enums import AttendanceCode, PermissionScope
from core.reader import Reader
from core.services.naming import collation_key
from core.teaching.dto import Refusal, WriteRefused

REASON_DAYS = 30
# What a reason may be set to: ill, a valid reason, or back to "without a reason".
REASON_CODES = (AttendanceCode.ILL, AttendanceCode.EXCUSED, AttendanceCode.ABSENT)
_ABSENCES = REASON_CODES  # the rows a reason applies to (a late arrival takes none)


class ReasonError(ValueError):
    """The code is not a reason (Б, У or Н)."""


@dataclass(frozen=True, slots=True)
class ReasonSet:
    student_id: int
    name: str  # Фамилия Имя
    day: date
    code: AttendanceCode
    changed: int  # rows that now carry the code (0: they already did)


@dataclass(frozen=True, slots=True)
class DayWithoutReason:
    """A pupil's day with absences the class teacher has not given a reason yet."""

    student_id: int
    name: str  # Фамилия Имя
    day: date
    periods: tuple[int, ...]  # the lessons missed, in order; empty for a whole-day row only
    whole_day: bool  # an absence recorded for the whole day


async def set_day_reason(
    session: AsyncSession,
    reader: Reader,
    student_id: int,
    day: date,
    code: AttendanceCode,
    *,
    today: date,
    reason_days: int = REASON_DAYS,
) -> ReasonSet:
    """Give every absence of the pupil's day the reason ``code`` (Б, У, or Н back again)."""
    _check(code)
    school_id, name = await _judge(
        session, reader, student_id, day, today=today, reason_days=reason_days
    )
    rows = (
        await session.execute(
            select(Attendance.id, Attendance.code).where(
                Attendance.student_id == student_id,
                Attendance.date == day,
                Attendance.deleted_at.is_(None),
                Attendance.code.in_(_ABSENCES),
            )
        )
    ).all()
    found = [(row.id, AttendanceCode(row.code)) for row in rows]
    return await _apply(session, reader, school_id, (student_id, name), day, code, found)


async def set_lesson_reason(
    session: AsyncSession,
    reader: Reader,
    attendance_id: int,
    code: AttendanceCode,
    *,
    today: date,
    reason_days: int = REASON_DAYS,
) -> ReasonSet:
    """Give one absence (one lesson, or a whole-day row) the reason ``code``."""
    _check(code)
    row = (
        await session.execute(
            select(Attendance.id, Attendance.code, Attendance.student_id, Attendance.date).where(
                Attendance.id == attendance_id,
                Attendance.deleted_at.is_(None),
                Attendance.code.in_(_ABSENCES),
            )
        )
    ).one_or_none()
    if row is None:
        raise WriteRefused(Refusal.NO_SUCH_LESSON)
    school_id, name = await _judge(
        session, reader, row.student_id, row.date, today=today, reason_days=reason_days
    )
    found = [(row.id, AttendanceCode(row.code))]
    pupil = (row.student_id, name)
    return await _apply(session, reader, school_id, pupil, row.date, code, found)


async def absences_without_reason(
    session: AsyncSession, reader: Reader, class_id: int, since: date, until: date
) -> tuple[DayWithoutReason, ...]:
    """The class's absences still without a reason (Н) from ``since`` to ``until``, one entry
    per pupil and day, by name then day. Judged (and audited per pupil) as a read of the
    class by the ``set_absence_reason`` cell: those who may give reasons see what lacks one."""
    try:
        # The pupils in the class on some day of the span, each on their days in it: after a
        # transfer the old class teacher gives reasons up to the day before, the new one from it.
        read = await authorize_class_span(
            session,
            reader,
            Permission.SET_ABSENCE_REASON,
            class_id,
            since,
            until,
            action="read_absences_without_reason",
            today=until,
        )
    except AccessDenied:
        raise WriteRefused(Refusal.NOT_YOURS) from None
    students = read.students
    if not students:
        return ()
    rows = await session.execute(
        select(
            Attendance.student_id,
            Attendance.date,
            Attendance.period,
            Student.last_name,
            Student.first_name,
        )
        .join(Student, Student.id == Attendance.student_id)
        .where(
            Attendance.student_id.in_(students),
            Attendance.date >= since,
            Attendance.date <= until,
            Attendance.code == AttendanceCode.ABSENT,
            Attendance.deleted_at.is_(None),
        )
    )
    days: dict[tuple[int, date], tuple[str, set[int], bool]] = {}
    for row in rows:
        if not read.covers(row.student_id, row.date):
            continue
        name, periods, whole = days.get(
            (row.student_id, row.date), (f"{row.last_name} {row.first_name}", set(), False)
        )
        if row.period is None:
            whole = True
        else:
            periods.add(row.period)
        days[(row.student_id, row.date)] = (name, periods, whole)
    found = [
        DayWithoutReason(student, name, day, tuple(sorted(periods)), whole)
        for (student, day), (name, periods, whole) in days.items()
    ]
    return tuple(sorted(found, key=lambda d: (collation_key(d.name), d.student_id, d.day)))


def _check(code: AttendanceCode) -> None:
    if code not in REASON_CODES:
        raise ReasonError(str(code))


async def _judge(
    session: AsyncSession,
    reader: Reader,
    student_id: int,
    day: date,
    *,
    today: date,
    reason_days: int,
) -> tuple[int, str]:
    """The pupil's school and name, if the reader may give the reason: the window first (the
    administration has none), then the matrix for the pupil; both decisions audited."""
    pupil = (
        await session.execute(
            select(Student.school_id, Student.last_name, Student.first_name).where(
                Student.id == student_id
            )
        )
    ).one_or_none()
    if pupil is None:
        raise WriteRefused(Refusal.NO_SUCH_LESSON)
    school_id: int = pupil.school_id
    details = {"day": day.isoformat()}
    if day > today or (
        day < today - timedelta(days=reason_days)
        and not await _school_wide(session, reader, school_id, today)
    ):
        await record_read(
            session,
            reader,
            school_id=school_id,
            student_id=student_id,
            action="set_absence_reason",
            details={
                **details,
                "permission": Permission.SET_ABSENCE_REASON.value,
                "granted": False,
                "refusal": Refusal.OUTSIDE_WINDOW.value,
            },
        )
        raise WriteRefused(Refusal.OUTSIDE_WINDOW)
    try:
        await authorize(
            session,
            reader,
            Permission.SET_ABSENCE_REASON,
            student_id,
            action="set_absence_reason",
            today=today,
            details=details,
            period=(day, day),  # the absence's day: the class the pupil was in then
        )
    except AccessDenied:
        raise WriteRefused(Refusal.NOT_YOURS) from None
    return school_id, f"{pupil.last_name} {pupil.first_name}"


async def _school_wide(session: AsyncSession, reader: Reader, school_id: int, today: date) -> bool:
    if reader.staff_id is None:
        return False
    held = await held_scopes(session, reader, Permission.SET_ABSENCE_REASON, (school_id,), today)
    return any(
        scope_of(held, school_id, role, Permission.SET_ABSENCE_REASON) == PermissionScope.SCHOOL
        for role in held.staff_roles.get(school_id, frozenset())
    )


async def _apply(
    session: AsyncSession,
    reader: Reader,
    school_id: int,
    pupil: tuple[int, str],
    day: date,
    code: AttendanceCode,
    found: list[tuple[int, AttendanceCode]],
) -> ReasonSet:
    student_id, name = pupil
    changing = [row_id for row_id, current in found if current != code]
    if changing:
        await session.execute(
            update(Attendance).where(Attendance.id.in_(changing)).values(code=code)
        )
    # No outbox event: a reason is health data, never pushed.
    await record_read(
        session,
        reader,
        school_id=school_id,
        student_id=student_id,
        action="absence_reason_set",
        details={
            "day": day.isoformat(),
            "code": code.value,
            "attendance_ids": changing,
            "from": sorted({current.value for _id, current in found if current != code}),
        },
    )
    return ReasonSet(student_id, name, day, code, len(changing))
