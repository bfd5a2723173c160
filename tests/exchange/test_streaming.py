"""The importer streams: big tables go in chunks, memory does not grow with them, and a problem
in the last chunk still leaves the database as it was (one transaction)."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import create_sessionmaker
from core.exchange import importer, service
from core.exchange.importer import ImportReport
from core.exchange.problems import ImportFailed
from core.models import Mark, OutboxEvent
from tests.exchange.school_files import write_school

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
CHUNK = 500  # small chunks, so that a few thousand rows make many


@pytest.fixture
async def sessions(
    engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> async_sessionmaker[AsyncSession]:
    monkeypatch.setattr(importer, "CHUNK", CHUNK)
    made = create_sessionmaker(engine)
    await service.import_path(made, write_school(tmp_path / "school"), now=NOW, today=TODAY)
    return made


def marks(count: int, prefix: str) -> list[dict[str, str]]:
    """``count`` marks of the small school's pupils, on school days before today."""
    start = TODAY - timedelta(days=80)
    return [
        {
            "id": f"{prefix}{i}",
            "student": ("S1", "S2", "S3")[i % 3],
            "subject": "ALG",
            "date": (start + timedelta(days=i % 70)).isoformat(),
            "value": str(2 + i % 4),
            "work_type": "ANS",
            "teacher": "T1",
        }
        for i in range(count)
    ]


async def count(sessions: async_sessionmaker[AsyncSession], model: type[Mark | OutboxEvent]) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def load(
    sessions: async_sessionmaker[AsyncSession], rows: list[dict[str, str]]
) -> ImportReport:
    return await service.import_rows(sessions, {"marks": rows}, now=NOW, today=TODAY)


async def peak_of_import(
    sessions: async_sessionmaker[AsyncSession], rows: list[dict[str, str]]
) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        report = await load(sessions, rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert dict(report.counts)["marks"].added == len(rows)
    return peak


async def test_the_importers_memory_does_not_grow_with_the_file(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    n = 4 * CHUNK
    await load(sessions, marks(CHUNK, "W"))  # warm SQLAlchemy's caches up
    small, big = marks(n, "A"), marks(4 * n, "B")
    small_peak = await peak_of_import(sessions, small)
    big_peak = await peak_of_import(sessions, big)
    # Whole-table reading made it ~4x; what grows now is only one int and key per row.
    assert big_peak < 2 * small_peak, (small_peak, big_peak)
    assert await count(sessions, Mark) == 3 + CHUNK + 5 * n


async def test_a_problem_in_the_last_chunk_changes_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    before = (await count(sessions, Mark), await count(sessions, OutboxEvent))
    rows = marks(3 * CHUNK + 7, "X")
    rows[-1]["student"] = "S404"  # the last row of the last chunk
    with pytest.raises(ImportFailed) as failed:
        await load(sessions, rows)
    errors = [p for p in failed.value.problems if p.column == "student"]
    assert [p.line for p in errors] == [len(rows) + 1]  # the header is line 1
    assert (await count(sessions, Mark), await count(sessions, OutboxEvent)) == before


async def test_a_chunked_reimport_changes_nothing_and_a_changed_mark_is_found(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rows = marks(3 * CHUNK + 7, "X")
    first = await load(sessions, rows)
    assert dict(first.counts)["marks"].added == len(rows)
    events = await count(sessions, OutboxEvent)

    again = await load(sessions, rows)
    assert again.changes == 0
    assert dict(again.counts)["marks"].unchanged == len(rows)
    assert await count(sessions, OutboxEvent) == events

    rows[-1]["value"] = "5" if rows[-1]["value"] != "5" else "4"
    rows[CHUNK]["deleted"] = "1"
    last = await load(sessions, rows)
    counts = dict(last.counts)["marks"]
    assert (counts.changed, counts.deleted, counts.added) == (1, 1, 0)
    assert await count(sessions, OutboxEvent) == events + 2


async def test_a_key_twice_in_different_chunks_is_named(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rows = marks(2 * CHUNK + 1, "X")
    rows[-1]["id"] = rows[1]["id"]
    with pytest.raises(ImportFailed) as failed:
        await load(sessions, rows)
    [problem] = failed.value.problems
    assert problem.line == len(rows) + 1
    assert dict(problem.params)["first_line"] == "3"
    assert await count(sessions, Mark) == 3
