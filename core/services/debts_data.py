"""The sources of :mod:`core.services.debts`: open term marks and missed control works.

Missed control works take three statements whatever the number of lessons: the lessons of the
student's classes in the range with a live control-work mark of another student and no live
mark of this student, the student's absences in the range, the student's group memberships.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.grading import is_unsatisfactory
from core.models import (
    Attendance,
    AttendanceCode,
    AttestationKind,
    AttestationMark,
    Lesson,
    Mark,
    Subject,
    Term,
    WorkType,
)
from core.services.groups import load_memberships
from core.services.school_data import StudentHistory


@dataclass(frozen=True, slots=True)
class OpenTermMark:
    subject_id: int
    subject: str
    term_id: int
    term: str
    value: str


@dataclass(frozen=True, slots=True)
class MissedWork:
    lesson_id: int
    date: date
    subject_id: int
    subject: str
    work_type: str


async def missed_control_works(
    session: AsyncSession, history: StudentHistory, start: date, end: date
) -> list[MissedWork]:
    if start > end:
        return []
    class_on = history.classes_by_day(start, end)
    own = aliased(Mark)
    rows = await session.execute(
        select(
            Lesson.id,
            Lesson.date,
            Lesson.period,
            Lesson.class_id,
            Lesson.group_id,
            Lesson.subject_id,
            Subject.name,
            WorkType.name,
        )
        .join(Mark, Mark.lesson_id == Lesson.id)
        .join(WorkType, and_(WorkType.id == Mark.work_type_id, WorkType.is_control.is_(True)))
        .join(Subject, Subject.id == Lesson.subject_id)
        .where(
            Lesson.class_id.in_({c for c in class_on.values() if c is not None}),
            Lesson.date.between(start, end),
            Mark.deleted_at.is_(None),
            Mark.student_id != history.student_id,
            ~exists().where(
                own.lesson_id == Lesson.id,
                own.student_id == history.student_id,
                own.deleted_at.is_(None),
            ),
        )
        .distinct()
        .order_by(Lesson.date, Lesson.period, Lesson.id, WorkType.name)
    )
    lessons = rows.all()
    if not lessons:
        return []
    absences = (
        await session.execute(
            select(Attendance.lesson_id, Attendance.date, Attendance.period).where(
                Attendance.student_id == history.student_id,
                Attendance.date.between(start, end),
                Attendance.code != AttendanceCode.LATE,
                Attendance.deleted_at.is_(None),
            )
        )
    ).all()
    absent_lessons = {lesson_id for lesson_id, _, _ in absences if lesson_id is not None}
    absent_periods = {(day, period) for _, day, period in absences if period is not None}
    absent_days = {
        day for lesson_id, day, period in absences if lesson_id is None and period is None
    }
    memberships = await load_memberships(session, history.student_id)
    found: dict[int, MissedWork] = {}
    for lesson_id, day, period, class_id, group_id, subject_id, subject, work_type in lessons:
        absent = (
            lesson_id in absent_lessons or (day, period) in absent_periods or day in absent_days
        )
        if (
            absent
            and class_on[day] == class_id
            and memberships.sees(group_id, day)
            and lesson_id not in found
        ):
            found[lesson_id] = MissedWork(lesson_id, day, subject_id, subject, work_type)
    return list(found.values())


async def open_term_marks(
    session: AsyncSession, student_id: int, academic_year_id: int
) -> list[OpenTermMark]:
    """Unsatisfactory term marks no later term (or year) mark has made good."""
    rows = await session.execute(
        select(AttestationMark, Subject.name, Term.id, Term.name, Term.starts_on)
        .join(Subject, Subject.id == AttestationMark.subject_id)
        .outerjoin(Term, Term.id == AttestationMark.term_id)
        .where(
            AttestationMark.student_id == student_id,
            AttestationMark.academic_year_id == academic_year_id,
            AttestationMark.kind.in_([AttestationKind.TERM, AttestationKind.YEAR]),
            AttestationMark.deleted_at.is_(None),
        )
        .order_by(AttestationMark.updated_at, AttestationMark.id)
    )
    # Per subject, the marks in term order (the year mark last); per term the latest entered.
    latest: dict[tuple[int, int | None], tuple[date, AttestationMark, str, str | None]] = {}
    for mark, subject, term_id, term_name, starts_on in rows:
        if mark.kind == AttestationKind.TERM and term_id is None:
            continue  # a term mark naming no term cannot be placed in order
        key = (mark.subject_id, term_id if mark.kind == AttestationKind.TERM else None)
        latest[key] = (starts_on or date.max, mark, subject, term_name)
    ordered = sorted(latest.items(), key=lambda kv: (kv[0][0], kv[1][0]))
    found: list[OpenTermMark] = []
    for index, ((subject_id, in_term), (_, given, name, term)) in enumerate(ordered):
        if in_term is None or not is_unsatisfactory(given.value, given.numeric_value):
            continue
        later = [m for (s, _), (_, m, _, _) in ordered[index + 1 :] if s == subject_id]
        if all(is_unsatisfactory(m.value, m.numeric_value) for m in later):
            found.append(OpenTermMark(subject_id, name, in_term, term or "", given.value))
    return found
