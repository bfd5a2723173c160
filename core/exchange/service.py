"""The exchange use cases as one call each, for the CLI, the demo and the tests."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange.exporter import Rows, export_tables, only_school_id
from core.exchange.files import SourceRow, SourceTable, read_path
from core.exchange.importer import ImportReport, run_import
from core.exchange.problems import ImportFailed, Severity
from core.exchange.spec import TABLES_BY_NAME


def sources_from_rows(
    tables: Mapping[str, Sequence[Mapping[str, str]]], label: str = "demo"
) -> list[SourceTable]:
    """Rows already keyed by canonical column names (the demo generator's output) as sources."""
    sources = []
    for name, rows in tables.items():
        table = TABLES_BY_NAME[name]
        columns = tuple(c for c in table.column_names if any(c in row for row in rows))
        if not columns:
            columns = tuple(c.name for c in table.columns if c.required)
        sources.append(
            SourceTable(
                table=table,
                source=f"{label}/{name}",
                columns=columns,
                rows=_GivenRows(rows, columns),
            )
        )
    return sources


class _GivenRows(Collection[SourceRow]):
    """Given rows as source rows, made one at a time as the importer reads them."""

    def __init__(self, rows: Sequence[Mapping[str, str]], columns: tuple[str, ...]) -> None:
        self._rows, self._columns = rows, columns

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[SourceRow]:
        columns = self._columns
        for i, row in enumerate(self._rows, start=2):
            yield SourceRow(line=i, cells={c: row.get(c, "") for c in columns})

    def __contains__(self, item: object) -> bool:
        return any(item == row for row in self)


async def import_path(
    sessions: async_sessionmaker[AsyncSession],
    path: Path,
    *,
    now: datetime,
    today: date,
    silent_before: date | None = None,
    dry_run: bool = False,
) -> ImportReport:
    sources, problems = read_path(path)
    if any(p.severity is Severity.ERROR for p in problems):
        raise ImportFailed(problems)
    async with sessions() as session:
        return await run_import(
            session,
            sources,
            now=now,
            today=today,
            silent_before=silent_before,
            dry_run=dry_run,
            source_problems=problems,
        )


async def import_rows(
    sessions: async_sessionmaker[AsyncSession],
    tables: Mapping[str, Sequence[Mapping[str, str]]],
    *,
    now: datetime,
    today: date,
    label: str = "demo",
) -> ImportReport:
    async with sessions() as session:
        return await run_import(session, sources_from_rows(tables, label), now=now, today=today)


async def export_rows(sessions: async_sessionmaker[AsyncSession]) -> Rows:
    async with sessions() as session:
        school_id = await only_school_id(session)
        if school_id is None:
            raise LookupError("the database holds no school, or more than one")
        return await export_tables(session, school_id)


async def export_path(
    sessions: async_sessionmaker[AsyncSession], directory: Path | None, xlsx: Path | None
) -> list[Path]:
    from core.exchange.writer import write_csv_dir, write_xlsx

    tables = await export_rows(sessions)
    written: list[Path] = []
    if directory is not None:
        written += write_csv_dir(tables, directory)
    if xlsx is not None:
        write_xlsx(tables, xlsx)
        written.append(xlsx)
    return written
