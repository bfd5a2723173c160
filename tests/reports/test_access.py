"""Who may read a class report: a parent never; a teacher the class they lead (every subject)
or a class they teach whole (their subjects only); the administration any class. Every read,
granted or refused, leaves its audit record ``read_report``.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.access.policy import AccessDenied
from core.exchange import service
from core.models import AuditRecord, Guardian, SchoolClass, Staff
from core.reader import Reader
from core.reports.attendance import class_attendance
from core.reports.by_marks import by_marks, teacher_load
from core.reports.by_pupils import by_pupils
from core.reports.period import ReportPeriod
from tests.bot import school

TERM = ReportPeriod.term(2)
# 8В: Орлов teaches it mathematics (timetable); Russian is somebody else's.
TABLES = {
    "subjects": [{"id": "MAT", "name": "Математика"}],
    "classes": [{"id": "C8V", "name": "8В", "year": "Y"}],
    "students": [
        {"id": "V1", "last_name": "Вишнев", "first_name": "Ян", "class": "C8V", "enrolled": ""}
    ],
    "timetable": [
        {
            "id": "TV1",
            "class": "C8V",
            "subject": "MAT",
            "teacher": "T2",
            "weekday": "3",
            "period": "1",
            "valid_from": "2026-09-01",
        }
    ],
    "marks": [
        {"id": "VM1", "student": "V1", "subject": "MAT", "date": "2026-11-25", "value": "5"},
        {"id": "VM2", "student": "V1", "subject": "RUS", "date": "2026-11-25", "value": "3"},
    ],
}


async def _ids(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    await service.import_rows(sessions, TABLES, now=school.NOW, today=school.TODAY)
    async with sessions() as session:
        ids = dict((await session.execute(select(SchoolClass.name, SchoolClass.id))).all())
        for model in (Staff, Guardian):
            rows = await session.execute(select(model.external_id, model.id))
            ids |= {key: value for key, value in rows if key is not None}
    return ids


async def test_a_parent_is_refused_and_the_refusal_is_recorded(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _ids(sessions)
    mother = Reader(label="test", guardian_ids=(ids["G1"],), today=school.TODAY)
    async with sessions() as session:
        with pytest.raises(AccessDenied):
            await by_marks(session, [ids["7А"]], TERM, mother)
        with pytest.raises(AccessDenied):
            await by_pupils(session, ids["7А"], TERM, mother)
        with pytest.raises(AccessDenied):
            await class_attendance(session, ids["7А"], TERM, mother)
        records = (
            await session.scalars(
                select(AuditRecord.details).where(AuditRecord.action == "read_report")
            )
        ).all()
    assert len(records) == 3
    assert all(r["granted"] is False and r["permission"] == "reports" for r in records)


async def test_teachers_read_what_they_lead_or_teach(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _ids(sessions)
    krylova = Reader(label="test", staff_id=ids["T1"], today=school.TODAY)
    orlov = Reader(label="test", staff_id=ids["T2"], today=school.TODAY)
    async with sessions() as session:
        led = await by_marks(session, [ids["7А"]], TERM, krylova)
        taught = await by_marks(session, [ids["8В"]], TERM, orlov)
        with pytest.raises(AccessDenied):
            await by_marks(session, [ids["7А"]], TERM, orlov)  # a substitution is no load
        with pytest.raises(AccessDenied):
            await by_pupils(session, ids["8В"], TERM, krylova)
        admin = await by_marks(session, [ids["8В"]], TERM, Reader.operator("test"))
        granted = (
            await session.scalars(
                select(AuditRecord.student_id).where(
                    AuditRecord.action == "read_report",
                    AuditRecord.actor_staff_id == ids["T1"],
                    AuditRecord.student_id.is_not(None),
                )
            )
        ).all()
    assert [r.subject for r in led.subjects] == ["Алгебра"]
    assert [r.subject for r in taught.subjects] == ["Математика"]  # not Russian
    assert [r.subject for r in admin.subjects] == ["Математика", "Русский язык"]
    assert len(granted) == 2  # Анна and Дмитрий, one record each


async def test_a_teachers_report_pools_the_subjects_they_teach(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _ids(sessions)
    orlov = Reader(label="test", staff_id=ids["T2"], today=school.TODAY)
    async with sessions() as session:
        year = await session.scalar(
            select(SchoolClass.academic_year_id).where(SchoolClass.id == ids["8В"])
        )
        assert year is not None
        load = await teacher_load(session, ids["T2"], year)
        krylova_load = await teacher_load(session, ids["T1"], year)
        report = await by_marks(session, list(load), TERM, orlov, subjects_by_class=load)
    assert list(load) == [ids["8В"]]
    assert set(krylova_load) == {ids["7А"]}
    assert len(krylova_load[ids["7А"]]) == 2  # algebra and Russian, from the timetable
    assert [(r.subject, r.counts.five, r.n) for r in report.subjects] == [("Математика", 1, 1)]
