"""A teacher's analysis (issue 13): the report by marks over the classes and subjects they
teach, and how they keep the journal there (:mod:`core.reports.keeping`).

The load is :func:`core.reports.by_marks.teacher_load` of the academic year running on the
period's end (a date range) or on ``on`` (a term, the year). Both parts check the reader on
each class and audit each pupil (:func:`core.reports.roster.grant`); nothing is committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Staff
from core.reader import Reader
from core.reports import files
from core.reports.by_marks import MarksReport, by_marks, teacher_load
from core.reports.keeping import KeepingReport, NoClassesError, journal_keeping
from core.reports.period import ReportPeriod
from core.reports.scope import year_on
from core.services.errors import NotFoundError
from core.services.naming import short_name


@dataclass(frozen=True, slots=True)
class TeacherReport:
    staff_id: int
    teacher_name: str  # Фамилия И. О.
    marks: MarksReport
    keeping: KeepingReport

    def document(self, *, stem: str | None = None) -> files.Document:
        """Both sections as a document (XLSX sheets, a CSV each, a PDF)."""
        about = f"учитель {self.teacher_name}"
        default = "учитель-" + "-".join(self.teacher_name.replace(".", " ").split())
        return files.teacher_document(self.marks, self.keeping, about, stem or default)


async def teacher_report(
    session: AsyncSession, reader: Reader, staff_id: int, period: ReportPeriod, *, on: date
) -> TeacherReport:
    """The report by marks over the teacher's load and their journal keeping.

    Raises :class:`NotFoundError` for an unknown staff member,
    :class:`core.reports.keeping.NoClassesError` (a ``ValueError``) when they teach no class
    that year, ``AccessDenied`` when the reader may not read one of their classes,
    :class:`core.reports.scope.ScopeError` when the school has no academic year then and
    :class:`core.reports.period.PeriodNotFoundError` for a term the year lacks.
    """
    person = (
        await session.execute(
            select(Staff.school_id, Staff.last_name, Staff.first_name, Staff.middle_name).where(
                Staff.id == staff_id
            )
        )
    ).one_or_none()
    if person is None:
        raise NotFoundError("staff", staff_id)
    year = await year_on(session, person.school_id, period.ends_on or on)
    load = await teacher_load(session, staff_id, year)
    if not load:
        raise NoClassesError("no classes to report on")
    marks = await by_marks(session, sorted(load), period, reader, on=on, subjects_by_class=load)
    keeping = await journal_keeping(
        session, staff_id, period, reader, on=on, load=load, rules=marks.rules
    )
    name = short_name(person.last_name, person.first_name, person.middle_name)
    return TeacherReport(staff_id, name, marks, keeping)
