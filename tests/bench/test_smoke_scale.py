"""``bench/rush.py`` and ``bench/memory.py`` at a tiny size, on each backend, in seconds.

The demo school of about 40 pupils is imported into the test's database. The rush starts the
real bot as a subprocess against the fake Bot API (Telegram's limits on) and has 5 families ask
10 questions: every one must be answered, none refused with 429. The memory benchmark inserts
50 accounts and feeds 3 bursts of 20 updates through the dispatcher in a process of its own, with
``tracemalloc`` forced on for its last burst (on SQLite): every figure must be there and positive.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import launch, memory, rush
from bench._fixtures import load_demo
from tests import forkserver

STUDENTS = 40
BURSTS = 3


async def test_rush_and_memory_run_at_a_tiny_size(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bot and the feeding process forked from the suite's pre-imported server: the same
    # commands without a fresh interpreter's 3 s of imports (`make bench` starts fresh ones).
    monkeypatch.setattr(launch, "python_module", forkserver.spawn)
    demo = await load_demo(db_url, STUDENTS)

    [path] = await rush.run(families=5, seconds=6.0, demo=demo, out=tmp_path / "rush")
    result = json.loads(path.read_text(encoding="utf-8"))
    assert result["backend"] == demo.backend
    assert (result["families"], result["questions"]) == (5, 10)
    assert result["lost"] == 0, result["samples_ms"]
    assert result["answered"] == 10
    assert all(sample is not None and sample > 0 for sample in result["samples_ms"])
    assert result["answered_429"] == 0, result["refused_calls"]
    assert result["messages_to_families"] >= 10
    latency = result["latency"]
    assert 0 < latency["p50_ms"] <= latency["p90_ms"] <= latency["p99_ms"] <= latency["max_ms"]
    for command in ("/marks", "/tomorrow"):
        figures = result["by_command"][command]
        assert 0 < figures["p50_ms"] <= figures["p99_ms"], command
    assert result["bot_cpu_seconds"] > 0
    assert result["asked_in_seconds"] > 0

    # tracemalloc's snapshots do not depend on the database: taken on one backend only.
    trace = demo.backend == "sqlite"
    [path] = await memory.run(
        accounts=50, burst=20, bursts=BURSTS, trace=trace, demo=demo, out=tmp_path / "memory"
    )
    result = json.loads(path.read_text(encoding="utf-8"))
    assert result["backend"] == demo.backend
    assert result["inserted"]["accounts"] == 50
    assert [point["at"] for point in result["points"]] == [
        "started",
        "warm-up",
        *(f"burst {n}" for n in range(1, BURSTS + 1)),
    ]
    assert len(result["rss_per_burst_mib"]) == BURSTS
    for point in result["points"]:
        assert 0 < point["rss_mib"] <= point["peak_mib"], point["at"]
        assert point["gc_objects"] > 0, point["at"]
    assert result["bursts"] == BURSTS
    for point in result["points"][2:]:
        figures = point["figures"]
        assert figures["updates"] == 20, point["at"]
        assert figures["failed"] == 0, point["at"]
        assert figures["answers"] >= figures["updates"], point["at"]
        assert point["rss_after_gc_mib"] > 0
    if trace:  # (without it a trace is taken only when memory grew, which it should not)
        assert result["trace"]["top_growth"], "no tracemalloc figures"
    assert result["peak_mib"] >= max(result["rss_per_burst_mib"])
