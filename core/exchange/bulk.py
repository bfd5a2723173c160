"""Inserting many rows at once: PostgreSQL's COPY, executemany elsewhere.

An INSERT per row, even pipelined, costs PostgreSQL several times what COPY does; a big import
writes hundreds of thousands of rows, so on PostgreSQL they go through asyncpg's binary
``copy_records_to_table`` inside the import's transaction (a rollback undoes them as it undoes
any insert). Values pass through each column's SQLAlchemy bind processing first, and the
columns' Python-side defaults (``created_at``…) are filled in, as an INSERT would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``."""
    if not rows:
        return
    connection = await session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "asyncpg":
        await session.execute(insert(table), rows)
        return
    driver: Any = (await connection.get_raw_connection()).driver_connection
    if not driver.is_in_transaction():
        # SQLAlchemy begins asyncpg's transaction with its first statement; COPY outside one
        # would commit on its own.
        await session.execute(select(1))
        if not driver.is_in_transaction():
            await session.execute(insert(table), rows)
            return
    given = list(rows[0])
    defaults: list[tuple[str, Any]] = []  # column, a value or a function of no arguments
    for column in table.columns:
        default: Any = column.default
        if column.key in rows[0] or default is None or column.primary_key:
            continue
        if default.is_scalar:
            defaults.append((column.key, lambda value=default.arg: value))
        elif default.is_callable:
            defaults.append((column.key, lambda arg=default.arg: arg(None)))
        else:
            await session.execute(insert(table), rows)  # a default COPY cannot give
            return
    names = given + [name for name, _ in defaults]
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    makers = [make for _, make in defaults]
    records = []
    for row in rows:
        values = [row[name] for name in given] + [make() for make in makers]
        records.append(
            tuple(
                value if process is None or value is None else process(value)
                for value, process in zip(values, processors, strict=True)
            )
        )
    await driver.copy_records_to_table(
        table.name, records=records, columns=[table.c[name].name for name in names]
    )
