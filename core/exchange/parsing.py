"""Source rows → typed rows with resolved references, or problems located by file and line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.exchange.files import SourceTable
from core.exchange.problems import Problem, located, problem
from core.exchange.refs import Registry
from core.exchange.spec import Kind, Table
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
    table: Table, source: SourceTable, cells: dict[str, str], line: int, registry: Registry
) -> tuple[dict[str, Any], bool, list[Problem]]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    deleted = False
    for name in source.columns:
        column = table.column(name)
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
    failed = {p.column for p in problems}
    for column in table.columns:
        if (
            column.required
            and not deleted
            and column.name in source.columns
            and values.get(column.name) is None
            and column.name not in failed
        ):
            problems.append(problem(source.source, line, column.name, N_("a value is required")))
    return values, deleted, problems


def parse_rows(
    table: Table, sources: Sequence[SourceTable], registry: Registry, problems: list[Problem]
) -> list[Row]:
    """Typed rows of ``table`` from all its sources; what is wrong goes to ``problems``."""
    rows: list[Row] = []
    first_line: dict[str, tuple[str, int]] = {}
    for source in sources:
        present = frozenset(source.columns)
        for source_row in source.rows:
            line = source_row.line
            values, deleted, row_problems = _parse_cells(
                table, source, source_row.cells, line, registry
            )
            if row_problems:
                problems.extend(row_problems)
                continue
            key = values.get("id") or (_natural_key(table, values) if table.natural_key else None)
            if not key:
                problems.append(problem(source.source, line, "id", N_("a value is required")))
                continue
            if key in first_line:
                where, first = first_line[key]
                problems.append(
                    problem(
                        source.source,
                        line,
                        "id",
                        N_("duplicate id {key} (first on {where}:{first_line})"),
                        key=key,
                        where=where,
                        first_line=first,
                    )
                )
                continue
            first_line[key] = (source.source, line)
            rows.append(Row(source.source, line, key, values, present, deleted))
    return rows
