"""The term block of ``/class`` (core.services.class_term) on the tiny school of the bot tests:
the report by pupils of the second quarter recomputed here by hand from the marks, the term's
risk cases of the class's pupils by name, who may read them, and what is audited.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.access.policy import AccessDenied
from core.exchange import service
from core.models import AuditRecord, Guardian, RiskCase, SchoolClass, Staff, Student, Subject, Term
from core.models.enums import RiskKind
from core.reader import Reader
from core.reports.by_pupils import by_pupils
from core.reports.period import ReportPeriod
from core.services.class_term import ClassTerm, class_term
from tests.bot import school
from tests.bot.conftest import sessions
from tests.services.test_audit_and_statements import counting

__all__ = ["sessions"]

Q2 = (date(2026, 11, 9), date(2026, 12, 27))
WEIGHTS = {"ANS": 1, "CTRL": 2}
# Two more pupils of 7А, and 8В, a class Орлов teaches whole (mathematics) but does not lead.
EXTRA_MARKS = [
    ("X1", "S1", "RUS", "2026-11-16", "5", "ANS"),
    ("X2", "S3", "RUS", "2026-11-16", "4", "ANS"),
    ("X3", "S4", "ALG", "2026-11-16", "5", "ANS"),
    ("X4", "S4", "RUS", "2026-11-17", "5", "CTRL"),
    ("X5", "S4", "RUS", "2026-10-12", "2", "ANS"),  # the first quarter: not counted
    ("X6", "S5", "ALG", "2026-11-16", "3", "ANS"),
    ("X7", "S5", "ALG", "2026-11-18", "4", "ANS"),  # 3.50: a 4 by the school's thresholds
    ("X8", "S5", "RUS", "2026-11-18", "3", "CTRL"),
]
TABLES = {
    "subjects": [{"id": "MAT", "name": "Математика"}],
    "classes": [{"id": "C8V", "name": "8В", "year": "Y"}],
    "students": [
        {"id": "S4", "last_name": "Сидоров", "first_name": "Олег", "class": "C7A", "enrolled": ""},
        {
            "id": "S5",
            "last_name": "Кузнецова",
            "first_name": "Вера",
            "class": "C7A",
            "enrolled": "",
        },
        {"id": "V1", "last_name": "Вишнев", "first_name": "Ян", "class": "C8V", "enrolled": ""},
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
        {
            "id": key,
            "student": pupil,
            "subject": subject,
            "date": day,
            "value": value,
            "work_type": work,
            "teacher": "T1",
        }
        for key, pupil, subject, day, value, work in EXTRA_MARKS
    ],
}


def _mark(average: Decimal) -> int:
    """The school's default thresholds, 4.50 / 3.50 / 2.50."""
    return 5 if average >= Decimal("4.50") else 4 if average >= 3.5 else 3 if average >= 2.5 else 2


