"""core.services.bells: which row rings for a class on a day, and the timetable's times.

The rule (docs/exchange-format.md, *bells*): of the rows that fit the class's grade and the
date, per period, the one naming grades wins, then weekdays, then a validity range; ties go to
fewer grades, fewer weekdays, the later first day, the earlier last day, the first id.
"""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.models import Bell, SchoolClass
from core.services.bells import BellTime, bells_for_classes, class_bells, ring
from core.services.class_data import load_classes
from core.services.timetable import class_timetable, teacher_timetable
from core.services.timetable_data import BellRow
from tests.services.factory import READER, World, build_world
from tests.services.test_audit_and_statements import counting

MON, TUE, WED = date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)
SEP_1, DEC_31, JAN_11 = date(2026, 9, 1), date(2026, 12, 31), date(2027, 1, 11)

_ids = iter(range(1, 10_000))


def row(
    period: int,
    start: str,
    end: str,
    *,
    grades: str = "",
    weekdays: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
    key: str | None = None,
    shift: int = 1,
) -> BellRow:
    number = next(_ids)
    return BellRow(
        id=number,
        key=key or f"B{number:04}",
        shift=shift,
        period=period,
        starts_at=time.fromisoformat(start),
        ends_at=time.fromisoformat(end),
        grades=grades,
        weekdays=weekdays,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def starts(periods: tuple[BellTime, ...]) -> dict[int, str]:
    return {bell.period: f"{bell.starts_at:%H:%M}" for bell in periods}


PLAIN = [row(1, "08:00", "08:40"), row(2, "08:50", "09:30"), row(1, "13:00", "13:40", shift=2)]


def test_plain_rows_ring_for_every_class_and_day() -> None:
    for grade, day in ((1, MON), (7, TUE), (11, DEC_31)):
        assert starts(ring(PLAIN, 1, grade, day)) == {1: "08:00", 2: "08:50"}
    assert starts(ring(PLAIN, 2, 7, MON)) == {1: "13:00"}


def test_a_row_naming_the_grade_wins_and_others_keep_the_plain_row() -> None:
    rows = [*PLAIN, row(1, "08:15", "08:55", grades="5,7")]
    assert starts(ring(rows, 1, 5, MON)) == {1: "08:15", 2: "08:50"}
    assert starts(ring(rows, 1, 7, MON)) == {1: "08:15", 2: "08:50"}
    assert starts(ring(rows, 1, 6, MON)) == {1: "08:00", 2: "08:50"}
    assert starts(ring(rows, 2, 5, MON)) == {1: "13:00"}  # another shift is another schedule


def test_a_row_naming_the_weekday_rings_on_that_day_only() -> None:
    rows = [*PLAIN, row(1, "08:00", "08:30", weekdays="1"), row(2, "08:40", "09:20", weekdays="1")]
    assert starts(ring(rows, 1, 7, MON)) == {1: "08:00", 2: "08:40"}
    assert starts(ring(rows, 1, 7, TUE)) == {1: "08:00", 2: "08:50"}


def test_a_validity_range_holds_between_its_days_inclusive() -> None:
    rows = [*PLAIN, row(1, "08:30", "09:05", valid_from=SEP_1, valid_to=DEC_31)]
    assert starts(ring(rows, 1, 3, SEP_1))[1] == "08:30"
    assert starts(ring(rows, 1, 3, DEC_31))[1] == "08:30"
    assert starts(ring(rows, 1, 3, JAN_11))[1] == "08:00"
    assert starts(ring(rows, 1, 3, date(2026, 8, 31)))[1] == "08:00"
    open_ended = [*PLAIN, row(1, "09:00", "09:40", valid_from=JAN_11)]
    assert starts(ring(open_ended, 1, 3, DEC_31))[1] == "08:00"
    assert starts(ring(open_ended, 1, 3, date(2027, 5, 31)))[1] == "09:00"


def test_grades_weigh_more_than_weekdays_and_weekdays_more_than_dates() -> None:
    grades = row(1, "08:15", "08:55", grades="5")
    monday = row(1, "08:05", "08:35", weekdays="1")
    autumn = row(1, "08:10", "08:50", valid_from=SEP_1, valid_to=DEC_31)
    rows = [*PLAIN, autumn, monday, grades]
    assert starts(ring(rows, 1, 5, MON))[1] == "08:15"  # grades beat the Monday and the range
    assert starts(ring(rows, 1, 6, MON))[1] == "08:05"  # the Monday beats the range
    assert starts(ring(rows, 1, 6, TUE))[1] == "08:10"  # the range beats the plain row
    assert starts(ring(rows, 1, 6, JAN_11))[1] == "08:05"  # a Monday out of the range
    both = row(1, "08:20", "08:50", grades="5", weekdays="1")
    assert starts(ring([*rows, both], 1, 5, MON))[1] == "08:20"  # grades and weekday beat grades


def test_ties_go_to_fewer_grades_then_fewer_weekdays() -> None:
    rows = [*PLAIN, row(1, "08:10", "08:50", grades="5-9"), row(1, "08:15", "08:55", grades="5")]
    assert starts(ring(rows, 1, 5, MON))[1] == "08:15"
    assert starts(ring(rows, 1, 6, MON))[1] == "08:10"
    days = [
        *PLAIN,
        row(1, "08:10", "08:50", weekdays="1-5"),
        row(1, "08:15", "08:55", weekdays="1"),
    ]
    assert starts(ring(days, 1, 7, MON))[1] == "08:15"
    assert starts(ring(days, 1, 7, TUE))[1] == "08:10"


def test_ties_go_to_the_later_first_day_then_the_earlier_last_day_then_the_id() -> None:
    year = row(1, "08:10", "08:50", valid_from=SEP_1)
    november = row(1, "08:20", "09:00", valid_from=date(2026, 11, 1))
    assert starts(ring([*PLAIN, november, year], 1, 7, MON))[1] == "08:20"
    assert starts(ring([*PLAIN, november, year], 1, 7, date(2026, 10, 1)))[1] == "08:10"
    long = row(1, "08:10", "08:50", valid_to=date(2027, 5, 31))
    short = row(1, "08:20", "09:00", valid_to=DEC_31)
    assert starts(ring([*PLAIN, long, short], 1, 7, MON))[1] == "08:20"
    second = row(1, "08:20", "09:00", grades="5,6", key="B")
    first = row(1, "08:10", "08:50", grades="5,7", key="A")
    for order in ([second, first], [first, second]):
        assert starts(ring([*PLAIN, *order], 1, 5, MON))[1] == "08:10"


def test_a_period_no_row_fits_has_no_time() -> None:
    rows = [row(1, "08:15", "08:55", grades="5"), row(2, "09:05", "09:45")]
    assert starts(ring(rows, 1, 6, MON)) == {2: "09:05"}
    assert ring([], 1, 6, MON) == ()


def bell(
    w: World,
    period: int,
    start: str,
    end: str,
    *,
    grades: str = "",
    weekdays: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
    shift: int = 1,
) -> Bell:
    return Bell(
        school_id=w.school.id,
        shift=shift,
        period=period,
        starts_at=time.fromisoformat(start),
        ends_at=time.fromisoformat(end),
        grades=grades,
        weekdays=weekdays,
        valid_from=valid_from,
        valid_to=valid_to,
    )


async def classes(w: World, *grades: int) -> dict[int, SchoolClass]:
    made = {
        grade: SchoolClass(
            school_id=w.school.id,
            academic_year_id=w.year.id,
            grade=grade,
            letter="В",
            name=f"{grade}В",
        )
        for grade in grades
    }
    await w.add(*made.values())
    return made


async def test_four_schedules_by_parallel_as_a_moscow_school_rings(session: AsyncSession) -> None:
    """Grades 5 and 7 from 08:15, 6 and 8 from 08:30, 9–11 from 08:45, the rest from 08:00."""
    w = await build_world(session)
    await w.add(
        bell(w, 1, "08:15", "09:00", grades="5,7"),
        bell(w, 2, "09:10", "09:55", grades="5,7"),
        bell(w, 1, "08:30", "09:15", grades="6,8"),
        bell(w, 2, "09:25", "10:10", grades="6,8"),
        bell(w, 1, "08:45", "09:30", grades="9-11"),
        bell(w, 2, "09:40", "10:25", grades="9-11"),
    )
    made = await classes(w, 3, 5, 6, 8, 9, 11)
    expected = {3: "08:00", 5: "08:15", 6: "08:30", 8: "08:30", 9: "08:45", 11: "08:45"}
    for grade, school_class in made.items():
        found = await class_bells(session, school_class.id, TUE)
        assert starts(found.periods)[1] == expected[grade], grade
        assert found.class_name == f"{grade}В"
        assert found.day == TUE
        assert not found.by_day
    seven = await class_bells(session, w.c7a.id, TUE)
    assert [(b.period, b.starts_at, b.ends_at) for b in seven.periods[:3]] == [
        (1, time(8, 15), time(9, 0)),
        (2, time(9, 10), time(9, 55)),
        (3, time(9, 45), time(10, 25)),  # the plain row: the parallel names no period 3
    ]
    assert seven.at(2) == BellTime(2, time(9, 10), time(9, 55))
    assert seven.at(9) is None


async def test_a_different_monday(session: AsyncSession) -> None:
    """Monday opens with «Разговоры о важном»: every period moves."""
    w = await build_world(session)
    await w.add(
        bell(w, 1, "08:00", "08:30", weekdays="1"),
        bell(w, 2, "08:40", "09:20", weekdays="1"),
        bell(w, 3, "09:35", "10:15", weekdays="1"),
    )
    monday = await class_bells(session, w.c7a.id, MON)
    assert starts(monday.periods) == {1: "08:00", 2: "08:40", 3: "09:35", 4: "10:40", 5: "11:30"}
    assert monday.by_day
    tuesday = await class_bells(session, w.c7a.id, TUE)
    assert starts(tuesday.periods) == {1: "08:00", 2: "08:50", 3: "09:45", 4: "10:40", 5: "11:30"}
    await w.entry(w.c7a, w.algebra, 1, 2, teacher=w.petrova)
    await w.entry(w.c7a, w.algebra, 2, 2, teacher=w.petrova)
    (on_monday,) = (await class_timetable(session, w.c7a.id, MON, READER)).lessons
    (on_tuesday,) = (await class_timetable(session, w.c7a.id, TUE, READER)).lessons
    assert (on_monday.starts_at, on_monday.ends_at) == (time(8, 40), time(9, 20))
    assert (on_tuesday.starts_at, on_tuesday.ends_at) == (time(8, 50), time(9, 30))


async def test_first_graders_ring_their_own_bells_from_september_to_december(
    session: AsyncSession,
) -> None:
    w = await build_world(session)
    await w.add(
        bell(w, 1, "08:30", "09:05", grades="1", valid_from=SEP_1, valid_to=DEC_31),
        bell(w, 2, "09:15", "09:50", grades="1", valid_from=SEP_1, valid_to=DEC_31),
        # After the dynamic pause.
        bell(w, 3, "10:30", "11:05", grades="1", valid_from=SEP_1, valid_to=DEC_31),
    )
    for day in (SEP_1, MON, DEC_31):
        first = await class_bells(session, w.c1a.id, day)
        assert [starts(first.periods)[p] for p in (1, 2, 3)] == ["08:30", "09:15", "10:30"], day
        assert first.by_day
    january = await class_bells(session, w.c1a.id, JAN_11)
    assert [starts(january.periods)[p] for p in (1, 2, 3)] == ["08:00", "08:50", "09:45"]
    seventh = await class_bells(session, w.c7a.id, MON)
    assert starts(seventh.periods)[1] == "08:00"
    assert not seventh.by_day


async def test_a_teachers_day_shows_each_class_its_own_times(session: AsyncSession) -> None:
    w = await build_world(session)
    await w.add(
        bell(w, 1, "08:15", "09:00", grades="5"),
        bell(w, 1, "08:45", "09:30", grades="9-11"),
        bell(w, 2, "09:40", "10:25", grades="9-11"),
    )
    made = await classes(w, 5, 9)
    await w.entry(made[5], w.algebra, 1, 1, teacher=w.petrova)
    await w.entry(made[9], w.algebra, 1, 2, teacher=w.petrova)
    await w.entry(w.c7a, w.algebra, 1, 3, teacher=w.petrova)
    day = await teacher_timetable(session, w.petrova.id, MON, READER)
    assert [(x.class_name, x.period, x.starts_at) for x in day.lessons] == [
        ("5В", 1, time(8, 15)),
        ("9В", 2, time(9, 40)),
        ("7А", 3, time(9, 45)),
    ]


@pytest.mark.parametrize("many", [1, 8])
async def test_bells_of_many_classes_take_one_statement(
    session: AsyncSession, engine: AsyncEngine, many: int
) -> None:
    w = await build_world(session)
    await w.add(
        bell(w, 1, "08:15", "09:00", grades="5"),
        bell(w, 1, "08:45", "09:30", grades="9-11", weekdays="1"),
    )
    made = await classes(w, *range(2, 2 + many))
    infos = await load_classes(session, {c.id for c in made.values()} | {w.c10a.id})
    with counting(engine) as statements:
        found = await bells_for_classes(session, infos, MON)
    assert len(statements) == 1
    assert starts(found[w.c10a.id].periods) == {1: "13:00", 2: "13:50"}  # the second shift
    for grade, school_class in made.items():
        expected = {5: "08:15", 9: "08:45"}.get(grade, "08:00")
        assert starts(found[school_class.id].periods)[1] == expected
