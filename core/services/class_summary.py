"""A class teacher's view of their class: who is absent today, the week's marks, term averages.

Reads a whole class at once through :func:`core.access.classes.authorize_class_span` over the
week and the term (every student gets an audit record, in one statement): a pupil counts on the
days they were in the class - one transferred in on 16 November from that day, one transferred
out up to the day before. A fixed number of statements however large the class:
the check (at most five), the class's terms, today's attendance, and the term's marks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.classes import authorize_class_span
from core.access.permissions import Permission
from core.grading import weighted_average
from core.models import Attendance, AttendanceCode, Mark, SchoolClass, Student, Subject, WorkType
from core.reader import Reader
from core.services.calendar import class_terms
from core.services.naming import collation_key
from core.services.school_data import TermInfo


@dataclass(frozen=True, slots=True)
class AbsentToday:
    student_id: int
    name: str  # Фамилия Имя
    period: int | None  # None: the whole day
    code: AttendanceCode


@dataclass(frozen=True, slots=True)
class SubjectFigures:
    subject_id: int
    subject: str
    marks: int  # numeric and non-numeric
    average: Decimal | None  # weighted, over every student's numeric marks


@dataclass(frozen=True, slots=True)
class ClassSummary:
    class_id: int
    class_name: str
    on: date
    students: int
    absent: tuple[AbsentToday, ...]  # by name, then period
    week: tuple[SubjectFigures, ...]  # Monday..Sunday of ``on``, by subject name
    term: TermInfo | None
    term_averages: tuple[SubjectFigures, ...]


async def class_summary(
    session: AsyncSession, class_id: int, on: date, reader: Reader
) -> ClassSummary:
    # The dates first (no personal data): the week of ``on`` and the class's term.
    term = next((t for t in await class_terms(session, class_id) if t.contains(on)), None)
    monday = on - timedelta(days=on.weekday())
    low = min(monday, term.starts_on) if term else monday
    high = max(monday + timedelta(days=6), term.ends_on) if term else monday + timedelta(days=6)
    # The pupils in the class on some day of them, each counted only on their days in it.
    read = await authorize_class_span(
        session, reader, Permission.MARKS, class_id, low, high, action="read_class_summary"
    )
    students = read.students
    name = await session.scalar(select(SchoolClass.name).where(SchoolClass.id == class_id))
    absent_rows = await session.execute(
        select(
            Student.id, Student.last_name, Student.first_name, Attendance.period, Attendance.code
        )
        .join(Student, Student.id == Attendance.student_id)
        .where(
            Attendance.student_id.in_(students),
            Attendance.date == on,
            Attendance.deleted_at.is_(None),
        )
    )
    absent = sorted(
        (
            AbsentToday(r[0], f"{r[1]} {r[2]}", r[3], AttendanceCode(r[4]))
            for r in absent_rows
            if read.covers(r[0], on)
        ),
        key=lambda a: (collation_key(a.name), a.period or 0),
    )
    mark_rows = await session.execute(
        select(
            Mark.student_id,
            Mark.subject_id,
            Subject.name,
            Mark.date,
            Mark.numeric_value,
            WorkType.weight,
        )
        .join(Subject, Subject.id == Mark.subject_id)
        .outerjoin(WorkType, WorkType.id == Mark.work_type_id)
        .where(
            Mark.student_id.in_(students),
            Mark.date.between(low, high),
            Mark.deleted_at.is_(None),
        )
    )
    names: dict[int, str] = {}
    week: dict[int, list[tuple[int | None, Decimal]]] = {}
    in_term: dict[int, list[tuple[int | None, Decimal]]] = {}
    for student_id, subject_id, subject, day, value, weight in mark_rows:
        if not read.covers(student_id, day):
            continue  # a transferred pupil's marks count for the class they were in then
        names[subject_id] = subject
        mark = (value, weight or Decimal(1))
        if monday <= day <= monday + timedelta(days=6):
            week.setdefault(subject_id, []).append(mark)
        if term is not None and term.contains(day):
            in_term.setdefault(subject_id, []).append(mark)
    return ClassSummary(
        class_id,
        name or "",
        on,
        sum(1 for student in students if read.covers(student, on)),
        tuple(absent),
        _figures(week, names),
        term,
        _figures(in_term, names),
    )


def _figures(
    marks: dict[int, list[tuple[int | None, Decimal]]], names: dict[int, str]
) -> tuple[SubjectFigures, ...]:
    return tuple(
        SubjectFigures(sid, names[sid], len(found), weighted_average(found))
        for sid, found in sorted(marks.items(), key=lambda kv: (collation_key(names[kv[0]]), kv[0]))
    )


async def classes_led(session: AsyncSession, staff_id: int) -> tuple[tuple[int, str], ...]:
    """(id, name) of the classes the staff member leads as class teacher."""
    rows = await session.execute(
        select(SchoolClass.id, SchoolClass.name)
        .where(SchoolClass.class_teacher_id == staff_id)
        .order_by(SchoolClass.grade, SchoolClass.name)
    )
    return tuple((row[0], row[1]) for row in rows)
