"""A report as a chat (or any other front end) asks for it: "this term" or "the year", a
class, a parallel, a subject (over the school or a grade), a teacher's load, or the student
movement, for the reader in front of it, on the school's today.

The choice names a class, a grade, a subject or a teacher; nothing in it is trusted: every
call checks the reader again through the reports themselves (:mod:`core.reports.roster`,
:func:`core.services.movement.movement_report`), which audit each pupil covered and raise
:class:`AccessDenied` on a refusal. A parallel or a subject is for the school-wide reader
only, and a teacher's report for the school-wide or the teacher themselves: anyone else is
refused before any pupil is read (one audit record, ``granted: false``), so a forged button
never reads a class half-way. Everything is read in the reader's own school (a staff
member's); "this term" is the term running today by the first class's own kind (for the
movement: the school's term running today, :func:`core.reports.scope.term_span`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.policy import AccessDenied
from core.audit import record_read
from core.models import Staff, Subject
from core.reader import Reader
from core.reports import files
from core.reports.attendance import AttendanceReport, class_attendance
from core.reports.by_marks import (
    MarksReport,
    by_marks,
    parallel_classes,
    school_classes,
    teacher_load,
)
from core.reports.by_pupils import PupilsReport, by_pupils
from core.reports.period import ReportPeriod
from core.reports.scope import (
    ReportChoices,
    ScopeError,
    current_term,
    report_choices,
    report_reach,
    term_span,
    year_on,
    year_span,
)
from core.services.movement import MovementReport, movement_report

if TYPE_CHECKING:
    from core.reports.teacher import TeacherReport


class PeriodChoice(StrEnum):
    TERM = "t"  # the term running today
    YEAR = "y"


@dataclass(frozen=True, slots=True)
class ClassReport:
    marks: MarksReport
    pupils: PupilsReport
    attendance: AttendanceReport | None  # only asked for the files

    def document(self) -> files.Document:
        return files.class_document(self.marks, self.pupils, self.attendance)


@dataclass(frozen=True, slots=True)
class ParallelReport:
    grade: int
    marks: MarksReport

    def document(self) -> files.Document:
        return files.marks_document(
            self.marks, f"{self.grade}-е классы", stem=f"параллель-{self.grade}"
        )


@dataclass(frozen=True, slots=True)
class SubjectReport:
    subject: str
    grade: int | None  # None: the whole school
    marks: MarksReport

    def document(self) -> files.Document:
        where = "школа" if self.grade is None else f"{self.grade}-е классы"
        about = f"предмет «{self.subject}», {where}"
        stem = f"предмет-{self.subject}-" + ("школа" if self.grade is None else f"{self.grade}")
        return files.marks_document(self.marks, about, stem=stem)


async def reader_school(session: AsyncSession, reader: Reader) -> int:
    """The school of a staff reader; :class:`AccessDenied` for anyone else."""
    school_id = None
    if reader.staff_id is not None:
        school_id = await session.scalar(select(Staff.school_id).where(Staff.id == reader.staff_id))
    if school_id is None:
        raise AccessDenied(Permission.REPORTS, None)
    return int(school_id)


async def choices_for(session: AsyncSession, reader: Reader, today: date) -> ReportChoices:
    """What to offer the reader; no classes for a reader who may read no report."""
    try:
        school_id = await reader_school(session, reader)
        return await report_choices(session, reader, school_id, today)
    except (AccessDenied, ScopeError):  # not staff, or the school has no year yet
        return ReportChoices((), (), False)


async def _school_wide_only(
    session: AsyncSession, reader: Reader, school_id: int, today: date, details: dict[str, object]
) -> None:
    """Refuse (one audit record, nothing read) a reader whose ``reports`` cell does not reach
    the whole school."""
    school_wide, _some = await report_reach(session, reader, school_id, today)
    if not school_wide:
        await _refuse(session, reader, school_id, details)


async def _refuse(
    session: AsyncSession, reader: Reader, school_id: int, details: dict[str, object]
) -> None:
    await record_read(
        session,
        reader,
        school_id=school_id,
        student_id=None,
        action="read_report",
        details={**details, "granted": False},
    )
    raise AccessDenied(Permission.REPORTS, None)


async def _period(
    session: AsyncSession, class_ids: Sequence[int], choice: PeriodChoice, today: date
) -> ReportPeriod:
    """The year; one class's term running today by its number; several classes' each its own
    (quarters and halves may be mixed: one number would be right for only some)."""
    if choice == PeriodChoice.YEAR:
        return ReportPeriod.year()
    if len(class_ids) == 1:
        return ReportPeriod.term(await current_term(session, class_ids[0], today))
    return ReportPeriod.current(today)


async def class_report(
    session: AsyncSession,
    reader: Reader,
    class_id: int,
    choice: PeriodChoice,
    today: date,
    *,
    with_attendance: bool = False,
) -> ClassReport:
    """A class's report by marks and by pupils (and attendance for the files)."""
    period = await _period(session, [class_id], choice, today)
    marks = await by_marks(session, [class_id], period, reader, on=today)
    pupils = await by_pupils(session, class_id, period, reader, on=today)
    attendance = (
        await class_attendance(session, class_id, period, reader, on=today)
        if with_attendance
        else None
    )
    return ClassReport(marks, pupils, attendance)


