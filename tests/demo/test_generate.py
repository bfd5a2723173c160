"""The demo's output is deterministic and exactly what the exchange importer reads."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from core.demo import generate
from core.exchange.spec import ORDER, TABLES_BY_NAME, Kind
from core.exchange.values import format_cell, parse
from tests.demo.conftest import TODAY, School

DIGEST = """
import hashlib, json, sys
from datetime import date
from core.demo import generate
data = generate(seed=1, today=date(2026, 11, 30))
print(hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest())
"""


def test_same_seed_and_day_same_school_another_seed_another(school: School) -> None:
    assert generate(seed=1, today=TODAY) == school
    other = generate(seed=2, today=TODAY)
    assert other["students"] != school["students"]
    assert other["timetable"] != school["timetable"]
    assert other["marks"] != school["marks"]


def test_the_school_does_not_depend_on_string_hashing(school: School) -> None:
    """Another process with other hash seeds (set order) makes the very same school."""
    expected = hashlib.sha256(json.dumps(school, sort_keys=True).encode()).hexdigest()
    for hash_seed in ("0", "12345"):
        digest = subprocess.run(
            [sys.executable, "-c", DIGEST],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            cwd=Path(__file__).parents[2],
        ).stdout.strip()
        assert digest == expected


def test_every_table_with_canonical_columns_and_required_cells(school: School) -> None:
    assert list(school) == list(ORDER)
    for name, rows in school.items():
        table = TABLES_BY_NAME[name]
        assert rows, name
        for row in rows:
            assert set(row) <= set(table.column_names), (name, set(row) - set(table.column_names))
            assert all(isinstance(v, str) for v in row.values()), (name, row)
            missing = [c.name for c in table.columns if c.required and not row.get(c.name)]
            assert missing == [], (name, row)


def test_every_cell_is_in_its_canonical_format(school: School) -> None:
    """Parsing a cell and writing it back as `journal export` does gives the same text."""
    for name, rows in school.items():
        table = TABLES_BY_NAME[name]
        for column in table.columns:
            if column.kind in (Kind.TEXT, Kind.REF):
                continue
            cells = {row[column.name] for row in rows if row.get(column.name)}
            for cell in cells:
                assert format_cell(column.kind, parse(column.kind, cell)) == cell, (name, column)


def test_ids_and_natural_keys_are_unique(school: School) -> None:
    for name, rows in school.items():
        ids = [row["id"] for row in rows if "id" in row]
        assert len(ids) == len(set(ids)), name
        key = TABLES_BY_NAME[name].natural_key
        if key:
            keys = Counter(tuple(row.get(c, "") for c in key) for row in rows)
            assert [k for k, n in keys.items() if n > 1] == [], name


def test_every_reference_resolves(school: School) -> None:
    ids = {name: {r["id"] for r in rows if "id" in r} for name, rows in school.items()}
    for name, rows in school.items():
        for column in TABLES_BY_NAME[name].columns:
            if not column.ref:
                continue
            assert column.ref in ids
            for row in rows:
                cell = row.get(column.name, "")
                keys = cell.split(";") if column.kind is Kind.REFS else [cell]
                missing = [k for k in keys if k and k not in ids[column.ref]]
                assert missing == [], f"{name}.{column.name} -> {missing}"


def test_the_school_row() -> None:
    school = generate(seed=5, today=TODAY)["school"]
    assert school == [
        {
            "id": "GYM6",
            "name": "Гимназия №6 (демо)",
            "short_name": "Гимназия №6",
            "timezone": "Asia/Yekaterinburg",
            "days_per_week": "5",
            "threshold_5": "4.5",
            "threshold_4": "3.5",
            "threshold_3": "2.5",
        }
    ]


@pytest.mark.parametrize(
    "today",
    [
        date(2026, 7, 15),  # summer: next September's year, only its first days
        date(2026, 11, 28),  # a Saturday
        date(2026, 11, 3),  # the autumn holidays
        date(2027, 2, 16),  # grade 1's February week
        date(2027, 5, 31),  # the year's last day, lessons over
    ],
)
def test_any_day_gives_a_consistent_school(today: date) -> None:
    data = generate(seed=3, students=300, today=today)
    ids = {name: {r["id"] for r in rows if "id" in r} for name, rows in data.items()}
    for name, rows in data.items():
        for column in TABLES_BY_NAME[name].columns:
            if column.ref and column.kind is Kind.REF:
                assert {r[column.name] for r in rows if r.get(column.name)} <= ids[column.ref]
    assert all(date.fromisoformat(m["date"]) <= today for m in data["marks"])
    year_start = date.fromisoformat(data["years"][0]["start"])
    assert year_start.month == 9
    assert year_start <= today or (today.month in (6, 7, 8) and year_start.year == today.year)
