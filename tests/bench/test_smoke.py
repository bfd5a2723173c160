"""``bench/queries.py`` and ``bench/throughput.py`` at a tiny size, on each backend, in seconds.

The demo school of about 40 pupils (one class per grade) is imported once into the test's
database; each module links its families through the real dispatcher, measures a few runs and
writes its JSON, which must hold every question (or case) with 0 < p50 <= p99.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench import queries, throughput
from bench._fixtures import load_demo

STUDENTS = 40
QUESTIONS = {"marks", "term", "tomorrow", "homework", "changes", "attendance", "debts", "whatif"}


async def test_queries_and_throughput_run_at_a_tiny_size(db_url: str, tmp_path: Path) -> None:
    demo = await load_demo(db_url, STUDENTS)
    assert demo.marks > 0

    [path] = await queries.run(runs=5, warmup=1, demo=demo, out=tmp_path / "q")
    result = json.loads(path.read_text(encoding="utf-8"))
    assert result["backend"] == demo.backend
    assert set(result["questions"]) == QUESTIONS
    for name, figures in result["questions"].items():
        for way in ("core", "dispatcher"):
            assert 0 < figures[way]["p50_ms"] <= figures[way]["p99_ms"], (name, way)
            assert figures[way]["statements"] > 0, (name, way)
        assert figures["answer_chars"] > 0, name
    assert result["slowest"]["question"] in QUESTIONS
    assert result["slowest"]["explain"], "no plan for the slowest question"

    [path] = await throughput.run(seconds=0.001, batch=4, warmup=1, demo=demo, out=tmp_path / "t")
    result = json.loads(path.read_text(encoding="utf-8"))
    assert set(result["cases"]) == {"bare aiogram /echo", *throughput.CASES}
    for name, by in result["cases"].items():
        for concurrency, figures in by.items():
            assert figures["per_second"] > 0, (name, concurrency)
            assert figures["failed"] == 0, (name, concurrency)
    assert result["ratio_to_echo"]["/marks"] > 0


async def test_queries_run_on_a_region_of_copied_schools(db_url: str, tmp_path: Path) -> None:
    one = await load_demo(db_url, STUDENTS, schools=3)
    assert one.schools == 3
    assert one.copy_seconds > 0
    assert one.size == f"{one.students}x3"

    [path] = await queries.run(runs=3, warmup=1, demo=one, out=tmp_path / "q")
    result = json.loads(path.read_text(encoding="utf-8"))
    assert path.name == f"queries-{one.backend}-{one.students}x3.json"
    assert result["schools"] == 3
    assert set(result["questions"]) == QUESTIONS
