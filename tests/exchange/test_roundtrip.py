"""Import → export → import changes nothing, and exports are stable byte for byte."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import create_sessionmaker
from core.exchange import service
from tests.exchange.school_files import write_school

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


async def test_export_reimports_as_no_change_and_is_stable(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    sessions = create_sessionmaker(engine)
    await service.import_path(sessions, write_school(tmp_path / "in"), now=NOW, today=TODAY)
    await service.export_path(sessions, tmp_path / "out1", None)
    await service.export_path(sessions, tmp_path / "out2", tmp_path / "out.xlsx")
    assert snapshot(tmp_path / "out1") == snapshot(tmp_path / "out2")

    files = snapshot(tmp_path / "out1")
    assert "marks.csv" in files
    assert "school.csv" in files
    marks = files["marks.csv"].decode().splitlines()
    assert marks[0].startswith("id,student,subject,date,value")
    assert marks[1:] == sorted(marks[1:])
    assert any(
        line.startswith("L1,2026-11-23,1,C7A") and "№ 12" in line
        for line in files["lessons.csv"].decode().splitlines()
    )

    again = await service.import_path(sessions, tmp_path / "out1", now=NOW, today=TODAY)
    assert again.changes == 0, again.counts
    from_xlsx = await service.import_path(sessions, tmp_path / "out.xlsx", now=NOW, today=TODAY)
    assert from_xlsx.changes == 0, from_xlsx.counts


async def test_an_export_loads_into_an_empty_database_identically(
    engine: AsyncEngine, other_db_url: str, tmp_path: Path
) -> None:
    from core.db import create_engine

    sessions = create_sessionmaker(engine)
    await service.import_path(sessions, write_school(tmp_path / "in"), now=NOW, today=TODAY)
    await service.export_path(sessions, tmp_path / "first", None)

    other = create_engine(other_db_url)
    try:
        other_sessions = create_sessionmaker(other)
        report = await service.import_path(other_sessions, tmp_path / "first", now=NOW, today=TODAY)
        assert report.changes > 0
        await service.export_path(other_sessions, tmp_path / "second", None)
    finally:
        await other.dispose()
    assert snapshot(tmp_path / "first") == snapshot(tmp_path / "second")


# Every school setting off its default: a yes that defaults to no and a no that defaults to yes.
SETTINGS_SCHOOL = (
    "id,name,short_name,sou_weight_7_on_not_attested,n_counts_not_attested,n_counts_exempt,"
    "progress_class_average,risk_average_fall,risk_absence_percent,risk_min_marks\n"
    "G6,Гимназия №6,Г6,1,0,1,1,0.75,10,5\n"
)


async def test_the_school_settings_survive_an_export_into_an_empty_database(
    engine: AsyncEngine, other_db_url: str, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from core.db import create_engine
    from core.models import School
    from tests.exchange.school_files import FILES

    settings = (
        School.sou_weight_7_on_not_attested,
        School.n_counts_not_attested,
        School.n_counts_exempt,
        School.progress_class_average,
        School.risk_average_fall,
        School.risk_absence_percent,
        School.risk_min_marks,
    )
    expected = (True, False, True, True, Decimal("0.75"), 10, 5)
    sessions = create_sessionmaker(engine)
    files = {**FILES, "school.csv": SETTINGS_SCHOOL}
    await service.import_path(sessions, write_school(tmp_path / "in", files), now=NOW, today=TODAY)
    await service.export_path(sessions, tmp_path / "first", tmp_path / "first.xlsx")
    school = (tmp_path / "first" / "school.csv").read_text(encoding="utf-8").splitlines()
    assert school[1].endswith(",1,0,1,1,0.75,10,5")

    other = create_engine(other_db_url)
    try:
        for source in ("first", "first.xlsx"):
            other_sessions = create_sessionmaker(other)
            await service.import_path(other_sessions, tmp_path / source, now=NOW, today=TODAY)
            async with other_sessions() as session:
                assert tuple((await session.execute(select(*settings))).one()) == expected
        await service.export_path(other_sessions, tmp_path / "second", None)
    finally:
        await other.dispose()
    assert snapshot(tmp_path / "first") == snapshot(tmp_path / "second")
