"""Attendance of 7А over 23-30 November, counted by hand.

Lessons: 23.11, 24.11 and 30.11 periods 1 and 2 (the whole class) and a group lesson of
Анна's English group on 24.11, period 3 - six lessons for Дмитрий, seven for Анна.
Анна (the tiny school): late on 23.11 (ОП), ill the whole of 24.11 (Б: three lessons, the
group's included), absent from 30.11 period 2 (Н). Дмитрий: absent for a valid reason from
23.11 period 2 (У), and an Н entry deleted later, which never counts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import SchoolClass, Student
from core.reader import Reader
from core.reports.attendance import class_attendance
from core.reports.period import ReportPeriod
from tests.bot import school


def _lesson(key: str, day: str, period: str, group: str = "") -> dict[str, str]:
    subject = "ENG" if group else "ALG"
    return {
        "id": key,
        "date": day,
        "period": period,
        "class": "C7A",
        "group": group,
        "subject": subject,
        "teacher": "T1",
    }


TABLES = {
    "subjects": [{"id": "ENG", "name": "Английский язык"}],
    "groups": [{"id": "GE1", "class": "C7A", "subject": "ENG", "name": "Англ. 1"}],
    "group_members": [{"group": "GE1", "student": "S1", "joined": "2026-09-01"}],
    "lessons": [
        _lesson("LA1", "2026-11-23", "1"),
        _lesson("LA2", "2026-11-23", "2"),
        _lesson("LA3", "2026-11-24", "1"),
        _lesson("LA4", "2026-11-24", "2"),
        _lesson("LA5", "2026-11-24", "3", group="GE1"),
        _lesson("LA6", "2026-11-30", "1"),
        _lesson("LA7", "2026-11-30", "2"),
        _lesson("LA8", "2026-12-01", "1"),  # outside the range
    ],
    "attendance": [
        {"id": "AD1", "student": "S3", "date": "2026-11-23", "period": "2", "code": "У"},
        {
            "id": "AD2",
            "student": "S3",
            "date": "2026-11-30",
            "period": "1",
            "code": "Н",
            "deleted": "да",
        },
    ],
}


async def test_missed_lessons_by_code_and_the_share_attended(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await service.import_rows(sessions, TABLES, now=school.NOW, today=school.TODAY)
    period = ReportPeriod.range(date(2026, 11, 23), date(2026, 11, 30))
    async with sessions() as session:
        class_id = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
        dmitry = (
            await session.execute(select(Student.id).where(Student.external_id == "S3"))
        ).scalar_one()
        report = await class_attendance(session, class_id, period, Reader.operator("test"))
        only = await class_attendance(
            session, class_id, period, Reader.operator("test"), pupil_ids=[dmitry]
        )
    anna, dima = report.pupils  # by name: Иванова, Петров
    assert anna.pupil.name == "Иванова Анна"
    assert (anna.lessons, anna.absent, anna.ill, anna.excused, anna.late) == (7, 1, 3, 0, 1)
    assert anna.attended == Decimal("42.86")  # 3 · 100 / 7 = 42.857...
    assert (dima.lessons, dima.absent, dima.ill, dima.excused, dima.late) == (6, 0, 0, 1, 0)
    assert dima.attended == Decimal("83.33")
    assert (report.lessons, report.absent, report.ill, report.excused, report.late) == (
        13,
        1,
        3,
        1,
        1,
    )
    assert report.attended == Decimal("61.54")  # 8 · 100 / 13 = 61.538...
    assert [row.pupil.id for row in only.pupils] == [dmitry]
