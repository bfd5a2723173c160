"""Copies of the one demo school in a database, made in SQL: a region of schools in minutes.

The importer checks every row, which is right for a school's files and too slow for a region's
worth of benchmark data (10^7 marks would take it 24 minutes on SQLite). A copy needs no
checking: it is the imported school again, row for row, under new ids. Each table is copied
with ``INSERT ... SELECT`` per copy, the ids shifted by the table's largest id times the copy's
number, and every foreign key shifted by its target table's largest id the same way, so copy
``k`` refers only to copy ``k``'s rows.

What a copy does not get: the people's accounts and everything about them (links, pushes,
threads, the audit log, invite codes, the outbox's history) — a copied school has no families
linked yet — and phone numbers, so that "share my phone" never finds a person in a hundred
schools at once. A copy's school id is the original's with ``-2``, ``-3``, … appended.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Column, ColumnElement, Insert, Table, func, insert, literal, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.models import Base

# Tables about people's chat accounts and what happened to them: never copied (see above).
NOT_COPIED = frozenset(
    {
        "accounts",
        "account_links",
        "announcement_recipients",
        "announcements",
        "audit_log",
        "deliveries",
        "invite_codes",
        "link_attempts",
        "message_attachments",
        "message_mutes",
        "message_threads",
        "notification_preferences",
        "outbox_events",
        "thread_messages",
    }
)
# Columns a copy leaves empty: phone numbers identify one person (see the module's docstring).
EMPTIED = frozenset({"phone"})


class NotOneSchoolError(ValueError):
    """The database must hold exactly one school to copy."""


@dataclass(frozen=True)
class CopyReport:
    copies: int
    rows: int  # rows written across every table
    seconds: float


async def copy_school(engine: AsyncEngine, copies: int) -> CopyReport:
    """Add ``copies`` copies of the database's only school, in one transaction."""
    if copies < 1:
        return CopyReport(0, 0, 0.0)
    started = time.perf_counter()
    async with engine.begin() as connection:
        schools = (await connection.execute(text("SELECT count(*) FROM schools"))).scalar_one()
        if schools != 1:
            raise NotOneSchoolError(f"the database holds {schools} schools, not one")
        tables = [t for t in Base.metadata.sorted_tables if t.name not in NOT_COPIED]
        strides = {t.name: await _largest_id(connection, t) for t in tables}
        rows = 0
        for number in range(1, copies + 1):
            for table in tables:
                if strides[table.name]:
                    statement = _copy_statement(table, strides, number)
                    rows += (await connection.execute(statement)).rowcount or 0
        if connection.dialect.name == "postgresql":
            for table in tables:
                await _advance_sequence(connection, table)
    return CopyReport(copies, rows, time.perf_counter() - started)


async def _largest_id(connection: AsyncConnection, table: Table) -> int:
    largest = (await connection.execute(select(func.max(table.c.id)))).scalar_one()
    return int(largest or 0)


def _copy_statement(table: Table, strides: dict[str, int], number: int) -> Insert:
    stride = strides[table.name]
    values = [_copied(column, strides, number) for column in table.columns]
    rows = select(*values).where(table.c.id <= stride)  # the original's rows only
    return insert(table).from_select([c.name for c in table.columns], rows)


def _copied(column: Column[object], strides: dict[str, int], number: int) -> ColumnElement[object]:
    if column.primary_key:
        return column + strides[column.table.name] * number
    for key in column.foreign_keys:
        target = key.column.table.name
        if target in strides:
            return column + strides[target] * number  # NULL stays NULL
    if column.name in EMPTIED:
        return literal(None, column.type)
    if column.table.name == "schools" and column.name == "external_id":
        return column + f"-{number + 1}"
    if column.table.name == "schools" and column.name in ("name", "short_name"):
        return column + f" · {number + 1}"
    return column


async def _advance_sequence(connection: AsyncConnection, table: Table) -> None:
    # Explicit ids leave PostgreSQL's sequence behind; the next insert must not collide.
    largest = await _largest_id(connection, table)
    await connection.execute(
        text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :largest)"),
        {"table": table.name, "largest": max(largest, 1)},
    )
