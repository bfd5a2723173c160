"""Keys of every table (the school's ids) and how a cell refers to a row.

A reference is the row's id; classes, subjects, staff and years may also be named the way a
school writes them ("7A", "алгебра", "Иванова М.П."), since substitution sheets carry names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.exchange.values import BadValue, class_name
from core.i18n import N_
from core.models import AcademicYear, SchoolClass, Staff, Subject
from core.models.base import Base


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().casefold().replace("ё", "е"))


def person_names(last: str, first: str, middle: str | None) -> list[str]:
    """The ways a school names a person: full name, "Фамилия И.О.", "Фамилия Имя"."""
    initials = first[:1] + "." + (middle[:1] + "." if middle else "")
    spaced = first[:1] + ". " + (middle[:1] + "." if middle else "")
    forms = [
        f"{last} {first} {middle or ''}",
        f"{last} {initials}",
        f"{last} {spaced}",
        f"{last}{initials}",
        f"{last} {first}",
        f"{first} {middle or ''} {last}",
    ]
    return [_fold(form) for form in forms]


def name_keys(table: str, values: dict[str, object]) -> list[str]:
    """Names under which a row of ``table`` may be referred to."""
    match table:
        case "classes" | "subjects" | "years":
            name = values.get("name")
            if not isinstance(name, str):
                return []
            return [class_name(name)] if table == "classes" else [_fold(name)]
        case "staff":
            last, first = values.get("last_name"), values.get("first_name")
            middle = values.get("middle_name")
            if isinstance(last, str) and isinstance(first, str):
                return person_names(last, first, middle if isinstance(middle, str) else None)
    return []


def _lookup_forms(table: str, text: str) -> list[str]:
    if table == "classes":
        try:
            return [class_name(text)]
        except BadValue:
            return []
    folded = _fold(text)
    if table == "staff":
        return [folded, re.sub(r"\.\s+", ".", folded), re.sub(r"\s+", " ", folded)]
    return [folded]


NAMED: dict[str, tuple[type[Base], tuple[str, ...]]] = {
    "classes": (SchoolClass, ("name",)),
    "subjects": (Subject, ("name",)),
    "years": (AcademicYear, ("name",)),
    "staff": (Staff, ("last_name", "first_name", "middle_name")),
}


@dataclass
class Registry:
    """Per table: key → database id (None while only in the file), and name → key."""

    ids: dict[str, dict[str, int | None]] = field(default_factory=dict)
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    ambiguous: dict[str, set[str]] = field(default_factory=dict)

    def add(self, table: str, key: str, row_id: int | None, values: dict[str, object]) -> None:
        self.ids.setdefault(table, {})[key] = row_id
        names = self.names.setdefault(table, {})
        for name in name_keys(table, values):
            if names.get(name, key) != key:
                self.ambiguous.setdefault(table, set()).add(name)
            names[name] = key

    def add_many(
        self, table: str, rows: Iterable[tuple[str, int | None, dict[str, object]]]
    ) -> None:
        for key, row_id, values in rows:
            self.add(table, key, row_id, values)

    def resolve(self, table: str, text: str) -> str:
        """The key a cell refers to; raises BadValue when there is no such row."""
        ids = self.ids.get(table, {})
        if text in ids:
            return text
        for form in _lookup_forms(table, text):
            if form in self.ambiguous.get(table, set()):
                raise BadValue(
                    N_("{value!r} names more than one row of {table}: use the id"),
                    value=text,
                    table=table,
                )
            key = self.names.get(table, {}).get(form)
            if key is not None:
                return key
        raise BadValue(N_("no {table} row with id or name {value!r}"), table=table, value=text)

    def reverse(self, table: str) -> dict[int, str]:
        """Database id → key, for the rows of ``table`` that are written."""
        return {
            row_id: key for key, row_id in self.ids.get(table, {}).items() if row_id is not None
        }

    def id_of(self, table: str, key: str) -> int:
        row_id = self.ids[table][key]
        if row_id is None:
            raise LookupError(f"{table} {key} is not written yet")
        return row_id


async def load_table(
    session: AsyncSession, registry: Registry, table: str, model: type[Base], school_id: int
) -> None:
    """Register the rows the database already has for ``table``."""
    name_columns = NAMED.get(table, (model, ()))[1]
    columns = [model.id, model.external_id, *(getattr(model, c) for c in name_columns)]  # type: ignore[attr-defined]
    result = await session.execute(select(*columns).where(model.school_id == school_id))  # type: ignore[attr-defined]
    for row in result:
        if row.external_id is not None:
            registry.add(table, row.external_id, row.id, {c: getattr(row, c) for c in name_columns})
