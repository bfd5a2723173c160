"""core.services.attestation: term columns by the class's term kind, year, exam, final."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import AttestationKind
from core.services.attestation import AttestationValue, ExamResult, attestation
from tests.services.factory import READER, build_world

TERM, YEAR, EXAM, FINAL = (
    AttestationKind.TERM,
    AttestationKind.YEAR,
    AttestationKind.EXAM,
    AttestationKind.FINAL,
)


async def test_quarters_for_a_seventh_grader(session: AsyncSession) -> None:
    w = await build_world(session)
    q1, q2, q3, _ = w.quarters
    anna = await w.student("Иванова", "Анна", w.c7a)
    await w.attest(anna, w.algebra, TERM, "3", term=q1)  # corrected below: the later one wins
    await w.attest(anna, w.algebra, TERM, "4", term=q1)
    await w.attest(anna, w.algebra, TERM, "5", term=q2)
    await w.attest(anna, w.algebra, TERM, "2", term=q3, deleted=True)
    await w.attest(anna, w.algebra, YEAR, "5")
    await w.attest(anna, w.algebra, EXAM, "5", exam_name="ОГЭ", exam_score=28)
    await w.attest(anna, w.algebra, FINAL, "5")
    await w.attest(anna, w.physics, TERM, "зач", term=q1)
    await w.attest(anna, w.physics, TERM, "4", term=w.halves[0])  # a half: no column here

    result = await attestation(session, anna.id, w.year.id, READER)

    assert [t.name for t in result.terms] == [
        "1 четверть",
        "2 четверть",
        "3 четверть",
        "4 четверть",
    ]
    algebra, physics = result.subjects
    assert algebra.subject == "Алгебра"
    assert algebra.terms == (
        AttestationValue("4", 4),
        AttestationValue("5", 5),
        None,
        None,
    )
    assert (algebra.year, algebra.final) == (AttestationValue("5", 5), AttestationValue("5", 5))
    assert algebra.exams == (ExamResult("ОГЭ", "5", 5, 28),)
    assert physics.subject == "Физика"
    assert physics.terms == (AttestationValue("зач", None), None, None, None)
    assert (physics.year, physics.exams, physics.final) == (None, (), None)


async def test_halves_for_a_tenth_grader(session: AsyncSession) -> None:
    w = await build_world(session)
    h1, h2 = w.halves
    kira = await w.student("Козлова", "Кира", w.c10a)
    await w.attest(kira, w.physics, TERM, "4", term=h1)
    await w.attest(kira, w.physics, TERM, "5", term=h2)
    result = await attestation(session, kira.id, w.year.id, READER)
    assert [t.name for t in result.terms] == ["1 полугодие", "2 полугодие"]
    (physics,) = result.subjects
    assert physics.terms == (AttestationValue("4", 4), AttestationValue("5", 5))


async def test_no_marks_yet(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await w.student("Иванова", "Анна", w.c7a)
    result = await attestation(session, anna.id, w.year.id, READER)
    assert (len(result.terms), result.subjects) == (4, ())
