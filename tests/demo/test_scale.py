"""A school of 20,000 students: generated in reasonable time, still consistent."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from core.demo import generate
from core.exchange.spec import TABLES_BY_NAME, Kind
from tests.demo.conftest import TODAY, clashes, spans


@pytest.mark.slow
def test_twenty_thousand_students() -> None:
    started = time.perf_counter()
    big = generate(seed=1, students=20_000, today=TODAY)
    elapsed = time.perf_counter() - started
    assert elapsed < 60
    assert len(big["students"]) >= 20_000
    per_class = Counter(s["class"] for s in big["students"])
    assert 20 <= min(per_class.values()) <= max(per_class.values()) <= 30
    names = [c["name"] for c in big["classes"]]
    assert len(names) == len(set(names))
    ids = {name: {r["id"] for r in rows if "id" in r} for name, rows in big.items()}
    for name, rows in big.items():
        for column in TABLES_BY_NAME[name].columns:
            if column.ref and column.kind is Kind.REF:
                cells = {r[column.name] for r in rows if r.get(column.name)}
                assert cells <= ids[column.ref], (name, column.name)
    times = spans(big)
    for who in ("teacher", "room"):
        entries = big["timetable"]
        found = clashes(
            (e[who], e["weekday"], *times[(e["class"], e["period"])], e["id"]) for e in entries
        )
        assert found == [], who
