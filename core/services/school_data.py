"""A student's movement history (one query), the term DTO and the placement DTO.

The movement rule itself is :mod:`core.movement` (documented in :mod:`core.services.calendar`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.grading import Thresholds
from core.models import Enrolment, School, Student, Term, TermKind
from core.movement import Movement, class_on
from core.services.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class TermInfo:
    id: int
    kind: TermKind
    number: int
    name: str
    starts_on: date
    ends_on: date

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def term_info(term: Term) -> TermInfo:
    return TermInfo(term.id, term.kind, term.number, term.name, term.starts_on, term.ends_on)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a student was on a date; ``class_id`` is ``None`` when not in the school."""

    student_id: int
    on: date
    class_id: int | None
    class_name: str | None

    @property
    def in_school(self) -> bool:
        return self.class_id is not None


@dataclass(frozen=True, slots=True)
class StudentHistory:
    """A student, their school's thresholds and their movement, loaded in one query."""

    student_id: int
    school_id: int
    class_id: int | None
    enrolled_on: date | None
    left_on: date | None
    thresholds: Thresholds
    movements: tuple[Movement, ...]  # in the order they happened

    def class_on(self, day: date) -> int | None:
        return class_on(
            day,
            current=self.class_id,
            enrolled_on=self.enrolled_on,
            left_on=self.left_on,
            movements=self.movements,
        )

    def classes_by_day(self, start: date, end: date) -> dict[date, int | None]:
        """The class of every day of ``start..end`` (inclusive)."""
        days = (start + timedelta(days=n) for n in range((end - start).days + 1))
        return {day: self.class_on(day) for day in days}


async def load_history(session: AsyncSession, student_id: int) -> StudentHistory:
    rows = (
        await session.execute(
            select(
                Student.school_id,
                Student.class_id,
                Student.enrolled_on,
                Student.left_on,
                School.threshold_5,
                School.threshold_4,
                School.threshold_3,
                Enrolment.happened_on,
                Enrolment.kind,
                Enrolment.class_id,
            )
            .join(School, School.id == Student.school_id)
            .outerjoin(Enrolment, Enrolment.student_id == Student.id)
            .where(Student.id == student_id)
            .order_by(Enrolment.happened_on, Enrolment.id)
        )
    ).all()
    if not rows:
        raise NotFoundError("student", student_id)
    first = rows[0]
    return StudentHistory(
        student_id=student_id,
        school_id=first[0],
        class_id=first[1],
        enrolled_on=first[2],
        left_on=first[3],
        thresholds=Thresholds(first[4], first[5], first[6]),
        movements=tuple(Movement(r[7], r[8], r[9]) for r in rows if r[7] is not None),
    )


async def known_history(session: AsyncSession, student_id: int) -> StudentHistory | None:
    """The history, or None for an id that names no student: for working out the dates a read
    is about before its access check (which refuses an unknown id like any other)."""
    try:
        return await load_history(session, student_id)
    except NotFoundError:
        return None
