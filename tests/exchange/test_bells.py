"""The bells table's grades, weekdays and dates: parsed, refused with their line, round-tripped."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import create_sessionmaker
from core.exchange import service
from core.exchange.importer import ImportReport
from core.exchange.problems import ImportFailed
from core.exchange.spec import Kind
from core.exchange.values import BadValue, format_cell, parse
from core.models import Bell, SchoolClass, Student
from core.models.school import number_ranges, number_set
from core.services.bells import class_bells
from tests.exchange.school_files import write_school

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)

# The school rings by parallel, has its own Monday and first-graders' autumn bells; the
# headers are a school's Russian ones, the cells written as people write them.
RICH_BELLS = (
    "Смена;Урок;Начало;Конец;Параллели;Дни недели;Действует с;Действует по\n"
    "1;1;08:30;09:15;;;;\n"
    "1;2;09:25;10:10;;;;\n"
    "1;1;08:15;09:00;5, 7;;;\n"
    "1;1;08:30;09:15;8,6;;;\n"
    "1;1;08:45;09:30;9–11;;;\n"
    "1;1;08:00;08:30;9-11;Пн;;\n"
    "1;1;08:45;09:30;9 - 11;tue-fri;;\n"
    "1;1;08:30;09:05;1;;01.09.2026;31.12.2026\n"
)


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


async def load(sessions: async_sessionmaker[AsyncSession], path: Path) -> ImportReport:
    return await service.import_path(sessions, path, now=NOW, today=TODAY)


def bells_counts(report: ImportReport) -> tuple[int, int, int, int]:
    found = dict(report.counts)["bells"]
    return (found.added, found.changed, found.deleted, found.unchanged)


async def stored(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[object, ...]]:
    async with sessions() as session:
        rows = await session.execute(
            select(
                Bell.external_id,
                Bell.starts_at,
                Bell.grades,
                Bell.weekdays,
                Bell.valid_from,
                Bell.valid_to,
            ).order_by(Bell.external_id)
        )
        return [tuple(row) for row in rows]


@pytest.mark.parametrize(
    ("text", "stored_as", "written"),
    [
        ("5", "5", "5"),
        ("6,8", "6,8", "6,8"),
        ("8; 6", "6,8", "6,8"),
        ("9-11", "9-11", "9-11"),
        ("9 – 11", "9-11", "9-11"),
        ("10,11", "10,11", "10,11"),
        ("5 и 7", "5,7", "5,7"),
        ("5 И 9-11", "5,9-11", "5,9-11"),
        ("6.8", "6,8", "6,8"),  # Excel's number from a typed 6,8
        ("1-4,5", "1-5", "1-5"),
        ("1,2,3,5", "1-3,5", "1-3,5"),
    ],
)
def test_grades_are_read_as_schools_write_them(text: str, stored_as: str, written: str) -> None:
    assert parse(Kind.GRADES, text) == stored_as
    assert format_cell(Kind.GRADES, stored_as) == written
    assert parse(Kind.GRADES, written) == stored_as


@pytest.mark.parametrize(
    ("text", "stored_as", "written"),
    [
        ("пн", "1", "пн"),
        ("Понедельник", "1", "пн"),
        ("вт-пт", "2-5", "вт-пт"),
        ("вт – пт", "2-5", "вт-пт"),
        ("mon", "1", "пн"),
        ("tue-fri", "2-5", "вт-пт"),
        ("Mon, Wed, Fri", "1,3,5", "пн,ср,пт"),
        ("пн.; ср.", "1,3", "пн,ср"),
        ("1-5", "1-5", "пн-пт"),
        ("сб", "6", "сб"),
    ],
)
def test_weekdays_are_read_as_schools_write_them(text: str, stored_as: str, written: str) -> None:
    assert parse(Kind.WEEKDAYS, text) == stored_as
    assert format_cell(Kind.WEEKDAYS, stored_as) == written
    assert parse(Kind.WEEKDAYS, written) == stored_as


@pytest.mark.parametrize("text", ["0", "12", "5-3", "5-", "пятые", "5,12", "9-11-12", "-"])
def test_bad_grades_are_refused(text: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse(Kind.GRADES, text)
    assert caught.value.params == {"value": text}


@pytest.mark.parametrize("text", ["пт-пн", "понедельникк", "8", "пн-", "пн-ср-пт", "weekend"])
def test_bad_weekdays_are_refused(text: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse(Kind.WEEKDAYS, text)
    assert caught.value.params == {"value": text}


def test_the_stored_sets_read_back() -> None:
    for numbers in ({5}, {6, 8}, {9, 10, 11}, {1, 2, 3, 5, 7}, set()):
        assert number_set(number_ranges(numbers)) == numbers


async def test_rows_by_grades_weekdays_and_dates_import_and_ring(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(sessions, write_school(tmp_path / "in"))
    rich = write_school(tmp_path / "rich", {"звонки.csv": RICH_BELLS})
    report = await load(sessions, rich)
    # 1|1 and 1|2 are the plain rows the school's first import made: unchanged, found by key.
    assert bells_counts(report) == (6, 0, 0, 2)
    assert await stored(sessions) == [
        ("1|1", time(8, 30), "", "", None, None),
        ("1|1|1||2026-09-01", time(8, 30), "1", "", date(2026, 9, 1), date(2026, 12, 31)),
        ("1|1|5,7||", time(8, 15), "5,7", "", None, None),
        ("1|1|6,8||", time(8, 30), "6,8", "", None, None),
        ("1|1|9-11||", time(8, 45), "9-11", "", None, None),
        ("1|1|9-11|вт-пт|", time(8, 45), "9-11", "2-5", None, None),
        ("1|1|9-11|пн|", time(8, 0), "9-11", "1", None, None),
        ("1|2", time(9, 25), "", "", None, None),
        ("1|3", time(10, 30), "", "", None, None),
    ]
    assert (await load(sessions, rich)).changes == 0

    async with sessions() as session:
        seventh = await session.scalar(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        assert seventh is not None
        bells = await class_bells(session, seventh, TODAY)
    assert [(b.period, b.starts_at) for b in bells.periods] == [
        (1, time(8, 15)),
        (2, time(9, 25)),
        (3, time(10, 30)),
    ]


async def test_a_file_of_only_shift_period_start_end_changes_only_the_plain_rows(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(sessions, write_school(tmp_path / "in"))
    await load(sessions, write_school(tmp_path / "rich", {"bells.csv": RICH_BELLS}))
    before = await stored(sessions)
    plain = "shift,period,start,end\n1,1,08:35,09:20\n1,2,09:25,10:10\n"
    report = await load(sessions, write_school(tmp_path / "plain", {"bells.csv": plain}))
    assert bells_counts(report) == (0, 1, 0, 1)
    after = await stored(sessions)
    assert after[0] == ("1|1", time(8, 35), "", "", None, None)
    assert after[1:] == before[1:]


async def test_export_writes_the_new_columns_and_reimports_as_no_change(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(sessions, write_school(tmp_path / "in"))
    await load(sessions, write_school(tmp_path / "rich", {"bells.csv": RICH_BELLS}))
    await service.export_path(sessions, tmp_path / "out", tmp_path / "out.xlsx")
    lines = (tmp_path / "out" / "bells.csv").read_text(encoding="utf-8").splitlines()
    assert lines == [
        "id,shift,period,start,end,grades,weekdays,valid_from,valid_to",
        "1|1,1,1,08:30,09:15,,,,",
        "1|1|1||2026-09-01,1,1,08:30,09:05,1,,2026-09-01,2026-12-31",
        '"1|1|5,7||",1,1,08:15,09:00,"5,7",,,',
        '"1|1|6,8||",1,1,08:30,09:15,"6,8",,,',
        "1|1|9-11||,1,1,08:45,09:30,9-11,,,",
        "1|1|9-11|вт-пт|,1,1,08:45,09:30,9-11,вт-пт,,",
        "1|1|9-11|пн|,1,1,08:00,08:30,9-11,пн,,",
        "1|2,1,2,09:25,10:10,,,,",
        "1|3,1,3,10:30,11:15,,,,",
    ]
    assert (await load(sessions, tmp_path / "out")).changes == 0
    assert (await load(sessions, tmp_path / "out.xlsx")).changes == 0
    # Without the id column the natural key finds the same rows.
    rows = list(csv.reader(lines))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(row[1:] for row in rows)
    without_ids = write_school(tmp_path / "noid", {"bells.csv": buffer.getvalue()})
    again = await load(sessions, without_ids)
    assert again.changes == 0


async def test_a_deleted_row_by_its_natural_key(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(sessions, write_school(tmp_path / "in"))
    await load(sessions, write_school(tmp_path / "rich", {"bells.csv": RICH_BELLS}))
    gone = "shift,period,start,end,grades,weekdays,deleted\n1,1,,,9-11,пн,1\n"
    report = await load(sessions, write_school(tmp_path / "gone", {"bells.csv": gone}))
    assert bells_counts(report) == (0, 0, 1, 0)
    assert "1|1|9-11|пн|" not in [row[0] for row in await stored(sessions)]


BAD_BELLS = [
    (
        "shift,period,start,end,grades\n1,1,08:15,09:00,12\n",
        "bells.csv:2: grades: '12' is not a list of grades 1–11 (use 5, 6,8 or 9-11)",
    ),
    (
        "shift,period,start,end,grades\n1,1,08:15,09:00,5\n1,2,09:10,09:55,11-9\n",
        "bells.csv:3: grades: '11-9' is not a list of grades 1–11 (use 5, 6,8 or 9-11)",
    ),
    (
        "shift,period,start,end,weekdays\n1,1,08:15,09:00,пт-пн\n",
        "bells.csv:2: weekdays: 'пт-пн' is not a list of weekdays (use пн, вт-пт or 1-5)",
    ),
    (
        "shift,period,start,end,weekdays\n1,1,08:15,09:00,каждый день\n",
        "bells.csv:2: weekdays: 'каждый день' is not a list of weekdays (use пн, вт-пт or 1-5)",
    ),
    (
        "shift,period,start,end,valid_from\n1,1,08:15,09:00,31.02.2026\n",
        "bells.csv:2: valid_from: there is no such date as '31.02.2026'",
    ),
    (
        "shift,period,start,end,valid_to\n1,1,08:15,09:00,в декабре\n",
        "bells.csv:2: valid_to: 'в декабре' is not a date (use 2026-11-28 or 28.11.2026)",
    ),
    (
        "shift,period,start,end,grades,valid_from,valid_to\n"
        "1,1,08:15,09:00,1,2026-12-31,2026-09-01\n",
        "bells.csv:2: valid_to: the last day 2026-09-01 is before the first day 2026-12-31",
    ),
    (
        'shift,period,start,end,grades\n1,1,08:15,09:00,"5,7"\n1,1,08:20,09:05,"7, 5"\n',
        "bells.csv:3: id: duplicate id 1|1|5,7|| (first on bells.csv:2)",
    ),
    (
        'id,shift,period,start,end,grades\nB1,1,1,08:15,09:00,"5,7"\nB2,1,1,08:20,09:05,"5,7"\n',
        "bells.csv:3: id: the same shift, period, grades, weekdays and valid_from as bells.csv:2",
    ),
    (
        "id,shift,period,start,end\nB1,1,1,08:15,09:00\n",
        "bells.csv:2: id: the same shift, period, grades, weekdays and valid_from as 1|1",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    BAD_BELLS,
    ids=[c[1].split(": ", 2)[1] + str(i) for i, c in enumerate(BAD_BELLS)],
)
async def test_bad_bells_are_refused_with_line_and_column_and_nothing_lands(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, text: str, expected: str
) -> None:
    await load(sessions, write_school(tmp_path / "in"))
    before = await stored(sessions)
    bad = write_school(
        tmp_path / "bad",
        {
            "students.csv": "id,last_name,first_name\nS7,Новикова,Вера\n",
            "bells.csv": text,
        },
    )
    with pytest.raises(ImportFailed) as caught:
        await load(sessions, bad)
    assert expected in [p.render() for p in caught.value.problems]
    assert await stored(sessions) == before
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Student)) == 3
