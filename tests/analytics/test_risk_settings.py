"""Early warning by the school's own settings (``schools.risk_average_fall``,
``risk_absence_percent``, ``risk_min_marks``, the exchange `school` table): the daily run reads
them for each school (core.analytics.risk.load_risk_rules)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.analytics.risk import DEFAULT_RULES, RiskRules, load_risk_rules
from core.analytics.warnings import run_early_warning
from core.db import create_sessionmaker
from core.models import RiskCase, School, Student, Subject
from core.models.enums import RiskKind
from core.services.errors import NotFoundError
from tests.analytics.scenario import ANNA, DMITRY, TZ, absent, at_four, lesson, load, mark, tables

FRIDAY = date(2026, 12, 4)
RUSSIAN = ["11-16", "11-17", "11-23", "11-24", "11-30"]


def _rows(**settings: str) -> dict[str, list[dict[str, str]]]:
    """Дмитрий missed 1 of 5 Russian lessons (20 %); his algebra went from 4.00 to 3.60 (a fall
    of 0.40) in three weeks; Анна has two marks in Russian."""
    rows = tables(
        lessons=[lesson(f"R{n}", "RUS", f"2026-{day}", 2) for n, day in enumerate(RUSSIAN)],
        marks=[
            *(mark(f"RD{n}", DMITRY, "RUS", "2026-11-16", "4") for n in range(3)),
            *(mark(f"RA{n}", ANNA, "RUS", "2026-11-16", "5") for n in range(2)),
            *(mark(f"AD{n}", DMITRY, "ALG", "2026-11-12", "4") for n in range(4)),
            mark("AD9", DMITRY, "ALG", "2026-12-01", "2"),  # (16 + 2) / 5 = 3.60
        ],
        attendance=[absent(DMITRY, "2026-11-23", 2)],
    )
    school = rows["school"][0]
    rows["school"] = [{"id": school["id"], "name": school["name"], **settings}]
    return rows


async def _run(
    engine: AsyncEngine, day: date = FRIDAY, **settings: str
) -> set[tuple[str, str, RiskKind]]:
    """The daily run on ``day`` with the school's settings; the cases it recorded."""
    sessions = create_sessionmaker(engine)
    await load(sessions, _rows(**settings))
    async with sessions() as session, session.begin():
        await run_early_warning(session, at_four(day), TZ)
    return await _cases(sessions)


async def _cases(sessions: async_sessionmaker[AsyncSession]) -> set[tuple[str, str, RiskKind]]:
    async with sessions() as session:
        rows = await session.execute(
            select(Student.external_id, Subject.external_id, RiskCase.kind)
            .join(Student, Student.id == RiskCase.student_id)
            .join(Subject, Subject.id == RiskCase.subject_id)
        )
        return {(str(p), str(s), k) for p, s, k in rows.all()}


async def test_the_defaults_flag_neither_20_percent_absent_nor_a_fall_of_0_40(
    engine: AsyncEngine,
) -> None:
    assert await _run(engine) == set()


async def test_an_absence_percent_of_10_flags_a_pupil_30_would_not(engine: AsyncEngine) -> None:
    assert await _run(engine, risk_absence_percent="10") == {(DMITRY, "RUS", RiskKind.ABSENCES)}


async def test_20_percent_is_not_above_an_absence_percent_of_20(engine: AsyncEngine) -> None:
    assert await _run(engine, risk_absence_percent="20") == set()


async def test_a_smaller_fall_flags_the_falling_average(engine: AsyncEngine) -> None:
    found = await _run(engine, risk_average_fall="0.40")
    assert found == {(DMITRY, "ALG", RiskKind.FALLING)}


async def test_more_marks_wanted_flags_few_marks_near_the_end(engine: AsyncEngine) -> None:
    # Under three weeks before the quarter's end (27.12): Анна's two marks are few by default,
    # not with a minimum of 2; Дмитрий's three are few with a minimum of 4.
    late = date(2026, 12, 11)
    assert await _run(engine, late) == {(ANNA, "RUS", RiskKind.FEW_MARKS)}


async def test_a_minimum_of_4_marks_flags_three(engine: AsyncEngine) -> None:
    found = await _run(engine, date(2026, 12, 11), risk_min_marks="4")
    assert found == {(ANNA, "RUS", RiskKind.FEW_MARKS), (DMITRY, "RUS", RiskKind.FEW_MARKS)}


async def test_a_minimum_of_2_marks_leaves_two_alone(engine: AsyncEngine) -> None:
    assert await _run(engine, date(2026, 12, 11), risk_min_marks="2") == set()


async def test_load_risk_rules_reads_the_columns_and_keeps_the_rest(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    await load(sessions, _rows())
    async with sessions() as session:
        school_id = (await session.execute(select(School.id))).scalar_one()
        assert await load_risk_rules(session, school_id) == DEFAULT_RULES
        school = await session.get_one(School, school_id)
        school.risk_average_fall = Decimal("1.25")
        school.risk_absence_percent = 45
        school.risk_min_marks = 5
        await session.flush()
        rules = await load_risk_rules(session, school_id)
        assert rules == replace(
            DEFAULT_RULES, fall=Decimal("1.25"), absence_share=Decimal("0.45"), min_marks=5
        )
        assert (rules.fall_window, rules.weeks_left, rules.min_lessons) == (
            timedelta(days=21),
            timedelta(weeks=3),
            4,
        )
        with pytest.raises(NotFoundError):
            await load_risk_rules(session, school_id + 1000)


def test_the_defaults_are_the_columns_defaults() -> None:
    columns = School.__table__.c
    defaults = {
        name: str(getattr(columns[name].server_default, "arg", None))
        for name in ("risk_average_fall", "risk_absence_percent", "risk_min_marks")
    }
    from_columns = RiskRules(
        fall=Decimal(defaults["risk_average_fall"]),
        absence_share=Decimal(defaults["risk_absence_percent"]) / 100,
        min_marks=int(defaults["risk_min_marks"]),
    )
    assert from_columns == DEFAULT_RULES
