"""A report as a chat (or any other front end) asks for it: "this term" or "the year", a
class or a parallel, for the reader in front of it, on the school's today.

The choice names a class or a grade; nothing in it is trusted: every call checks the reader
again through the reports themselves (:mod:`core.reports.roster`), which audit each pupil
covered and raise :class:`AccessDenied` on a refusal. A parallel is read in the reader's own
school (a staff member's); "this term" is the term running today by the class's own kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.policy import AccessDenied
from core.models import Staff
from core.reader import Reader
from core.reports import files
from core.reports.attendance import AttendanceReport, class_attendance
from core.reports.by_marks import MarksReport, by_marks, parallel_classes
from core.reports.by_pupils import PupilsReport, by_pupils
from core.reports.period import ReportPeriod
from core.reports.scope import ReportChoices, ScopeError, current_term, report_choices, year_on


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


async def _period(
    session: AsyncSession, class_id: int, choice: PeriodChoice, today: date
) -> ReportPeriod:
    if choice == PeriodChoice.YEAR:
        return ReportPeriod.year()
    return ReportPeriod.term(await current_term(session, class_id, today))


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
    period = await _period(session, class_id, choice, today)
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
    classes = await parallel_classes(session, await year_on(session, school_id, today), grade)
    if not classes:
        raise ScopeError("grade", grade)
    period = await _period(session, classes[0], choice, today)
    return ParallelReport(grade, await by_marks(session, classes, period, reader, on=today))
