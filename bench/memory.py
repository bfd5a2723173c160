"""Memory of the running bot: resident memory with 100,000 linked accounts, burst after burst.

The demo school of ``JOURNAL_BENCH_STUDENTS`` pupils (``bench/_fixtures.py``) on SQLite (see
:func:`memory_backends`) gets ``accounts`` Telegram accounts by bulk ``INSERT`` (rows of
``accounts`` and ``account_links``, in chunks): each linked, by invite, to a guardian of the
school in turn (a guardian has many accounts at this size), the child in focus set, consent
given, Russian.

Then a **fresh process** (``python -m bench.memory feed``: nothing of the demo's import or of
the bulk insert in its heap) is the bot: the production dispatcher
(``bot.app.create_dispatcher``, every middleware and router) fed Telegram-shaped updates with
``feed_update`` and answered by a recording Bot session (``bench._fixtures.Chat``, as
``bench/throughput.py`` does; the recorded calls are dropped as they come). It feeds ``bursts``
bursts of ``burst`` updates — ``/marks`` 40 %, ``/tomorrow`` 30 %, and ``/term``,
``/homework``, ``/timetable``, ``/attendance`` 7.5 % each, from accounts drawn at random — eight
at a time (as polling hands updates to tasks), after a warm-up of a tenth of a burst.

Recorded: RSS (``VmRSS`` of ``/proc/self/status``) and its peak (``VmHWM``) at the start, after
the warm-up and after each burst (before and after a full ``gc.collect()``), the collector's
counts, the number of objects it tracks, and the answers and failures of each burst. When RSS
grows by more than ``GROWTH_MIB`` from the first burst to the last (or always, with
``trace=True``), one more burst of a fifth of the size runs under ``tracemalloc`` and the 10
lines whose allocations grew most are listed.
Goal: under 200 MB and flat across bursts.
Results: ``bench/results/memory-<backend>-<students>.json``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import launch
from bench._fixtures import (
    NOW,
    Demo,
    bench_students,
    each_demo,
    machine,
    write_json,
)
from core.db import create_engine, is_sqlite
from core.models import Account, AccountLink, GuardianLink
from core.models.enums import LinkMethod, Messenger

ACCOUNTS = 100_000
BURST = 10_000
# Three bursts in `make bench` (about a minute and a half each on a quiet machine) show whether
# memory is flat; JOURNAL_BENCH_BURSTS=5 for a longer look.
BURSTS = int(os.environ.get("JOURNAL_BENCH_BURSTS", "3"))
USERS = 10_000_001  # the first account's Telegram user id
CHUNK = 5_000  # rows per INSERT
CONCURRENCY = 8
GROWTH_MIB = 5.0
GOAL_MIB = 200.0
MIX = (
    ("/marks", 40.0),
    ("/tomorrow", 30.0),
    ("/term", 7.5),
    ("/homework", 7.5),
    ("/timetable", 7.5),
    ("/attendance", 7.5),
)
ROOT = Path(__file__).resolve().parent.parent


# --- the accounts ----------------------------------------------------------------------------


async def insert_accounts(engine: AsyncEngine, count: int) -> dict[str, Any]:
    """``count`` accounts linked to the school's guardians in turn, by bulk INSERT."""
    started = time.perf_counter()
    async with engine.begin() as connection:
        pairs = (
            await connection.execute(
                select(GuardianLink.guardian_id, GuardianLink.student_id).order_by(
                    GuardianLink.guardian_id, GuardianLink.student_id
                )
            )
        ).all()
        if not pairs:
            raise RuntimeError("the demo school has no guardians")
        first = await connection.scalar(select(func.coalesce(func.max(Account.id), 0)))
        link_first = await connection.scalar(select(func.coalesce(func.max(AccountLink.id), 0)))
        for start in range(0, count, CHUNK):
            numbers = range(start, min(count, start + CHUNK))
            accounts = []
            links = []
            for n in numbers:
                guardian, student = pairs[n % len(pairs)]
                account_id = int(first or 0) + 1 + n
                accounts.append(
                    {
                        "id": account_id,
                        "messenger": Messenger.TELEGRAM,
                        "user_key": str(USERS + n),
                        "chat_key": str(USERS + n),
                        "locale": "ru",
                        "is_active": True,
                        "consent_given_at": NOW,
                        "current_student_id": student,
                        "created_at": NOW,
                    }
                )
                links.append(
                    {
                        "id": int(link_first or 0) + 1 + n,
                        "account_id": account_id,
                        "guardian_id": guardian,
                        "method": LinkMethod.INVITE,
                        "linked_at": NOW,
                    }
                )
            await connection.execute(insert(Account), accounts)
            await connection.execute(insert(AccountLink), links)
        if not is_sqlite(str(engine.url)):
            for table, column in (("accounts", Account.id), ("account_links", AccountLink.id)):
                await connection.execute(
                    select(
                        func.setval(
                            func.pg_get_serial_sequence(table, "id"),
                            select(func.max(column)).scalar_subquery(),
                        )
                    )
                )
    if not is_sqlite(str(engine.url)):
        async with engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE accounts")
            await connection.exec_driver_sql("ANALYZE account_links")
    return {
        "accounts": count,
        "guardians": len({guardian for guardian, _ in pairs}),
        "seconds": round(time.perf_counter() - started, 2),
    }


