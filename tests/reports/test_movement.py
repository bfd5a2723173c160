"""A pupil who moved class mid-term counts in the class they are in on the report's day (the
period's last day, or the report's date when that comes first), with all the period's marks.

Мартынов Лев: in 8Г from 1.09, moved to 8В on 20.11 (second quarter). Algebra 2 on 10.11 (in
8Г) and 2 on 25.11 (in 8В); a first-quarter term mark 5 given in 8Г. Lessons of 8Г on 16.11
and of 8В on 25.11, and he missed both days whole (Н).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import Enrolment, MovementKind, SchoolClass, Student
from core.reader import Reader
from core.reports.attendance import class_attendance
from core.reports.by_marks import by_marks
from core.reports.by_pupils import by_pupils
from core.reports.period import ReportPeriod
from tests.bot import school


def _student(klass: str, since: str = "") -> dict[str, str]:
    return {
        "id": "MOV",
        "last_name": "Мартынов",
        "first_name": "Лев",
        "class": klass,
        "enrolled": "2026-09-01",
        "class_since": since,
    }


def _stay(key: str, klass: str) -> dict[str, str]:
    return {
        "id": key,
        "last_name": f"Стоев{key}",
        "first_name": "Ян",
        "class": klass,
        "enrolled": "2026-09-01",
    }


async def _load(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    first = {
        "classes": [
            {"id": "C8G", "name": "8Г", "year": "Y"},
            {"id": "C8V", "name": "8В", "year": "Y"},
        ],
        "students": [_student("C8G"), _stay("STG", "C8G"), _stay("STV", "C8V")],
        "marks": [
            {"id": "MV1", "student": "MOV", "subject": "ALG", "date": "2026-11-10", "value": "2"},
            {"id": "MV2", "student": "MOV", "subject": "ALG", "date": "2026-11-25", "value": "2"},
            {"id": "MV3", "student": "STG", "subject": "ALG", "date": "2026-11-10", "value": "5"},
            {"id": "MV4", "student": "STV", "subject": "ALG", "date": "2026-11-10", "value": "4"},
        ],
        "lessons": [
            {"id": "LG1", "date": "2026-11-16", "period": "1", "class": "C8G", "subject": "ALG"},
            {"id": "LV1", "date": "2026-11-25", "period": "1", "class": "C8V", "subject": "ALG"},
            {"id": "LV2", "date": "2026-11-25", "period": "2", "class": "C8V", "subject": "ALG"},
        ],
        "attendance": [
            {"id": "MA1", "student": "MOV", "date": "2026-11-16", "code": "Н"},
            {"id": "MA2", "student": "MOV", "date": "2026-11-25", "code": "Н"},
        ],
        "attestation": [
            {
                "id": "MVQ1",
                "student": "MOV",
                "subject": "ALG",
                "kind": "term",
                "term": "Q1",
                "year": "Y",
                "value": "5",
            }
        ],
    }
    await service.import_rows(sessions, first, now=school.NOW, today=school.TODAY)
    moved = {"students": [_student("C8V", "2026-11-20")]}
    await service.import_rows(sessions, moved, now=school.NOW, today=school.TODAY)
    async with sessions() as session:
        classes = dict((await session.execute(select(SchoolClass.name, SchoolClass.id))).all())
        mover = (
            await session.execute(select(Student.id).where(Student.external_id == "MOV"))
        ).scalar_one()
        kinds = (
            await session.scalars(
                select(Enrolment.kind)
                .where(Enrolment.student_id == mover)
                .order_by(Enrolment.happened_on)
            )
        ).all()
    assert kinds == [MovementKind.ENROLLED, MovementKind.TRANSFERRED]
    return {"8Г": classes["8Г"], "8В": classes["8В"]}


async def test_a_pupil_who_moved_counts_in_the_class_of_the_reports_day(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    classes = await _load(sessions)
    reader = Reader.operator("test")
    today = school.TODAY
    async with sessions() as session:
        term2_v = await by_pupils(session, classes["8В"], ReportPeriod.term(2), reader, on=today)
        term2_g = await by_pupils(session, classes["8Г"], ReportPeriod.term(2), reader, on=today)
        term1_g = await by_pupils(session, classes["8Г"], ReportPeriod.term(1), reader, on=today)
        term1_v = await by_pupils(session, classes["8В"], ReportPeriod.term(1), reader, on=today)
        # Before the move (a report asked on 19.11) he is still 8Г's.
        early_g = await by_pupils(
            session, classes["8Г"], ReportPeriod.term(2), reader, on=date(2026, 11, 19)
        )
        marks_v = await by_marks(session, [classes["8В"]], ReportPeriod.term(2), reader, on=today)
        seen_v = await class_attendance(session, classes["8В"], ReportPeriod.term(2), reader)
    # Second quarter, on 30.11: in 8В, failing on both algebra marks (the one given in 8Г too).
    assert term2_v.pupils == 2
    assert [p.name for p in term2_v.failing] == ["Мартынов Лев"]
    assert term2_v.success == 50
    assert term2_g.pupils == 1
    assert term2_g.failing == ()
    assert [p.name for p in early_g.failing] == ["Мартынов Лев"]
    algebra = marks_v.subjects[0]
    assert (algebra.counts.four, algebra.counts.two, algebra.n) == (1, 1, 2)
    # First quarter (ended 30.10): he was in 8Г, with his term mark 5.
    assert [p.name for p in term1_g.excellent] == ["Мартынов Лев"]
    assert term1_g.source == "attestation"  # algebra has a term mark: the subject is attested
    assert [p.name for p in term1_g.without_results] == ["СтоевSTG Ян"]
    # Attendance in 8В counts only his days there: 25.11's two lessons, not 8Г's 16.11.
    mover = next(row for row in seen_v.pupils if row.pupil.name == "Мартынов Лев")
    assert (mover.lessons, mover.absent, mover.attended) == (2, 2, Decimal("0.00"))
    assert "Мартынов Лев" not in {p.name for p in term1_v.excellent + term1_v.without_results}
