"""A published аналитическая справка reproduced: class 2А, 32 pupils with year marks - 7
отличники, 23 хорошисты (3 of them с одной 4), 2 троечники, no неуспевающие - quality 93,75 %,
success 100 %. Built as year attestation marks through the exchange's `attestation` table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import AuditRecord, SchoolClass
from core.reader import Reader
from core.reports.attendance import class_attendance
from core.reports.by_marks import by_marks
from core.reports.by_pupils import by_pupils
from core.reports.period import ReportPeriod
from tests.bot import school

SUBJECTS = ["RUS", "ALG", "LIT", "ENG", "ART"]


def _marks_of(number: int) -> list[str]:
    """Pupil 1-7 all 5s; 8-10 one 4; 11-30 two 4s; 31 one 3; 32 two 3s."""
    if number <= 7:
        return ["5"] * 5
    if number <= 10:
        return ["4", "5", "5", "5", "5"]
    if number <= 30:
        return ["4", "4", "5", "5", "5"]
    if number == 31:
        return ["3", "4", "4", "5", "5"]
    return ["3", "3", "4", "5", "5"]


def tables() -> dict[str, list[dict[str, str]]]:
    pupils = [f"P2A{n:02}" for n in range(1, 33)]
    return {
        "subjects": [
            {"id": "LIT", "name": "Литературное чтение"},
            {"id": "ENG", "name": "Английский язык"},
            {"id": "ART", "name": "Изобразительное искусство"},
        ],
        "classes": [{"id": "C2A", "name": "2А", "year": "Y"}],
        "students": [
            {
                "id": key,
                "last_name": f"Ученик{n:02}",
                "first_name": "Иван",
                "class": "C2A",
                "enrolled": "2026-09-01",
            }
            for n, key in enumerate(pupils, 1)
        ],
        "attestation": [
            {
                "id": f"Y-{key}-{subject}",
                "student": key,
                "subject": subject,
                "kind": "year",
                "year": "Y",
                "value": value,
            }
            for n, key in enumerate(pupils, 1)
            for subject, value in zip(SUBJECTS, _marks_of(n), strict=True)
        ],
    }


async def test_the_published_class_note_reproduces(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await service.import_rows(sessions, tables(), now=school.NOW, today=school.TODAY)
    async with sessions() as session:
        class_id = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "2А"))
        ).scalar_one()
        reader = Reader.operator("test")
        report = await by_pupils(session, class_id, ReportPeriod.year(), reader)
        marks = await by_marks(session, [class_id], ReportPeriod.year(), reader)
        audited = await session.scalar(
            select(AuditRecord.id).where(AuditRecord.action == "read_report").limit(1)
        )
    assert report.source == "attestation"
    assert report.pupils == 32
    assert len(report.excellent) == 7
    assert len(report.good) == 23
    assert len(report.good_one_four) == 3
    assert len(report.satisfactory) == 2
    assert len(report.satisfactory_one_three) == 1
    assert report.failing == report.not_attested == report.without_results == ()
    assert report.quality == Decimal("93.75")
    assert report.success == Decimal("100.00")
    assert [p.name for p in report.good_one_four] == [
        "Ученик08 Иван",
        "Ученик09 Иван",
        "Ученик10 Иван",
    ]
    assert audited is not None
    # By marks, Russian (the first column): 7 fives, 23 fours, 2 threes.
    russian = next(r for r in marks.subjects if r.subject == "Русский язык")
    assert (russian.counts.five, russian.counts.four, russian.counts.three) == (7, 23, 2)
    assert russian.n == 32
    assert russian.quality == Decimal("93.75")
    assert russian.success == Decimal("100.00")
    assert marks.source == "attestation"


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listener)


async def test_a_class_report_takes_a_handful_of_statements_whatever_its_size(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    await service.import_rows(sessions, tables(), now=school.NOW, today=school.TODAY)
    async with sessions() as session:
        classes = dict((await session.execute(select(SchoolClass.name, SchoolClass.id))).all())
        counts = {name: await _statements(session, engine, classes[name]) for name in ("2А", "7А")}
    assert counts["2А"] == counts["7А"]  # 32 pupils or two: the same statements
    assert max(counts["2А"]) <= 10


async def _statements(session: AsyncSession, engine: AsyncEngine, class_id: int) -> list[int]:
    """The statements of each report of the class (by marks, by pupils, attendance)."""
    reader, today, found = Reader.operator("test"), school.TODAY, []
    with counting(engine) as statements:
        await by_marks(session, [class_id], ReportPeriod.year(), reader, on=today)
    found.append(len(statements))
    with counting(engine) as statements:
        await by_pupils(session, class_id, ReportPeriod.year(), reader, on=today)
    found.append(len(statements))
    with counting(engine) as statements:
        await class_attendance(session, class_id, ReportPeriod.term(2), reader, on=today)
    found.append(len(statements))
    return found
