"""What a report is asked about, found by the words people use: the year running on a day, a
class by its name (7А), a grade's classes, a subject by its name, the current term's number,
the subjects and teachers of a year, and the choices the chat offers a reader (school-wide
readers: every class, grade, subject and teacher; a teacher: the classes they lead and their
own load; the movement for whoever may read it).

These are lookups, not reads of pupils' data: access and audit stay with the reports
themselves (:mod:`core.reports.roster`), which check the reader again on every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.facts import held_scopes
from core.access.permissions import Permission
from core.access.policy import scope_of
from core.exchange.values import BadValue
from core.exchange.values import class_name as normal_class_name
from core.models import (
    AcademicYear,
    Lesson,
    SchoolClass,
    Staff,
    Subject,
    TeachingAssignment,
    Term,
    TimetableEntry,
)
from core.models.enums import PermissionScope
from core.reader import Reader
from core.services.naming import collation_key, short_name


class ScopeError(LookupError):
    """The school has no such year, class, grade or subject; ``what`` and ``value`` name it."""

    def __init__(self, what: str, value: object) -> None:
        self.what, self.value = what, value
        super().__init__(f"no {what} {value}")


@dataclass(frozen=True, slots=True)
class ReportChoices:
    """What the chat offers a reader: classes (id, name) and, school-wide, the grades and the
    subjects; the teachers (id, short name) whose report it may read (school-wide: everyone
    who teaches this year; a teacher: themselves, when they teach); whether the movement."""

    classes: tuple[tuple[int, str], ...]
    grades: tuple[int, ...]
    school_wide: bool
    subjects: tuple[tuple[int, str], ...] = ()
    teachers: tuple[tuple[int, str], ...] = ()
    movement: bool = False
    subject_grades: tuple[tuple[int, tuple[int, ...]], ...] = ()  # (subject id, its grades)

    def grades_of(self, subject_id: int) -> tuple[int, ...]:
        """The grades whose classes have the subject this year (no algebra in the 1st grade)."""
        return dict(self.subject_grades).get(subject_id, ())

    @property
    def anything(self) -> bool:
        """Whether the reader may read any report at all."""
        return bool(self.classes or self.teachers or self.movement)


async def year_on(session: AsyncSession, school_id: int, day: date) -> int:
    """The academic year running on ``day``, else the latest that started before it."""
    running = (AcademicYear.starts_on <= day) & (AcademicYear.ends_on >= day)
    found = await session.scalar(
        select(AcademicYear.id)
        .where(AcademicYear.school_id == school_id)
        .order_by(case((running, 0), else_=1), AcademicYear.starts_on.desc())
        .limit(1)
    )
    if found is None:
        raise ScopeError("academic year", day.isoformat())
    return int(found)


async def class_named(session: AsyncSession, school_id: int, year_id: int, text: str) -> int:
    try:
        name = normal_class_name(text)
    except BadValue:
        raise ScopeError("class", text) from None
    found = await session.scalar(
        select(SchoolClass.id).where(
            SchoolClass.school_id == school_id,
            SchoolClass.academic_year_id == year_id,
            SchoolClass.name == name,
        )
    )
    if found is None:
        raise ScopeError("class", name)
    return int(found)


async def subject_named(session: AsyncSession, school_id: int, text: str) -> int:
    """A subject by its name or short name, any case."""
    wanted = text.strip().casefold()
    for subject_id, name, short in await session.execute(
        select(Subject.id, Subject.name, Subject.short_name).where(Subject.school_id == school_id)
    ):
        if wanted in (name.casefold(), (short or "").casefold()):
            return int(subject_id)
    raise ScopeError("subject", text)


async def current_term(session: AsyncSession, class_id: int, day: date) -> int:
    """The number of the class's term running on ``day`` (in a holiday: the last one begun;
    before the first: 1)."""
    row = (
        await session.execute(
            select(SchoolClass.academic_year_id, SchoolClass.term_kind).where(
                SchoolClass.id == class_id
            )
        )
    ).one_or_none()
    if row is None:
        raise ScopeError("class", class_id)
    number = await session.scalar(
        select(func.max(Term.number)).where(
            Term.academic_year_id == row.academic_year_id,
            Term.kind == row.term_kind,
            Term.starts_on <= day,
        )
    )
    return int(number) if number else 1


async def _scopes(
    session: AsyncSession, reader: Reader, permission: Permission, school_id: int, day: date
) -> set[PermissionScope]:
    held = await held_scopes(session, reader, permission, (school_id,), day)
    return {
        scope_of(held, school_id, role, permission)
        for role in held.staff_roles.get(school_id, frozenset())
    }


async def report_reach(
    session: AsyncSession, reader: Reader, school_id: int, day: date
) -> tuple[bool, bool]:
    """(school-wide, any): whether the ``reports`` cell reaches the whole school, and whether
    it reaches anything (a teacher: the classes they lead or teach)."""
    scopes = await _scopes(session, reader, Permission.REPORTS, school_id, day)
    school_wide = reader.system or PermissionScope.SCHOOL in scopes
    some = school_wide or (reader.staff_id is not None and bool(scopes - {PermissionScope.NONE}))
    return school_wide, some


async def may_read_movement(
    session: AsyncSession, reader: Reader, school_id: int, day: date
) -> bool:
    """Whether to offer the movement: ``reports`` or ``people`` at school scope (the rule of
    :func:`core.services.movement.movement_report`, which checks again and audits)."""
    if reader.system:
        return True
    for permission in (Permission.REPORTS, Permission.PEOPLE):
        if PermissionScope.SCHOOL in await _scopes(session, reader, permission, school_id, day):
            return True
    return False


async def year_span(session: AsyncSession, year_id: int) -> tuple[date, date]:
    """The academic year's first and last days."""
    row = (
        await session.execute(
            select(AcademicYear.starts_on, AcademicYear.ends_on).where(AcademicYear.id == year_id)
        )
    ).one()
    return row.starts_on, row.ends_on


