"""core.services.diary: marks per subject, term averages, suggested marks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from core.services.diary import diary
from tests.services.factory import READER, build_world

MON, FRI = date(2026, 11, 16), date(2026, 11, 20)


async def test_diary_groups_marks_and_averages_over_the_term(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await w.student("Иванова", "Анна", w.c7a)
    club = await w.subject("Ёлочные игрушки")  # sorts after Английский, before Физика
    await w.mark(anna, w.algebra, date(2026, 10, 20), "2")  # 1st quarter: not in the average
    await w.mark(anna, w.algebra, date(2026, 11, 5), "3", work_type=w.answer)  # term, not range
    await w.mark(anna, w.algebra, MON, "5", work_type=w.answer, teacher=w.petrova, comment="Умница")
    await w.mark(anna, w.algebra, date(2026, 11, 17), "2", work_type=w.answer, deleted=True)
    await w.mark(anna, w.algebra, date(2026, 11, 18), "4", work_type=w.control, teacher=w.sidorov)
    await w.mark(anna, w.algebra, date(2026, 11, 19), "н/а")
    await w.mark(anna, w.physics, date(2026, 11, 17), "зач", teacher=w.yozhikov)
    await w.mark(anna, w.physics, FRI, "5")
    await w.mark(anna, club, date(2026, 11, 6), "4")
    other = await w.student("Петров", "Борис", w.c7a)
    await w.mark(other, w.algebra, MON, "2")

    result = await diary(session, anna.id, MON, FRI, READER)

    assert result.term is not None
    assert result.term.name == "2 четверть"
    assert [s.subject for s in result.subjects] == ["Алгебра", "Ёлочные игрушки", "Физика"]
    algebra, club_row, physics = result.subjects
    assert [(m.date, m.value) for m in algebra.marks] == [
        (MON, "5"),
        (date(2026, 11, 18), "4"),
        (date(2026, 11, 19), "н/а"),
    ]
    five, four, not_attested = algebra.marks
    assert (five.work_type, five.weight, five.teacher, five.comment) == (
        "Ответ на уроке",
        Decimal(1),
        "Петрова М. И.",
        "Умница",
    )
    assert (four.work_type, four.weight, four.is_control, four.teacher) == (
        "Контрольная работа",
        Decimal(2),
        True,
        "Сидоров О.",
    )
    assert (not_attested.work_type, not_attested.weight, not_attested.numeric_value) == (
        None,
        Decimal(1),
        None,
    )
    # Term: 3·1 + 5·1 + 4·2 = 16 over weight 4 → 4.00 (the deleted 2 and the н/а do not count).
    assert (algebra.average, algebra.suggested_mark) == (Decimal("4.00"), 4)
    # Only a term mark outside the range: listed without marks, with its average.
    assert (club_row.marks, club_row.average, club_row.suggested_mark) == ((), Decimal("4.00"), 4)
    # зач is shown but not averaged: the 5 alone.
    assert [m.value for m in physics.marks] == ["зач", "5"]
    assert physics.marks[0].teacher == "Ёжиков И. П."
    assert (physics.average, physics.suggested_mark) == (Decimal("5.00"), 5)


async def test_outside_a_term_the_average_covers_the_range(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await w.student("Иванова", "Анна", w.c7a)
    await w.mark(anna, w.algebra, date(2026, 10, 12), "5")  # before the range
    await w.mark(anna, w.algebra, date(2026, 10, 20), "2")
    await w.mark(anna, w.algebra, date(2026, 10, 22), "4", work_type=w.control)
    # The range ends in the autumn holidays, between quarters.
    result = await diary(session, anna.id, date(2026, 10, 19), date(2026, 10, 30), READER)
    assert result.term is None
    (algebra,) = result.subjects
    # (2 + 4·2) / 3 = 3.33 → 3
    assert (algebra.average, algebra.suggested_mark) == (Decimal("3.33"), 3)


async def test_rounding_at_the_thresholds(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await w.student("Иванова", "Анна", w.c7a)
    russian = w.russian
    await w.mark(anna, w.algebra, MON, "5")
    await w.mark(anna, w.algebra, MON, "4")  # exactly 4.50 → 5
    await w.mark(anna, russian, MON, "3")
    await w.mark(anna, russian, MON, "2")  # exactly 2.50 → 3
    await w.mark(anna, w.physics, MON, "4", work_type=w.answer)
    await w.mark(anna, w.physics, MON, "3", work_type=w.answer)
    await w.mark(anna, w.physics, MON, "3", work_type=w.control)  # 13/4 = 3.25 → 3
    result = await diary(session, anna.id, MON, MON, READER)
    got = {s.subject: (s.average, s.suggested_mark) for s in result.subjects}
    assert got == {
        "Алгебра": (Decimal("4.50"), 5),
        "Русский язык": (Decimal("2.50"), 3),
        "Физика": (Decimal("3.25"), 3),
    }


async def test_custom_school_thresholds(session: AsyncSession) -> None:
    w = await build_world(session, thresholds=("4.65", "3.65", "2.65"))
    anna = await w.student("Иванова", "Анна", w.c7a)
    for value in ("5", "5", "5", "4", "4"):  # 23 / 5 = 4.60: a 5 by default, a 4 here
        await w.mark(anna, w.algebra, MON, value)
    result = await diary(session, anna.id, MON, FRI, READER)
    assert [(s.average, s.suggested_mark) for s in result.subjects] == [(Decimal("4.60"), 4)]


async def test_one_subject_only(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await w.student("Иванова", "Анна", w.c7a)
    await w.mark(anna, w.algebra, MON, "5")
    await w.mark(anna, w.physics, MON, "4")
    result = await diary(session, anna.id, MON, FRI, READER, subject_id=w.physics.id)
    assert [(s.subject, s.average) for s in result.subjects] == [("Физика", Decimal("4.00"))]


async def test_a_student_without_marks_has_an_empty_diary(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await w.student("Иванова", "Анна", w.c7a)
    result = await diary(session, anna.id, MON, FRI, READER)
    assert result.subjects == ()
