"""Exchange figures: generating the demo school, importing it, exporting it, re-importing it.

`JOURNAL_BENCH_STUDENTS` (default: the demo's default size) scales the school. The demo is
written as CSV files, and each import of them runs in a child process of its own, so that its
peak RSS is the importer's alone (not the generator's rows): on SQLite, and on PostgreSQL when
its binaries are there (a throwaway server, as the tests start). The export and its re-import
(which must change nothing) run on the SQLite database. The figures go to
``bench/results/exchange-<students>.json`` too.

``python -m bench.exchange import URL DIR`` is the child: it imports DIR into the migrated
database at URL and prints one JSON line (seconds, peak RSS, changes).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from core import migrate
from core.db import create_engine, create_sessionmaker
from core.demo import generate
from core.exchange import service
from core.exchange.writer import write_csv_dir

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
RESULTS = Path(__file__).parent / "results"


def _peak_mib() -> float:
    """This process's peak RSS. Linux keeps ``ru_maxrss`` across exec, so a child started by a
    big parent would report the parent's size: the memory's own high-water mark (VmHWM) is not
    carried over."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _child(url: str, directory: Path) -> None:
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    started = time.perf_counter()
    report = await service.import_path(sessions, directory, now=NOW, today=TODAY)
    elapsed = time.perf_counter() - started
    await engine.dispose()
    print(json.dumps({"seconds": elapsed, "peak_rss_mib": _peak_mib(), "changes": report.changes}))


def _import_in_child(url: str, directory: Path) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.exchange", "import", url, str(directory)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent.parent,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the import failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def _postgres(directory: Path, rows: int) -> dict[str, Any] | None:
    try:
        import asyncpg

        from tests.postgres_server import PostgresUnavailableError, running_postgres
    except ImportError as error:  # an installation without the tests
        print(f"PostgreSQL skipped: {error}")
        return None
    try:
        with running_postgres() as server:
            connection = await asyncpg.connect(server.dsn())
            await connection.execute("CREATE DATABASE bench_exchange")
            await connection.close()
            url = server.url("bench_exchange")
            await asyncio.to_thread(migrate.upgrade, url)
            result = await asyncio.to_thread(_import_in_child, url, directory)
    except PostgresUnavailableError as error:
        print(f"PostgreSQL skipped: {error}")
        return None
    _print_import("PostgreSQL", rows, result)
    return result


def _print_import(database: str, rows: int, result: dict[str, Any]) -> None:
    print(
        f"import the demo's CSV files into {database}: {result['seconds']:.2f} s "
        f"({rows / result['seconds']:,.0f} rows/s), "
        f"the importing process's peak RSS {result['peak_rss_mib']:.0f} MiB"
    )


async def run() -> None:
    students_env = os.environ.get("JOURNAL_BENCH_STUDENTS")
    students = int(students_env) if students_env else None
    figures: dict[str, Any] = {"measured_on": datetime.now(UTC).date().isoformat()}
    started = time.perf_counter()
    tables = generate(seed=1, students=students, today=TODAY)
    rows = sum(len(v) for v in tables.values())
    size = len(tables["students"])
    figures |= {"students": size, "rows": rows, "marks": len(tables["marks"])}
    figures["generate_s"] = time.perf_counter() - started
    print(f"generate demo ({size:,} students, {rows:,} rows): {figures['generate_s']:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        write_csv_dir(tables, demo)
        del tables  # the child processes read the files

        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        figures["sqlite"] = await asyncio.to_thread(_import_in_child, url, demo)
        _print_import("SQLite", rows, figures["sqlite"])
        figures["postgresql"] = await _postgres(demo, rows)

        engine = create_engine(url)
        sessions = create_sessionmaker(engine)
        started = time.perf_counter()
        await service.export_path(sessions, Path(tmp) / "export", None)
        figures["export_s"] = time.perf_counter() - started
        print(f"export to CSV: {figures['export_s']:.2f} s")

        started = time.perf_counter()
        report = await service.import_path(sessions, Path(tmp) / "export", now=NOW, today=TODAY)
        figures["reimport_s"] = time.perf_counter() - started
        figures["reimport_changes"] = report.changes
        print(f"re-import the export: {figures['reimport_s']:.2f} s, {report.changes} changes")
        await engine.dispose()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"exchange-{size}.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "import":
        asyncio.run(_child(sys.argv[2], Path(sys.argv[3])))
    else:
        asyncio.run(run())