async def term_span(session: AsyncSession, year_id: int, day: date) -> tuple[date, date]:
    """The dates of the school's term running on ``day`` (in a holiday: the last one begun;
    before the first: the first); where quarters and halves overlap, the shorter. Raises
    :class:`ScopeError` for a year without terms."""
    begun = Term.starts_on <= day
    row = (
        await session.execute(
            select(Term.starts_on, Term.ends_on)
            .where(Term.academic_year_id == year_id)
            .order_by(
                case((begun, 0), else_=1),
                case((begun, Term.starts_on), else_=None).desc(),
                Term.starts_on,
                Term.ends_on,
            )
            .limit(1)
        )
    ).one_or_none()
    if row is None:
        raise ScopeError("term", day.isoformat())
    return row.starts_on, row.ends_on


def _year_classes(year_id: int) -> Any:
    return select(SchoolClass.id).where(SchoolClass.academic_year_id == year_id)


async def year_subjects(
    session: AsyncSession, school_id: int, year_id: int
) -> tuple[tuple[int, str], ...]:
    """The school's subjects taught in the year (an assignment, a timetable slot or a lesson
    in one of its classes), by name: (id, name)."""
    classes = _year_classes(year_id)
    taught = union(
        select(TeachingAssignment.subject_id.label("id")).where(
            TeachingAssignment.class_id.in_(classes)
        ),
        select(TimetableEntry.subject_id).where(TimetableEntry.class_id.in_(classes)),
        select(Lesson.subject_id).where(Lesson.class_id.in_(classes)),
    ).subquery()
    rows = await session.execute(
        select(Subject.id, Subject.name).where(
            Subject.school_id == school_id, Subject.id.in_(select(taught.c.id))
        )
    )
    found = sorted(rows.all(), key=lambda r: (collation_key(r.name), r.id))
    return tuple((r.id, r.name) for r in found)


async def year_subject_grades(
    session: AsyncSession, year_id: int
) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """Each subject taught in the year with the grades of the classes that have it (an
    assignment, a timetable slot or a lesson), the grades in order."""
    taught = union(
        select(TeachingAssignment.subject_id.label("subject_id"), TeachingAssignment.class_id),
        select(TimetableEntry.subject_id, TimetableEntry.class_id),
        select(Lesson.subject_id, Lesson.class_id),
    ).subquery()
    rows = await session.execute(
        select(taught.c.subject_id, SchoolClass.grade)
        .join(SchoolClass, SchoolClass.id == taught.c.class_id)
        .where(SchoolClass.academic_year_id == year_id)
        .distinct()
    )
    grades: dict[int, set[int]] = {}
    for subject_id, grade in rows:
        grades.setdefault(subject_id, set()).add(grade)
    return tuple((subject, tuple(sorted(found))) for subject, found in sorted(grades.items()))


async def year_teachers(
    session: AsyncSession, school_id: int, year_id: int, *, only: int | None = None
) -> tuple[tuple[int, str], ...]:
    """The school's staff who teach in the year (their :func:`teacher_load` is not empty), by
    name: (id, Фамилия И. О.); ``only``: that one staff member, if they teach."""
    classes = _year_classes(year_id)
    taught = union(
        select(TeachingAssignment.staff_id.label("id")).where(
            TeachingAssignment.class_id.in_(classes)
        ),
        select(TimetableEntry.teacher_id).where(
            TimetableEntry.class_id.in_(classes), TimetableEntry.teacher_id.is_not(None)
        ),
    ).subquery()
    query = select(Staff.id, Staff.last_name, Staff.first_name, Staff.middle_name).where(
        Staff.school_id == school_id, Staff.id.in_(select(taught.c.id))
    )
    if only is not None:
        query = query.where(Staff.id == only)
    named = [
        (r.id, short_name(r.last_name, r.first_name, r.middle_name))
        for r in await session.execute(query)
    ]
    return tuple(sorted(named, key=lambda t: (collation_key(t[1]), t[0])))


async def report_choices(
    session: AsyncSession, reader: Reader, school_id: int, day: date
) -> ReportChoices:
    """What the chat offers: the whole year's classes, grades, subjects and teachers for the
    administration (the ``reports`` cell at school scope); the classes a teacher leads and
    their own load; the movement for the administration and the secretary; nothing for
    anyone else."""
    school_wide, some = await report_reach(session, reader, school_id, day)
    movement = await may_read_movement(session, reader, school_id, day)
    if not some:
        return ReportChoices((), (), False, movement=movement)
    year_id = await year_on(session, school_id, day)
    query = select(SchoolClass.id, SchoolClass.name, SchoolClass.grade).where(
        SchoolClass.school_id == school_id, SchoolClass.academic_year_id == year_id
    )
    if not school_wide:
        query = query.where(SchoolClass.class_teacher_id == reader.staff_id)
    rows = sorted(
        (await session.execute(query)).all(), key=lambda r: (r.grade, collation_key(r.name))
    )
    subject_grades: tuple[tuple[int, tuple[int, ...]], ...] = ()
    if school_wide:
        subjects = await year_subjects(session, school_id, year_id)
        subject_grades = await year_subject_grades(session, year_id)
        teachers = await year_teachers(session, school_id, year_id)
    else:
        subjects = ()
        teachers = await year_teachers(session, school_id, year_id, only=reader.staff_id)
    return ReportChoices(
        tuple((r.id, r.name) for r in rows),
        tuple(sorted({r.grade for r in rows})) if school_wide else (),
        school_wide,
        subjects,
        teachers,
        movement,
        subject_grades,
    )
