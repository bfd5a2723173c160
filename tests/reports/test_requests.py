"""What the chat asks the report core for (core.reports.requests, core.reports.scope): the
term's dates for the movement, the subjects and teachers of the year, and the refusals a
forged button meets before any pupil is read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.access.policy import AccessDenied
from core.models import AcademicYear, AuditRecord, Staff, Subject
from core.reader import Reader
from core.reports.requests import (
    PeriodChoice,
    movement_for,
    subject_report,
    teacher_report_for,
)
from core.reports.scope import term_span, year_subjects, year_teachers
from tests.bot import school


async def _ids(session: AsyncSession) -> dict[str, int]:
    subjects = (await session.execute(select(Subject.name, Subject.id))).all()
    people = (await session.execute(select(Staff.external_id, Staff.id))).all()
    return {str(k): v for k, v in (*subjects, *people) if k}


async def test_the_term_running_the_last_begun_or_the_first(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        year = await session.scalar(select(AcademicYear.id))
        assert year is not None
        assert await term_span(session, year, school.TODAY) == (
            date(2026, 11, 9),
            date(2026, 12, 27),
        )
        # The autumn holiday: the first quarter, the last one begun; before the year: the first.
        assert await term_span(session, year, date(2026, 11, 3)) == (
            date(2026, 9, 1),
            date(2026, 10, 30),
        )
        assert await term_span(session, year, date(2026, 8, 20)) == (
            date(2026, 9, 1),
            date(2026, 10, 30),
        )


async def test_the_years_subjects_and_teachers(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        ids = await _ids(session)
        year = await session.scalar(select(AcademicYear.id))
        school_id = await session.scalar(select(Staff.school_id).where(Staff.id == ids["T1"]))
        assert year is not None
        assert school_id is not None
        assert await year_subjects(session, school_id, year) == (
            (ids["Алгебра"], "Алгебра"),
            (ids["Русский язык"], "Русский язык"),
        )
        assert await year_teachers(session, school_id, year) == ((ids["T1"], "Крылова Н. П."),)
        assert await year_teachers(session, school_id, year, only=ids["T2"]) == ()


@pytest.mark.parametrize("what", ["subject", "teacher", "movement"])
async def test_a_teacher_is_refused_before_anything_is_read(
    sessions: async_sessionmaker[AsyncSession], what: str
) -> None:
    async with sessions() as session:
        ids = await _ids(session)
        krylova = Reader(label="test", staff_id=ids["T1"], today=school.TODAY)
        before = await session.scalar(select(func.count(AuditRecord.id)))
        asks: dict[str, Callable[[], Awaitable[object]]] = {
            "subject": lambda: subject_report(
                session, krylova, ids["Алгебра"], 7, PeriodChoice.TERM, school.TODAY
            ),
            "teacher": lambda: teacher_report_for(
                session, krylova, ids["T2"], PeriodChoice.YEAR, school.TODAY
            ),
            "movement": lambda: movement_for(session, krylova, PeriodChoice.YEAR, school.TODAY),
        }
        with pytest.raises(AccessDenied):
            await asks[what]()
        rows = (
            await session.scalars(
                select(AuditRecord.details).order_by(AuditRecord.id).offset(before)
            )
        ).all()
        assert [r["granted"] for r in rows] == [False]


async def test_a_teacher_reads_their_own_report(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        ids = await _ids(session)
        krylova = Reader(label="test", staff_id=ids["T1"], today=school.TODAY)
        found = await teacher_report_for(
            session, krylova, ids["T1"], PeriodChoice.TERM, school.TODAY
        )
        assert found.teacher_name == "Крылова Н. П."
        assert found.marks.period.term_number == 2
        assert [row.subject for row in found.marks.subjects] == ["Алгебра"]
