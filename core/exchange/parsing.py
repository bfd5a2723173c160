"""Source rows → typed rows with resolved references, or problems located by file and line."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from core.exchange.files import SourceTable
from core.exchange.problems import Problem, located, problem
from core.exchange.refs import Registry
from core.exchange.spec import Column, Kind, Table
from core.exchange.values import BadValue, format_cell, parse
from core.i18n import N_
from core.models import ChangeKind

# What a substitution sheet writes in the "substitute teacher" column when nobody takes the lesson.
CANCEL_WORDS = {"отмена", "отменен", "урок отменен", "снят", "нет", "-", "—", "cancelled"}


@dataclass(slots=True)
class Row:
    source: str
    line: int
    key: str
    values: dict[str, Any]  # column → typed value; REF columns hold the referenced row's key
    present: frozenset[str]  # columns the source had
    deleted: bool


def _natural_key(table: Table, values: dict[str, Any]) -> str:
    columns = table.natural_key or ()
    key = "|".join(format_cell(table.column(c).kind, values.get(c)) for c in columns)
    qualifiers = [format_cell(table.column(c).kind, values.get(c)) for c in table.key_qualifiers]
    return "|".join((key, *qualifiers)) if any(qualifiers) else key


def _parse_cells(
    table: Table,
    source: SourceTable,
    columns: tuple[list[tuple[str, Column]], list[str]],
    cells: dict[str, str],
    line: int,
    registry: Registry,
) -> tuple[dict[str, Any], bool, list[Problem]]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    deleted = False
    for name, column in columns[0]:
        text = cells.get(name, "").strip()
        if not text:
            values[name] = None
            continue
        if (
            table.name == "timetable_changes"
            and name == "teacher"
            and text.casefold() in CANCEL_WORDS
        ):
            values[name] = None
            values["kind"] = ChangeKind.CANCELLATION  # wins over the kind column
            continue
        try:
            value = parse(column.kind, text)
            if column.kind is Kind.REF and column.ref:
                value = registry.resolve(column.ref, value)
            elif column.kind is Kind.REFS and column.ref:
                value = tuple(registry.resolve(column.ref, part) for part in value)
        except BadValue as bad:
            problems.append(located(source.source, line, name, bad.message, bad.params))
            continue
        if name == "deleted":
            deleted = bool(value)
        elif not (name == "kind" and values.get("kind") is not None):
            values[name] = value
    if deleted:
        return values, deleted, problems
    failed = {p.column for p in problems}
    for name in columns[1]:
        if values.get(name) is None and name not in failed:
            problems.append(problem(source.source, line, name, N_("a value is required")))
    return values, deleted, problems


def _columns_of(table: Table, source: SourceTable) -> tuple[list[tuple[str, Column]], list[str]]:
    """The source's columns, and the required ones among them (once per source, not per row)."""
    columns = [(name, table.column(name)) for name in source.columns]
    required = [c.name for c in table.columns if c.required and c.name in source.columns]
    return columns, required


def parse_rows(
    table: Table, sources: Sequence[SourceTable], registry: Registry, problems: list[Problem]
) -> list[Row]:
    """Typed rows of ``table`` from all its sources; what is wrong goes to ``problems``."""
    return [row for chunk in parse_chunks(table, sources, registry, problems) for row in chunk]


def parse_chunks(
    table: Table,
    sources: Sequence[SourceTable],
    registry: Registry,
    problems: list[Problem],
    size: int = 1 << 62,
) -> Iterator[list[Row]]:
    """The typed rows of ``table``, ``size`` at a time, read from its sources as they stream.

    Only each key's first place is kept across chunks (a duplicate id is an error naming it),
    packed into one int: a source's index and the line.
    """
    chunk: list[Row] = []
    first_line: dict[str, int] = {}
    for index, source in enumerate(sources):
        present = frozenset(source.columns)
        columns = _columns_of(table, source)
        for source_row in source.rows:
            line = source_row.line
            values, deleted, row_problems = _parse_cells(
                table, source, columns, source_row.cells, line, registry
            )
            if row_problems:
                problems.extend(row_problems)
                continue
            key = values.get("id") or (_natural_key(table, values) if table.natural_key else None)
            if not key:
                problems.append(problem(source.source, line, "id", N_("a value is required")))
                continue
            first = first_line.get(key)
            if first is not None:
                problems.append(
                    problem(
                        source.source,
                        line,
                        "id",
                        N_("duplicate id {key} (first on {where}:{first_line})"),
                        key=key,
                        where=sources[first >> 32].source,
                        first_line=first & 0xFFFFFFFF,
                    )
                )
                continue
            first_line[key] = (index << 32) | line
            chunk.append(Row(source.source, line, key, values, present, deleted))
            if len(chunk) >= size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk
