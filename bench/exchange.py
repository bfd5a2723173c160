"""Exchange figures: generating and importing the demo school, exporting it, re-importing it.

`JOURNAL_BENCH_STUDENTS` (default: the demo's default size) scales the school.
"""

from __future__ import annotations

import asyncio
import os
import resource
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from core import migrate
from core.db import create_engine, create_sessionmaker
from core.demo import generate
from core.exchange import service

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)


async def run() -> None:
    students_env = os.environ.get("JOURNAL_BENCH_STUDENTS")
    students = int(students_env) if students_env else None
    started = time.perf_counter()
    tables = generate(seed=1, students=students, today=TODAY)
    rows = sum(len(v) for v in tables.values())
    print(
        f"generate demo ({len(tables['students']):,} students, {rows:,} rows): "
        f"{time.perf_counter() - started:.2f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        engine = create_engine(url)
        sessions = create_sessionmaker(engine)
        started = time.perf_counter()
        await service.import_rows(sessions, tables, now=NOW, today=TODAY)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"import demo into SQLite: {elapsed:.2f} s (process peak RSS {peak:.0f} MiB)")

        started = time.perf_counter()
        await service.export_path(sessions, Path(tmp) / "export", None)
        print(f"export to CSV: {time.perf_counter() - started:.2f} s")

        started = time.perf_counter()
        report = await service.import_path(sessions, Path(tmp) / "export", now=NOW, today=TODAY)
        print(
            f"re-import the export: {time.perf_counter() - started:.2f} s, {report.changes} changes"
        )
        await engine.dispose()