async def parallel_report(
    session: AsyncSession, reader: Reader, grade: int, choice: PeriodChoice, today: date
) -> ParallelReport:
    """The report by marks over the grade's classes of the year running today."""
    school_id = await reader_school(session, reader)
    await _school_wide_only(
        session, reader, school_id, today, {"report": "parallel", "grade": grade}
    )
    classes = await parallel_classes(session, await year_on(session, school_id, today), grade)
    if not classes:
        raise ScopeError("grade", grade)
    period = await _period(session, classes, choice, today)
    return ParallelReport(grade, await by_marks(session, classes, period, reader, on=today))


async def subject_report(
    session: AsyncSession,
    reader: Reader,
    subject_id: int,
    grade: int | None,
    choice: PeriodChoice,
    today: date,
) -> SubjectReport:
    """The report by marks in one subject over the school's classes (or a grade's) of the year
    running today; for the school-wide reader only."""
    school_id = await reader_school(session, reader)
    details: dict[str, object] = {"report": "subject", "subject_id": subject_id, "grade": grade}
    await _school_wide_only(session, reader, school_id, today, details)
    name = await session.scalar(
        select(Subject.name).where(Subject.id == subject_id, Subject.school_id == school_id)
    )
    if name is None:
        raise ScopeError("subject", subject_id)
    year_id = await year_on(session, school_id, today)
    if grade is None:
        classes = await school_classes(session, year_id)
    else:
        classes = await parallel_classes(session, year_id, grade)
    if not classes:
        raise ScopeError("grade", grade)
    period = await _period(session, classes, choice, today)
    marks = await by_marks(
        session, classes, period, reader, on=today, subject_ids=frozenset({subject_id})
    )
    return SubjectReport(name, grade, marks)


async def teacher_report_for(
    session: AsyncSession, reader: Reader, staff_id: int, choice: PeriodChoice, today: date
) -> TeacherReport:
    """A teacher's report (:func:`core.reports.teacher.teacher_report`: the classes and
    subjects of their load) for the school-wide reader, or a teacher for themselves."""
    from core.reports.teacher import teacher_report

    school_id = await reader_school(session, reader)
    if staff_id != reader.staff_id:
        details: dict[str, object] = {"report": "teacher", "staff_id": staff_id}
        await _school_wide_only(session, reader, school_id, today, details)
    found = await session.scalar(
        select(Staff.id).where(Staff.id == staff_id, Staff.school_id == school_id)
    )
    if found is None:
        raise ScopeError("teacher", staff_id)
    load = await teacher_load(session, staff_id, await year_on(session, school_id, today))
    if not load:
        raise ScopeError("teacher", staff_id)
    period = await _period(session, sorted(load), choice, today)
    return await teacher_report(session, reader, staff_id, period, on=today)


async def movement_for(
    session: AsyncSession, reader: Reader, choice: PeriodChoice, today: date
) -> MovementReport:
    """The school's movement over the term running today, or the year running today;
    :func:`movement_report` checks the reader (administration, secretary) and audits."""
    school_id = await reader_school(session, reader)
    year_id = await year_on(session, school_id, today)
    if choice == PeriodChoice.YEAR:
        start, end = await year_span(session, year_id)
    else:
        start, end = await term_span(session, year_id, today)
    return await movement_report(session, reader, school_id, start, end)
