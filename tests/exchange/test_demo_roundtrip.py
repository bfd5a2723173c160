"""Acceptance: `journal demo`, then `journal export`, then `journal import` reports no change.

The demo's generator at a third of its size: every table and kind of row is there (classes of
every grade, groups, transfers, marks of each kind), in a third of the time."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import create_sessionmaker
from core.demo import generate
from core.exchange import service
from core.models import Mark, OutboxEvent, Student

TODAY = date(2026, 11, 30)
STUDENTS = 250
NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)


async def test_demo_export_import_is_a_no_op(engine: AsyncEngine, tmp_path: Path) -> None:
    sessions = create_sessionmaker(engine)
    tables = generate(seed=1, students=STUDENTS, today=TODAY)
    assert all(tables.values()), [name for name, rows in tables.items() if not rows]
    first = await service.import_rows(sessions, tables, now=NOW, today=TODAY)
    assert dict(first.counts)["students"].added == len(tables["students"])
    assert dict(first.counts)["marks"].added == len(tables["marks"])
    assert first.events > 0
    assert first.silent_events > first.events

    await service.export_path(sessions, tmp_path / "export", None)
    with (tmp_path / "export" / "students.csv").open(encoding="utf-8") as exported:
        since = {row["id"]: row["class_since"] for row in csv.DictReader(exported)}
    assert since == {row["id"]: row["class_since"] for row in tables["students"]}
    again = await service.import_path(sessions, tmp_path / "export", now=NOW, today=TODAY)
    changed = {t: c for t, c in again.counts if c.total_changes}
    assert changed == {}
    assert again.events == 0

    async with sessions() as session:
        students = (await session.execute(select(func.count()).select_from(Student))).scalar()
        marks = (await session.execute(select(func.count()).select_from(Mark))).scalar()
        events = (await session.execute(select(func.count()).select_from(OutboxEvent))).scalar()
    assert students == len(tables["students"])
    assert marks == len(tables["marks"])
    assert events == first.events + first.silent_events
