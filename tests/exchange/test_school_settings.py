"""The school's report and analytics settings in the exchange `school` table: optional, with the
defaults, stored as given, refused with their line and column when out of range."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import create_sessionmaker
from core.exchange import service
from core.exchange.problems import ImportFailed
from core.models import School
from tests.exchange.school_files import FILES, write_school

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)

SETTINGS = (
    "sou_weight_7_on_not_attested",
    "n_counts_not_attested",
    "n_counts_exempt",
    "progress_class_average",
    "risk_average_fall",
    "risk_absence_percent",
    "risk_min_marks",
)
DEFAULTS = (False, True, False, False, Decimal("0.50"), 30, 3)


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


async def load(sessions: async_sessionmaker[AsyncSession], directory: Path, school: str) -> None:
    files = dict(FILES)
    files["school.csv"] = school
    await service.import_path(sessions, write_school(directory, files), now=NOW, today=TODAY)


async def stored(sessions: async_sessionmaker[AsyncSession]) -> tuple[Any, ...]:
    async with sessions() as session:
        row = (
            await session.execute(
                select(*(getattr(School, name) for name in SETTINGS)).where(
                    School.external_id == "G6"
                )
            )
        ).one()
    return tuple(row)


async def test_without_the_columns_a_school_has_the_defaults(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(sessions, tmp_path / "plain", FILES["school.csv"])
    assert await stored(sessions) == DEFAULTS


async def test_the_settings_are_stored_by_name_or_russian_header(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(
        sessions,
        tmp_path / "en",
        f'id,name,{",".join(SETTINGS)}\nG6,Гимназия №6,да,0,1,yes,"0,75",45,2\n',
    )
    assert await stored(sessions) == (True, False, True, True, Decimal("0.75"), 45, 2)
    # Russian headers; an empty cell keeps what the journal holds.
    await load(
        sessions,
        tmp_path / "ru",
        "id,name,соу 7 на н/а,Н/А в N,осв в N,линия класса,падение среднего,"
        "процент пропусков,минимум отметок\n"
        "G6,Гимназия №6,нет,,0,,1.5,100,\n",
    )
    assert await stored(sessions) == (False, False, False, True, Decimal("1.50"), 100, 2)


BAD = [
    ("risk_average_fall", "2.5", "school.csv:2: risk_average_fall: 2.5 is outside 0.10–2.00"),
    ("risk_average_fall", "0.05", "school.csv:2: risk_average_fall: 0.05 is outside 0.10–2.00"),
    ("risk_average_fall", "много", "school.csv:2: risk_average_fall: 'много' is not a number"),
    ("risk_absence_percent", "0", "school.csv:2: risk_absence_percent: 0 is outside 1–100"),
    ("risk_absence_percent", "101", "school.csv:2: risk_absence_percent: 101 is outside 1–100"),
    (
        "risk_absence_percent",
        "30%",
        "school.csv:2: risk_absence_percent: '30%' is not a whole number",
    ),
    ("risk_min_marks", "11", "school.csv:2: risk_min_marks: 11 is outside 1–10"),
    ("risk_min_marks", "0", "school.csv:2: risk_min_marks: 0 is outside 1–10"),
    (
        "n_counts_exempt",
        "иногда",
        "school.csv:2: n_counts_exempt: 'иногда' is not yes or no (use 1 or 0)",
    ),
    (
        "progress_class_average",
        "может быть",
        "school.csv:2: progress_class_average: 'может быть' is not yes or no (use 1 or 0)",
    ),
]


@pytest.mark.parametrize(("column", "value", "expected"), BAD, ids=[f"{c}={v}" for c, v, _ in BAD])
async def test_a_bad_setting_is_told_with_its_line_and_column_and_changes_nothing(
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    column: str,
    value: str,
    expected: str,
) -> None:
    await load(sessions, tmp_path / "ok", "id,name,risk_min_marks\nG6,Гимназия №6,5\n")
    with pytest.raises(ImportFailed) as caught:
        await load(sessions, tmp_path / "bad", f"id,name,{column}\nG6,Гимназия №6,{value}\n")
    assert expected in [p.render() for p in caught.value.problems]
    assert (await stored(sessions))[SETTINGS.index("risk_min_marks")] == 5
    assert (await stored(sessions))[SETTINGS.index(column)] == (
        5 if column == "risk_min_marks" else DEFAULTS[SETTINGS.index(column)]
    )


async def test_the_limits_themselves_are_accepted(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    header = "id,name,risk_average_fall,risk_absence_percent,risk_min_marks\n"
    await load(sessions, tmp_path / "low", header + "G6,Гимназия №6,0.10,1,1\n")
    assert (await stored(sessions))[4:] == (Decimal("0.10"), 1, 1)
    await load(sessions, tmp_path / "high", header + "G6,Гимназия №6,2,100,10\n")
    assert (await stored(sessions))[4:] == (Decimal("2.00"), 100, 10)
