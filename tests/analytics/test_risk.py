"""Early warning, detection: each kind in a small constructed scenario, and not just below its
threshold (core.analytics.risk)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.analytics.risk import detect_school
from core.db import create_sessionmaker
from core.models import School
from core.models.enums import RiskKind
from tests.analytics.scenario import ANNA, DMITRY, absent, detect, kinds, lesson, load, mark, tables
from tests.services.test_audit_and_statements import counting


async def test_a_projected_2_is_failing_and_2_50_is_not(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    marks = [
        mark("M1", DMITRY, "ALG", "2026-11-30", "2"),
        # Анна: (2 + 3) / 2 = 2.50, the lowest 3.
        mark("M2", ANNA, "ALG", "2026-11-20", "2"),
        mark("M3", ANNA, "ALG", "2026-11-25", "3"),
    ]
    await load(sessions, tables(marks=marks))
    assert await detect(sessions, date(2026, 11, 30)) == {(DMITRY, "ALG", RiskKind.FAILING, "2.00")}


async def test_no_marks_near_the_end_is_n_a_and_one_or_two_marks_too_few(
    engine: AsyncEngine,
) -> None:
    sessions = create_sessionmaker(engine)
    marks = [
        *(mark(f"A{n}", ANNA, "ALG", f"2026-11-2{n}", "4") for n in (4, 5, 6)),
        *(mark(f"D{n}", DMITRY, "ALG", f"2026-11-2{n}", "5") for n in (4, 5)),
    ]
    await load(sessions, tables(lessons=[lesson("L1", "RUS", "2026-11-27", 2)], marks=marks))
    # 14.12: 13 days left of the quarter; Russian was taught and nobody has a mark in it.
    assert await detect(sessions, date(2026, 12, 14)) == {
        (ANNA, "RUS", RiskKind.FAILING, "н/а"),
        (DMITRY, "RUS", RiskKind.FAILING, "н/а"),
        (DMITRY, "ALG", RiskKind.FEW_MARKS, "2"),
    }
    # 30.11: 27 days left, three weeks and more - nothing yet.
    assert await detect(sessions, date(2026, 11, 30)) == set()


async def test_a_fall_of_0_50_in_three_weeks_and_not_0_40(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    marks = [
        mark("A1", ANNA, "ALG", "2026-11-12", "4"),
        mark("A2", ANNA, "ALG", "2026-12-01", "3"),  # 4.00 → 3.50
        *(mark(f"D{n}", DMITRY, "ALG", "2026-11-12", "4") for n in range(3)),
        mark("D9", DMITRY, "ALG", "2026-12-01", "3", control=True),  # 4.00 → 18 / 5 = 3.60
    ]
    await load(sessions, tables(marks=marks))
    assert await detect(sessions, date(2026, 12, 4)) == {
        (ANNA, "ALG", RiskKind.FALLING, "4.00→3.50")
    }
    # Three weeks before 20.11 lie before the quarter began: the fall is not asked yet.
    assert await detect(sessions, date(2026, 11, 20)) == set()


async def test_present_at_a_control_work_without_its_mark(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    lessons = [lesson("L1", "ALG", "2026-12-01"), lesson("L2", "ALG", "2026-12-02")]
    marks = [mark("A1", ANNA, "ALG", "2026-12-01", "4", control=True, lesson_id="L1")]
    await load(sessions, tables(lessons=lessons, marks=marks))
    assert kinds(await detect(sessions, date(2026, 12, 4))) == {
        (DMITRY, "ALG", RiskKind.MISSED_CONTROL)
    }
    # Absent from it: not this case (the absence is counted as an absence).
    await load(
        sessions,
        tables(lessons=lessons, marks=marks, attendance=[absent(DMITRY, "2026-12-01", 1)]),
    )
    assert await detect(sessions, date(2026, 12, 4)) == set()


async def test_missing_more_than_30_percent_of_a_subjects_lessons(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    days = ["11-16", "11-17", "11-23", "11-24", "11-30", "12-01", "12-07", "12-08", "12-14"]
    lessons = [lesson(f"R{n}", "RUS", f"2026-{day}", 2) for n, day in enumerate([*days, "12-15"])]
    marks = [mark(f"{p}{n}", p, "RUS", "2026-11-16", "4") for p in (ANNA, DMITRY) for n in range(3)]
    attendance = [
        absent(ANNA, "2026-11-16", 2),
        absent(ANNA, "2026-11-17", None, "Б"),  # the whole day
        absent(ANNA, "2026-11-23", 2),
        absent(ANNA, "2026-11-24", 2, "У"),
        absent(ANNA, "2026-11-30", 2, "ОП"),  # late: present
        absent(DMITRY, "2026-11-16", 2),
        absent(DMITRY, "2026-11-17", 2),
        absent(DMITRY, "2026-11-23", None),
    ]
    await load(sessions, tables(lessons=lessons, marks=marks, attendance=attendance))
    # 4 of 10 lessons is 40 %; Дмитрий's 3 of 10 is exactly 30 %, not above it.
    assert await detect(sessions, date(2026, 12, 15)) == {(ANNA, "RUS", RiskKind.ABSENCES, "4/10")}


async def test_a_control_work_before_the_pupil_came_is_not_theirs(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    rows = tables(
        lessons=[lesson("L1", "ALG", "2026-12-01")],
        marks=[mark("A1", ANNA, "ALG", "2026-12-01", "4", control=True, lesson_id="L1")],
    )
    for student in rows["students"]:
        if student["id"] == DMITRY:
            student["enrolled"] = "2026-12-02"
    await load(sessions, rows)
    assert await detect(sessions, date(2026, 12, 4)) == set()


async def test_a_schools_pass_takes_the_same_statements_however_many_marks(
    engine: AsyncEngine,
) -> None:
    counts = []
    for size in (1, 12):
        sessions = create_sessionmaker(engine)
        lessons = [lesson(f"L{size}-{n}", "ALG", f"2026-11-{10 + n}") for n in range(size)]
        marks = [
            mark(f"M{size}-{p}{n}", p, "ALG", f"2026-11-{10 + n}", "4", lesson_id=f"L{size}-{n}")
            for p in (ANNA, DMITRY)
            for n in range(size)
        ]
        await load(sessions, tables(lessons=lessons, marks=marks))
        async with sessions() as session:
            school_id = await session.scalar(select(School.id))
            assert school_id is not None
            with counting(engine) as statements:
                await detect_school(session, school_id, date(2026, 12, 4))
            counts.append(len(statements))
    # Two for the school, five for each of its two classes (7А and 5Б).
    assert counts == [12, 12]
