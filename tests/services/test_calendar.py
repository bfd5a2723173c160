"""core.services.calendar: student movement, school days, terms."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import MovementKind, TermKind
from core.services.calendar import (
    class_terms,
    is_school_day,
    next_school_day,
    student_class_on,
    term_on,
)
from core.services.errors import NotFoundError
from tests.services.factory import READER, build_world


async def test_enrolment_history_decides_the_class(session: AsyncSession) -> None:
    w = await build_world(session)
    # Student.class_id says 7Б (the current class); the history says more.
    vera = await w.student("Волкова", "Вера", w.c7b)
    await w.move(vera, MovementKind.ENROLLED, date(2026, 9, 1), w.c7a)
    await w.move(vera, MovementKind.TRANSFERRED, date(2026, 11, 16), w.c7b)
    await w.move(vera, MovementKind.LEFT, date(2027, 2, 1))
    expected = {
        date(2026, 8, 31): None,
        date(2026, 9, 1): w.c7a.id,
        date(2026, 11, 13): w.c7a.id,
        date(2026, 11, 16): w.c7b.id,
        date(2027, 1, 31): w.c7b.id,
        date(2027, 2, 1): None,
        date(2027, 5, 1): None,
    }
    for day, class_id in expected.items():
        placement = await student_class_on(session, vera.id, day, READER)
        assert (day, placement.class_id) == (day, class_id)
        assert placement.in_school is (class_id is not None)
    assert (await student_class_on(session, vera.id, date(2026, 9, 2), READER)).class_name == "7А"


async def test_without_history_the_current_class_is_bounded_by_the_student_dates(
    session: AsyncSession,
) -> None:
    w = await build_world(session)
    gleb = await w.student(
        "Гусев", "Глеб", w.c7a, enrolled_on=date(2026, 9, 10), left_on=date(2027, 3, 1)
    )
    expected = {
        date(2026, 9, 9): None,
        date(2026, 9, 10): w.c7a.id,
        date(2027, 2, 28): w.c7a.id,
        date(2027, 3, 1): None,  # left_on is the first day gone
    }
    for day, class_id in expected.items():
        assert (await student_class_on(session, gleb.id, day, READER)).class_id == class_id


async def test_school_days(session: AsyncSession) -> None:
    w = await build_world(session)
    assert await is_school_day(session, w.c7a.id, date(2026, 11, 16))  # Monday
    assert await is_school_day(session, w.c7a.id, date(2026, 11, 20))  # Friday
    assert not await is_school_day(session, w.c7a.id, date(2026, 11, 21))  # Saturday, 5-day week
    assert not await is_school_day(session, w.c7a.id, date(2026, 10, 28))  # autumn holidays
    assert not await is_school_day(session, w.c7a.id, date(2026, 8, 31))  # before the year
    # The extra week for grade 1 only.
    assert not await is_school_day(session, w.c1a.id, date(2027, 2, 16))
    assert await is_school_day(session, w.c7a.id, date(2027, 2, 16))


async def test_six_day_week(session: AsyncSession) -> None:
    w = await build_world(session)
    w.school.days_per_week = 6
    await session.flush()
    assert await is_school_day(session, w.c7a.id, date(2026, 11, 21))  # Saturday
    assert not await is_school_day(session, w.c7a.id, date(2026, 11, 22))  # Sunday


async def test_next_school_day(session: AsyncSession) -> None:
    w = await build_world(session)
    assert await next_school_day(session, w.c7a.id, date(2026, 11, 16)) == date(2026, 11, 17)
    assert await next_school_day(session, w.c7a.id, date(2026, 11, 20)) == date(2026, 11, 23)
    # Friday before the autumn holidays (26.10–03.11) → Wednesday 04.11.
    assert await next_school_day(session, w.c7a.id, date(2026, 10, 23)) == date(2026, 11, 4)
    assert await next_school_day(session, w.c1a.id, date(2027, 2, 13)) == date(2027, 2, 22)
    assert await next_school_day(session, w.c7a.id, date(2027, 5, 31)) is None  # year over


async def test_terms_follow_the_class_term_kind(session: AsyncSession) -> None:
    w = await build_world(session)
    terms = await class_terms(session, w.c7a.id)
    assert [(t.kind, t.number) for t in terms] == [(TermKind.QUARTER, n) for n in (1, 2, 3, 4)]
    assert [t.number for t in await class_terms(session, w.c10a.id)] == [1, 2]

    quarter = await term_on(session, w.c7a.id, date(2026, 11, 16))
    assert quarter is not None
    assert (quarter.name, quarter.starts_on, quarter.ends_on) == (
        "2 четверть",
        date(2026, 11, 4),
        date(2026, 12, 27),
    )
    half = await term_on(session, w.c10a.id, date(2026, 11, 16))
    assert half is not None
    assert (half.kind, half.number) == (TermKind.HALF, 1)
    assert await term_on(session, w.c7a.id, date(2026, 10, 28)) is None  # between quarters
    assert await term_on(session, w.c10a.id, date(2026, 10, 28)) is not None  # inside a half


async def test_unknown_ids_raise_not_found(session: AsyncSession) -> None:
    await build_world(session)
    with pytest.raises(NotFoundError, match="student 9999"):
        await student_class_on(session, 9999, date(2026, 11, 16), READER)
    with pytest.raises(NotFoundError, match="class 9999"):
        await is_school_day(session, 9999, date(2026, 11, 16))
