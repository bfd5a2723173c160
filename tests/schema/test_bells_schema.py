"""Bells by grades, weekdays and dates: the schema allows several rows per shift and period and
forbids true duplicates; the migration keeps a school's bells as its plain rows, both ways."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core import migrate
from core.db import create_engine
from core.models import Bell, School
from tests.conftest import in_thread

BEFORE, AFTER = "5d3f0a9c1e47", "8b2e6f4a7c15"


async def _school(session: AsyncSession) -> int:
    school = School(name="Гимназия №6", short_name="Г6")
    session.add(school)
    await session.flush()
    return school.id


def _bell(school_id: int, **kw: Any) -> Bell:
    values: dict[str, Any] = {
        "school_id": school_id,
        "shift": 1,
        "period": 1,
        "starts_at": time(8, 30),
        "ends_at": time(9, 15),
    }
    return Bell(**(values | kw))


async def test_several_rows_ring_one_period_for_different_classes_and_days(
    session: AsyncSession,
) -> None:
    school_id = await _school(session)
    session.add_all(
        [
            _bell(school_id),
            _bell(school_id, grades="5,7"),
            _bell(school_id, grades="9-11", weekdays="1"),
            _bell(school_id, grades="1", valid_from=date(2026, 9, 1), valid_to=date(2026, 12, 31)),
            _bell(school_id, grades="1", valid_from=date(2027, 1, 11)),
        ]
    )
    await session.flush()
    count = await session.scalar(select(func.count()).select_from(Bell))
    assert count == 5


@pytest.mark.parametrize(
    "twin",
    [{}, {"grades": "5,7"}, {"weekdays": "1"}, {"grades": "1", "valid_from": date(2026, 9, 1)}],
    ids=["plain", "grades", "weekdays", "dated"],
)
async def test_a_true_duplicate_is_refused(session: AsyncSession, twin: dict[str, Any]) -> None:
    school_id = await _school(session)
    session.add(_bell(school_id, **twin))
    await session.flush()
    session.add(_bell(school_id, starts_at=time(8, 0), ends_at=time(8, 45), **twin))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_a_last_day_before_the_first_is_refused(session: AsyncSession) -> None:
    school_id = await _school(session)
    session.add(_bell(school_id, valid_from=date(2026, 12, 31), valid_to=date(2026, 9, 1)))
    with pytest.raises(IntegrityError):
        await session.flush()


async def _run(url: str, *statements: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    rows: list[tuple[Any, ...]] = []
    try:
        async with engine.begin() as connection:
            for statement in statements:
                result = await connection.execute(text(statement))
                if result.returns_rows:
                    rows = [tuple(row) for row in result]
    finally:
        await engine.dispose()
    return rows


async def _add_school(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            # Plain SQL: the model may have columns this revision does not have yet.
            await connection.execute(
                text(
                    "INSERT INTO schools (id, name, short_name, external_id, timezone, "
                    "days_per_week, threshold_5, threshold_4, threshold_3, "
                    "sou_weight_7_on_not_attested, created_at) VALUES (1, 'Гимназия', 'Г', 'G', "
                    "'Asia/Yekaterinburg', 5, 4.5, 3.5, 2.5, false, CURRENT_TIMESTAMP)"
                )
            )
    finally:
        await engine.dispose()


async def test_the_migration_keeps_the_bells_as_plain_rows_both_ways(empty_db_url: str) -> None:
    in_thread(migrate.upgrade, empty_db_url, BEFORE)
    await _add_school(empty_db_url)
    await _run(
        empty_db_url,
        "INSERT INTO bells (school_id, external_id, shift, period, starts_at, ends_at) "
        "VALUES (1, '1|1', 1, 1, '08:30:00', '09:15:00'), "
        "(1, '1|2', 1, 2, '09:25:00', '10:10:00')",
    )
    in_thread(migrate.upgrade, empty_db_url, AFTER)
    found = await _run(
        empty_db_url,
        "INSERT INTO bells (school_id, external_id, shift, period, starts_at, ends_at, grades, "
        "weekdays, valid_from) VALUES (1, '1|1|5||', 1, 1, '08:15:00', '09:00:00', '5', '', NULL), "
        "(1, '1|1|1||2026-09-01', 1, 1, '08:30:00', '09:05:00', '1', '', '2026-09-01')",
        "SELECT external_id, grades, weekdays, valid_from, valid_to FROM bells ORDER BY 1",
    )
    assert [row[0] for row in found] == ["1|1", "1|1|1||2026-09-01", "1|1|5||", "1|2"]
    assert [row[1:] for row in found if row[0] in {"1|1", "1|2"}] == [("", "", None, None)] * 2
    in_thread(migrate.downgrade, empty_db_url, BEFORE)
    kept = await _run(empty_db_url, "SELECT external_id, shift, period FROM bells ORDER BY 1")
    assert kept == [("1|1", 1, 1), ("1|2", 1, 2)]
    in_thread(migrate.upgrade, empty_db_url, AFTER)