# --- the bot's process -----------------------------------------------------------------------


def rss() -> dict[str, float]:
    """Resident memory now and at its peak, MiB (``/proc/self/status``)."""
    found: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found["rss_mib" if key == "VmRSS" else "peak_mib"] = round(
                int(value.split()[0]) / 1024, 1
            )
    return found


def _collector() -> dict[str, Any]:
    return {
        "gc_count": list(gc.get_count()),
        "gc_collections": [stats["collections"] for stats in gc.get_stats()],
        "gc_objects": len(gc.get_objects()),
    }


async def _burst(chat: Any, users: range, size: int, rng: random.Random) -> dict[str, Any]:
    """``size`` updates from random accounts, ``CONCURRENCY`` at a time."""
    texts = [name for name, _ in MIX]
    weights = [weight for _, weight in MIX]
    answers = 0
    failures = chat.failures.count
    remaining = size

    def drain() -> None:
        nonlocal answers
        answers += sum(1 for call in chat.recorder.calls if call.method == "sendMessage")
        chat.forget()

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            user = users[rng.randrange(len(users))]
            update = chat.text(user, rng.choices(texts, weights)[0])
            await chat.dp.feed_update(chat.bot, update)
            if len(chat.recorder.calls) >= 500:
                drain()

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    drain()
    return {
        "updates": size,
        "answers": answers,
        "failed": chat.failures.count - failures,
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
    }