def _expected() -> dict[str, object]:
    """The second quarter's categories, from the marks themselves (no attestation in Q2)."""
    marks = [
        (m["student"], m["subject"], m["date"], m["value"], m["work_type"])
        for m in school.tables()["marks"]
    ] + [(p, s, d, v, w) for _key, p, s, d, v, w in EXTRA_MARKS]
    given: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for pupil, subject, day, value, work in marks:
        if Q2[0] <= date.fromisoformat(day) <= Q2[1]:
            given[pupil][subject].append((int(value), WEIGHTS[work]))
    results = {
        pupil: [
            _mark(
                (Decimal(sum(v * w for v, w in found)) / sum(w for _v, w in found)).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
            )
            for found in subjects.values()
        ]
        for pupil, subjects in given.items()
    }
    pupils = ["S1", "S3", "S4", "S5"]
    excellent = [p for p in pupils if set(results[p]) == {5}]
    failing = [p for p in pupils if min(results[p]) <= 2]
    satisfactory = [p for p in pupils if p not in failing and 3 in results[p]]
    good = [p for p in pupils if p not in excellent + failing + satisfactory]

    def percent(part: int) -> Decimal:
        return (Decimal(part * 100) / len(pupils)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    return {
        "excellent": excellent,
        "good": good,
        "good_one_four": [p for p in good if results[p].count(4) == 1],
        "satisfactory": satisfactory,
        "satisfactory_one_three": [p for p in satisfactory if results[p].count(3) == 1],
        "failing": failing,
        "quality": percent(len(excellent) + len(good)),
        "success": percent(len(pupils) - len(failing)),
    }


async def _ids(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    await service.import_rows(sessions, TABLES, now=school.NOW, today=school.TODAY)
    async with sessions() as session:
        ids = dict((await session.execute(select(SchoolClass.name, SchoolClass.id))).all())
        for model in (Staff, Guardian, Student, Subject, Term):
            rows = await session.execute(select(model.external_id, model.id))
            ids |= {key: value for key, value in rows if key is not None}
        ids["school"] = int(await session.scalar(select(SchoolClass.school_id).limit(1)) or 0)
    return ids


async def _case(
    sessions: async_sessionmaker[AsyncSession],
    ids: dict[str, int],
    pupil: str,
    subject: str,
    kind: RiskKind,
    detail: str,
    term: str = "Q2",
    klass: str = "7А",
) -> None:
    async with sessions() as session:
        session.add(
            RiskCase(
                school_id=ids["school"],
                student_id=ids[pupil],
                subject_id=ids[subject],
                term_id=ids[term],
                class_id=ids[klass],
                kind=kind,
                first_seen=date(2026, 11, 27),
                detail=detail,
            )
        )
        await session.commit()


def _keys(ids: dict[str, int], pupils: tuple[object, ...]) -> list[str]:
    by_id = {value: key for key, value in ids.items() if key.startswith("S")}
    return [by_id[getattr(p, "id", 0)] for p in pupils]


async def test_the_figures_are_the_terms_report_by_pupils(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _ids(sessions)
    krylova = Reader(label="test", staff_id=ids["T1"], today=school.TODAY)
    async with sessions() as session:
        found = await class_term(session, ids["7А"], school.TODAY, krylova)
    assert isinstance(found, ClassTerm)
    assert (found.term.number, found.term.name) == (2, "2 четверть")
    report = found.figures
    expected = _expected()
    assert report.source == "averages"  # only the first quarter has term marks
    assert report.pupils == 4
    for field in ("excellent", "good", "good_one_four", "satisfactory", "failing"):
        assert _keys(ids, getattr(report, field)) == expected[field], field
    assert _keys(ids, report.satisfactory_one_three) == expected["satisfactory_one_three"]
    assert report.quality == expected["quality"]
    assert report.success == expected["success"]
    # By hand: Анна 4 and 5, Дмитрий 2, Олег 5 and 5, Вера 4 and 3.
    assert (report.quality, report.success) == (Decimal("50.00"), Decimal("75.00"))
    assert found.at_risk == ()


async def test_the_at_risk_list_is_the_terms_cases_by_pupil_and_name(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _ids(sessions)
    await _case(sessions, ids, "S3", "RUS", RiskKind.ABSENCES, "3/8")
    await _case(sessions, ids, "S3", "ALG", RiskKind.FAILING, "2.00")
    await _case(sessions, ids, "S5", "ALG", RiskKind.FALLING, "4.10→3.50")
    await _case(sessions, ids, "S1", "ALG", RiskKind.FEW_MARKS, "2", term="Q1")  # last term
    await _case(sessions, ids, "V1", "MAT", RiskKind.FAILING, "н/а", klass="8В")  # other class
    krylova = Reader(label="test", staff_id=ids["T1"], today=school.TODAY)
    async with sessions() as session:
        found = await class_term(session, ids["7А"], school.TODAY, krylova)
        audited = (
            await session.scalars(
                select(AuditRecord.student_id)
                .where(AuditRecord.action == "read_class_risks")
                .order_by(AuditRecord.student_id)
            )
        ).all()
    assert found is not None
    listed = [(p.name, [(c.subject, c.kind, c.detail) for c in p.cases]) for p in found.at_risk]
    assert listed == [
        ("Кузнецова Вера", [("Алгебра", RiskKind.FALLING, "4.10→3.50")]),
        (
            "Петров Дмитрий",
            [
                ("Алгебра", RiskKind.FAILING, "2.00"),
                ("Русский язык", RiskKind.ABSENCES, "3/8"),
            ],
        ),
    ]
    assert audited == sorted([ids["S3"], ids["S5"]])


async def test_only_the_class_teacher_and_the_administration_read_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _ids(sessions)
    await _case(sessions, ids, "V1", "MAT", RiskKind.FAILING, "н/а", klass="8В")
    krylova = Reader(label="test", staff_id=ids["T1"], today=school.TODAY)
    orlov = Reader(label="test", staff_id=ids["T2"], today=school.TODAY)
    mother = Reader(label="test", guardian_ids=(ids["G1"],), today=school.TODAY)
    async with sessions() as session:
        # Орлов teaches 8В whole: the report lets him see his subject, the term block does not.
        await by_pupils(session, ids["8В"], ReportPeriod.term(2), orlov, on=school.TODAY)
        for reader, class_name in ((orlov, "8В"), (orlov, "7А"), (mother, "7А"), (krylova, "8В")):
            with pytest.raises(AccessDenied):
                await class_term(session, ids[class_name], school.TODAY, reader)
        refused = (
            await session.scalars(
                select(AuditRecord.details).where(AuditRecord.action == "read_class_risks")
            )
        ).all()
        admin = await class_term(session, ids["8В"], school.TODAY, Reader.operator("test"))
    assert len(refused) == 4
    assert all(r["granted"] is False for r in refused)
    assert admin is not None
    assert [p.name for p in admin.at_risk] == ["Вишнев Ян"]


async def test_statements_do_not_grow_with_the_class(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    ids = await _ids(sessions)
    krylova = Reader(label="test", staff_id=ids["T1"], today=school.TODAY)
    await _case(sessions, ids, "S3", "ALG", RiskKind.FAILING, "2.00")
    await _case(sessions, ids, "S4", "RUS", RiskKind.ABSENCES, "3/8")

    async def count() -> int:
        async with sessions() as session:
            with counting(engine) as statements:
                await class_term(session, ids["7А"], school.TODAY, krylova)
        return len(statements)

    before = await count()
    more = {
        "students": [
            {"id": f"N{n}", "last_name": f"Новиков{n}", "first_name": "Иван", "class": "C7A"}
            | {"enrolled": ""}
            for n in range(6)
        ],
        "marks": [
            {"id": f"NM{n}", "student": f"N{n}", "subject": "ALG", "date": "2026-11-20"}
            | {"value": "4", "work_type": "ANS", "teacher": "T1"}
            for n in range(6)
        ],
    }
    await service.import_rows(sessions, more, now=school.NOW, today=school.TODAY)
    async with sessions() as session:
        for n in range(6):
            student = await session.scalar(select(Student.id).where(Student.external_id == f"N{n}"))
            ids[f"N{n}"] = int(student or 0)
    for n in range(6):
        await _case(sessions, ids, f"N{n}", "ALG", RiskKind.FEW_MARKS, "1")
    assert before > 10
    assert await count() == before
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RiskCase)) == 8
