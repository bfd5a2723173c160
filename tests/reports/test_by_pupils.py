"""The categories of the report by pupils on averages, with н/а and осв: class 9А, second quarter.

Ани: н/а in algebra, missed only ill (Б) - н/а по болезни. Боря: н/а, missed without a reason
(Н). Вера: a 2 in algebra and н/а in Russian - неуспевающая, not counted twice. Гена: 5 and
осв in Russian - отличник (осв is neutral). Даша: a 3 in one subject, 4 in the other.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import SchoolClass
from core.reader import Reader
from core.reports.by_pupils import by_pupils
from core.reports.period import ReportPeriod
from tests.bot import school

PUPILS = {"A": "Ани", "B": "Боря", "V": "Вера", "G": "Гена", "D": "Даша"}
MARKS = [
    ("A", "ALG", "н/а"),
    ("B", "ALG", "н/а"),
    ("V", "ALG", "2"),
    ("V", "RUS", "н/а"),
    ("G", "ALG", "5"),
    ("G", "RUS", "осв"),
    ("D", "ALG", "3"),
    ("D", "RUS", "4"),
]
TABLES = {
    "classes": [{"id": "C9A", "name": "9А", "year": "Y"}],
    "students": [
        {"id": key, "last_name": name, "first_name": "Н", "class": "C9A", "enrolled": ""}
        for key, name in PUPILS.items()
    ],
    "marks": [
        {"id": f"N{n}", "student": p, "subject": s, "date": "2026-11-20", "value": v}
        for n, (p, s, v) in enumerate(MARKS)
    ],
    "attendance": [
        {"id": "NA1", "student": "A", "date": "2026-11-16", "code": "Б"},
        {"id": "NA2", "student": "A", "date": "2026-11-17", "code": "Б"},
        {"id": "NA3", "student": "A", "date": "2026-11-18", "period": "1", "code": "ОП"},
        {"id": "NB1", "student": "B", "date": "2026-11-16", "code": "Б"},
        {"id": "NB2", "student": "B", "date": "2026-11-17", "code": "Н"},
    ],
}


async def test_categories_na_by_illness_and_the_formulas(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await service.import_rows(sessions, TABLES, now=school.NOW, today=school.TODAY)
    async with sessions() as session:
        class_id = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "9А"))
        ).scalar_one()
        report = await by_pupils(
            session, class_id, ReportPeriod.term(2), Reader.operator("test"), on=school.TODAY
        )

    def names(pupils: tuple[object, ...]) -> list[str]:
        return [getattr(p, "name", "").split()[0] for p in pupils]

    assert report.source == "averages"
    assert report.pupils == 5
    assert names(report.excellent) == ["Гена"]
    assert names(report.satisfactory) == names(report.satisfactory_one_three) == ["Даша"]
    assert names(report.failing) == ["Вера"]
    assert names(report.not_attested) == ["Ани", "Боря"]
    assert names(report.not_attested_ill) == ["Ани"]
    assert report.quality == Decimal("20.00")  # 1 · 100 / 5
    assert report.success == Decimal("40.00")  # (5 − 1 − 2) · 100 / 5