async def feed(args: dict[str, Any]) -> dict[str, Any]:
    """The bot's side: the dispatcher, the bursts, the figures (run in the fresh process)."""
    from bench._fixtures import Chat
    from core.db import create_sessionmaker

    points: list[dict[str, Any]] = [{"at": "started"} | rss() | _collector()]
    engine = create_engine(args["url"])
    rng = random.Random(args.get("seed", 1))
    users = range(USERS, USERS + int(args["accounts"]))
    size = int(args["burst"])
    bursts: list[dict[str, Any]] = []
    trace: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="journal-memory-") as files:
        chat = Chat(create_sessionmaker(engine), Path(files))
        try:
            warm = await _burst(chat, users, max(1, size // 10), rng)
            points.append({"at": "warm-up"} | rss() | _collector() | {"figures": warm})
            for n in range(int(args["bursts"])):
                figures = await _burst(chat, users, size, rng)
                after = rss()
                gc.collect()
                collected = rss()
                point = {"at": f"burst {n + 1}"} | after | _collector()
                point["rss_after_gc_mib"] = collected["rss_mib"]
                point["figures"] = figures
                bursts.append(point)
                points.append(point)
                print(
                    f"  burst {n + 1}: RSS {after['rss_mib']} MiB "
                    f"({figures['updates']} updates in {figures['seconds']} s)",
                    file=sys.stderr,
                    flush=True,
                )
            growth = bursts[-1]["rss_mib"] - bursts[0]["rss_mib"] if bursts else 0.0
            if args.get("trace") or growth > GROWTH_MIB:
                trace = await _traced(chat, users, max(1, size // 5), rng)
        finally:
            chat.close()
            await engine.dispose()
    return {"points": points, "bursts": bursts, "trace": trace}


async def _traced(chat: Any, users: range, size: int, rng: random.Random) -> dict[str, Any]:
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.take_snapshot()
        figures = await _burst(chat, users, size, rng)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__)]
    stats = after.filter_traces(ignore).compare_to(before.filter_traces(ignore), "lineno")
    top = [
        {
            "where": f"{stat.traceback[0].filename}:{stat.traceback[0].lineno}",
            "size_diff_kib": round(stat.size_diff / 1024, 1),
            "count_diff": stat.count_diff,
        }
        for stat in stats[:10]
    ]
    return {"updates": size, "figures": figures, "top_growth": top}


async def _feed_process(args: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Run ``feed`` in a fresh interpreter (``python -m bench.memory feed``)."""
    request, answer = folder / "args.json", folder / "result.json"
    request.write_text(json.dumps(args), encoding="utf-8")
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    }
    process = await launch.python_module(
        "bench.memory",
        "feed",
        str(request),
        str(answer),
        cwd=folder,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
    )
    code = await process.wait()
    if code != 0:
        raise RuntimeError(f"the feeding process exited with {code}")
    result: dict[str, Any] = json.loads(answer.read_text(encoding="utf-8"))
    return result


async def measure(
    demo: Demo, *, accounts: int, burst: int, bursts: int, trace: bool
) -> dict[str, Any]:
    engine = create_engine(demo.url)
    try:
        inserted = await insert_accounts(engine, accounts)
    finally:
        await engine.dispose()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="journal-memory-") as folder:
        args = {
            "url": demo.url,
            "accounts": accounts,
            "burst": burst,
            "bursts": bursts,
            "trace": trace,
        }
        fed = await _feed_process(args, Path(folder))
    per_burst = [point["rss_mib"] for point in fed["bursts"]]
    growth = round(per_burst[-1] - per_burst[0], 1) if per_burst else 0.0
    peak = max(point["peak_mib"] for point in fed["points"])
    return {
        "benchmark": "memory",
        "backend": demo.backend,
        "students": demo.students,
        "marks": demo.marks,
        "inserted": inserted,
        "burst": burst,
        "bursts": bursts,
        "mix": dict(MIX),
        "concurrency": CONCURRENCY,
        "points": fed["points"],
        "rss_per_burst_mib": per_burst,
        "growth_first_to_last_mib": growth,
        "peak_mib": peak,
        "trace": fed["trace"],
        "load_average_before": [round(x, 2) for x in load_before],
        "machine": machine(),
        "goal_mib": GOAL_MIB,
        "goal_met": bool(per_burst) and peak < GOAL_MIB and growth <= GROWTH_MIB,
    }


def report(result: dict[str, Any]) -> None:
    inserted = result["inserted"]
    print(
        f"{result['backend']}: {inserted['accounts']:,} accounts on {inserted['guardians']:,} "
        f"guardians (bulk INSERT {inserted['seconds']} s), {result['students']} students; "
        f"bursts of {result['burst']:,} updates, {result['concurrency']} at a time; "
        f"load {result['machine']['load_average'][0]}"
    )
    print("| point | RSS MiB | after gc | peak | gc objects | updates/s | failed |")
    print("|---|---|---|---|---|---|---|")
    for point in result["points"]:
        figures = point.get("figures") or {}
        rate = f"{figures['updates'] / figures['seconds']:,.0f}" if figures.get("seconds") else "-"
        print(
            f"| {point['at']} | {point['rss_mib']} | {point.get('rss_after_gc_mib', '-')} | "
            f"{point['peak_mib']} | {point['gc_objects']:,} | {rate} | "
            f"{figures.get('failed', '-')} |"
        )
    verdict = "met" if result["goal_met"] else "MISSED"
    print(
        f"growth from the first burst to the last: {result['growth_first_to_last_mib']} MiB; "
        f"peak {result['peak_mib']} MiB; goal (< {result['goal_mib']:.0f} MB, flat): {verdict}"
    )
    if result["trace"]:
        print(f"tracemalloc, one burst of {result['trace']['updates']:,}: the top growth")
        for row in result["trace"]["top_growth"][:5]:
            print(f"  {row['size_diff_kib']:>9} KiB  {row['count_diff']:>7}  {row['where']}")


def memory_backends() -> list[str]:
    """SQLite unless ``JOURNAL_BENCH_MEMORY_BACKENDS`` names more: the bot's own memory hardly
    depends on the database (PostgreSQL measured 291 vs 288 MiB), and one backend's bursts take
    about eight minutes of `make bench`'s half hour."""
    names = os.environ.get("JOURNAL_BENCH_MEMORY_BACKENDS", "sqlite")
    return [name.strip() for name in names.split(",") if name.strip()]


async def run(
    *,
    accounts: int = ACCOUNTS,
    burst: int = BURST,
    bursts: int = BURSTS,
    trace: bool = False,
    students: int | None = None,
    backends: Sequence[str] | None = None,
    demo: Demo | None = None,
    out: Path | None = None,
) -> list[Path]:
    """Measure on each backend (or on ``demo`` alone); write and print the figures."""
    written: list[Path] = []
    size = students or bench_students()
    async for each in each_demo(demo, backends or memory_backends(), size):
        result = await measure(each, accounts=accounts, burst=burst, bursts=bursts, trace=trace)
        report(result)
        written.append(write_json(f"memory-{each.backend}-{each.size}.json", result, out))
    return written


def _main(request: Path, answer: Path) -> None:
    args = json.loads(request.read_text(encoding="utf-8"))
    result = asyncio.run(feed(args))
    answer.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__" and sys.argv[1:2] == ["feed"]:
    _main(Path(sys.argv[2]), Path(sys.argv[3]))
