"""`journal staff hours` as an operator runs it, through ``bot.cli.main``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import create_sessionmaker
from core.models import OfficeHours, School, Staff
from tests.bot import school
from tests.cli_kit import Journal, isolate, runner
from tests.conftest import seeds


@pytest.fixture
@seeds(school.load)  # a copy of the school loaded once per worker (tests/conftest.py)
async def sessions(
    engine: AsyncEngine, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> async_sessionmaker[AsyncSession]:
    isolate(monkeypatch, db_url, tmp_path)
    return create_sessionmaker(engine)


@pytest.fixture
def journal(capsys: pytest.CaptureFixture[str]) -> Journal:
    return runner(capsys)


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str | None, str, str]]:
    async with sessions() as session:
        found = await session.execute(
            select(Staff.external_id, OfficeHours.spec, OfficeHours.updated_by)
            .join(Staff, Staff.id == OfficeHours.staff_id)
            .order_by(Staff.external_id)
        )
        return [(row.external_id, row.spec, row.updated_by) for row in found]


async def test_show_set_and_reset_office_hours(
    sessions: async_sessionmaker[AsyncSession], journal: Journal
) -> None:
    shown = await journal("staff", "hours", "T1")
    assert (shown.code, shown.out, shown.err) == (0, "T1: school days 08:00-18:00\n", "")

    changed = await journal("staff", "hours", "T1", "пн-пт 09:00-13:00; сб 10:00-12:00")
    assert changed.code == 0, changed.err
    assert changed.out == "T1: Mon-Fri 09:00-13:00; Sat 10:00-12:00\n"
    assert await rows(sessions) == [("T1", "пн-пт 09:00-13:00; сб 10:00-12:00", "cli")]
    again = await journal("staff", "hours", "T1")
    assert again.out == "T1: Mon-Fri 09:00-13:00; Sat 10:00-12:00\n"

    # Unquoted words are one spec; the db id works as well as the school's id.
    async with sessions() as session:
        t2 = await session.scalar(select(Staff.id).where(Staff.external_id == "T2"))
    words = await journal("staff", "hours", f"#{t2}", "mon-wed", "8:00", "–", "12:00")
    assert words.out == f"#{t2}: Mon-Wed 08:00-12:00\n"
    assert (await journal("staff", "hours", "T2", "always")).out == "T2: always\n"
    assert await rows(sessions) == [
        ("T1", "пн-пт 09:00-13:00; сб 10:00-12:00", "cli"),
        ("T2", "всегда", "cli"),
    ]

    back = await journal("staff", "hours", "T1", "default")
    assert (back.code, back.out) == (0, "T1: school days 08:00-18:00\n")
    assert await rows(sessions) == [("T2", "всегда", "cli")]


async def test_the_operator_language_words_the_hours(
    sessions: async_sessionmaker[AsyncSession], journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEFAULT_LOCALE", "ru")
    assert (await journal("staff", "hours", "T1")).out == "T1: учебные дни 08:00-18:00\n"
    shown = await journal("staff", "hours", "T1", "Mon-Fri 08:00-18:00", "--school", "SCH")
    assert (shown.code, shown.out) == (0, "T1: пн-пт 08:00-18:00\n")


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ("staff", "hours", "T1", "пн-пт 18:00-08:00"),
            "bad office hours 'пн-пт 18:00-08:00': 18:00-08:00: the end must be after the start",
        ),
        (("staff", "hours", "T1", "xx 09:00-12:00"), "bad office hours 'xx 09:00-12:00': unknown"),
        (("staff", "hours", "T404"), "there is no staff member with id T404"),
        (("staff", "hours", "T404", "always"), "there is no staff member with id T404"),
        (("staff", "hours", "#987654"), "there is no staff member with id #987654"),
        (("staff", "hours", "S1"), "there is no staff member with id S1"),  # a student's id
        (("staff", "hours", "T1", "--school", "NOPE"), "there is no school with id NOPE"),
    ],
)
async def test_a_wrong_id_or_spec_is_one_line_and_exit_code_2(
    sessions: async_sessionmaker[AsyncSession],
    journal: Journal,
    argv: tuple[str, ...],
    line: str,
) -> None:
    bad = await journal(*argv)
    assert bad.code == 2
    assert bad.out == ""
    assert len(bad.err.splitlines()) == 1, bad.err
    assert bad.err.startswith(f"journal: {line}")
    assert await rows(sessions) == []


async def test_several_schools_need_school(
    sessions: async_sessionmaker[AsyncSession], journal: Journal
) -> None:
    async with sessions() as session:
        session.add(School(external_id="SCH2", name="Лицей", short_name="Лицей"))
        await session.commit()
    several = await journal("staff", "hours", "T1", "always")
    assert (several.code, several.err.strip()) == (
        2,
        "journal: the database holds several schools: give --school ID",
    )
    assert (await journal("staff", "hours", "T1", "--school", "SCH2")).code == 2
    assert (await journal("staff", "hours", "T1", "always", "--school", "SCH")).code == 0
    assert await rows(sessions) == [("T1", "всегда", "cli")]
