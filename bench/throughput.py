"""Updates per second through the whole middleware stack: ``/marks`` and ``/tomorrow`` against an
echo handler on the same dispatcher, in the same run.

The demo school of ``JOURNAL_BENCH_STUDENTS`` pupils (see ``bench/_fixtures.py``; default
2,800) on each backend; 8 guardians of 7th-graders link their chats with school codes. The
production dispatcher (``bot.app.create_dispatcher``) gets one more handler, registered on the
dispatcher itself so that it is tried before every router: ``/echo`` answers its own text. It
passes the same middlewares — a database session committed at the end, the account and its links
loaded, the locale, the throttle (opened wide), the private-chat guard — so it is the floor the
framework and the stack leave for the journal's own work. A bare aiogram ``Dispatcher`` with the
same echo handler and nothing else is measured too, for reference.

Each case is fed for ``JOURNAL_BENCH_SECONDS`` (default 5) of feeding time: one update at a time
(``feed_update`` awaited in turn, one core's worth at most), and 8 at a time (8 families asking
together, as polling hands updates to tasks). Updates are built, mounted on the bot, outside the
timed part. CPU is the process's (``time.process_time``: the event loop and aiosqlite's thread;
not PostgreSQL's server); 1000 / CPU ms is what one core would do if the process had it to itself
(``cpu_bound_per_second``: the machine is shared). The figures go to
``bench/results/throughput-<backend>-<size>.json`` (size: ``2800``, or ``2800x96`` for 96 schools).
Goal: at least 2,000 ``/marks`` a second on one core.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiogram import Dispatcher
from aiogram.filters import Command
from aiogram.types import Message, Update

from bench._fixtures import (
    Chat,
    Demo,
    bench_backends,
    bench_students,
    each_demo,
    env_int,
    families,
    machine,
    write_json,
)
from core.db import create_engine, create_sessionmaker

USERS = 8001  # the first family's Telegram user id
FAMILIES = 8
BATCH = 50
WARMUP = 40
GOAL_MARKS_PER_SECOND = 2000
CASES = ("/echo", "/marks", "/tomorrow")


async def _echo(message: Message) -> None:
    await message.answer(message.text or "")


def _bare() -> Dispatcher:
    """aiogram alone: a dispatcher with the echo handler and no middleware."""
    dp = Dispatcher()
    dp.message.register(_echo, Command("echo"))
    return dp


async def _feed(dp: Dispatcher, chat: Chat, updates: list[Update], concurrency: int) -> None:
    if concurrency == 1:
        for update in updates:
            await dp.feed_update(chat.bot, update)
        return

    async def worker(share: list[Update]) -> None:
        for update in share:
            await dp.feed_update(chat.bot, update)

    await asyncio.gather(*(worker(updates[n::concurrency]) for n in range(concurrency)))


async def _rate(
    dp: Dispatcher,
    chat: Chat,
    text: str,
    users: list[int],
    concurrency: int,
    pace: tuple[float, int, int],
) -> dict[str, Any]:
    """Feed ``text`` from ``users`` in turn for ``seconds`` of feeding time, in batches."""
    seconds, batch_size, warmup = pace
    failures = chat.failures.count
    warm = [chat.text(users[n % len(users)], text) for n in range(warmup)]
    await _feed(dp, chat, warm, concurrency)
    chat.forget()
    wall = cpu = 0.0
    done = 0
    while wall < seconds:
        batch = [chat.text(users[n % len(users)], text) for n in range(batch_size)]
        started, started_cpu = time.perf_counter(), time.process_time()
        await _feed(dp, chat, batch, concurrency)
        wall += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
        done += len(batch)
        answers = sum(1 for call in chat.recorder.calls if call.method == "sendMessage")
        chat.forget()
        if answers < len(batch):
            raise RuntimeError(f"{text}: {len(batch) - answers} of {len(batch)} not answered")
    return {
        "updates": done,
        "seconds": round(wall, 3),
        "per_second": round(done / wall, 1),
        "cpu_ms_per_update": round(cpu * 1000 / done, 3),
        # What one core would do if this process had it to itself (the machine is shared).
        "cpu_bound_per_second": round(done / cpu, 1) if cpu else None,
        "failed": chat.failures.count - failures,
    }


async def measure(
    demo: Demo, *, seconds: float, batch: int = BATCH, warmup: int = WARMUP
) -> dict[str, Any]:
    pace = (seconds, batch, warmup)
    engine = create_engine(demo.url)
    sessions = create_sessionmaker(engine)
    with tempfile.TemporaryDirectory(prefix="journal-bench-files-") as files:
        chat = Chat(sessions, Path(files))
        try:
            chat.dp.message.register(_echo, Command("echo"))
            users = []
            for n, family in enumerate(await families(sessions, FAMILIES)):
                await chat.link(USERS + n, family)
                users.append(USERS + n)
            cases: dict[str, Any] = {}
            bare = _bare()
            cases["bare aiogram /echo"] = {"1": await _rate(bare, chat, "/echo", users, 1, pace)}
            for text in CASES:
                cases[text] = {
                    str(concurrency): await _rate(chat.dp, chat, text, users, concurrency, pace)
                    for concurrency in (1, FAMILIES)
                }
        finally:
            chat.close()
            await engine.dispose()
    echo = cases["/echo"]["1"]["per_second"]
    ratios = {
        text: round(cases[text]["1"]["per_second"] / echo, 3) for text in ("/marks", "/tomorrow")
    }
    return {
        "benchmark": "throughput",
        "backend": demo.backend,
        "students": demo.students,
        "schools": demo.schools,
        "marks": demo.marks,
        "seconds_per_case": seconds,
        "families": FAMILIES,
        "machine": machine(),
        "cases": cases,
        "ratio_to_echo": ratios,
        "goal_marks_per_second": GOAL_MARKS_PER_SECOND,
        "goal_met": cases["/marks"]["1"]["per_second"] >= GOAL_MARKS_PER_SECOND,
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"{result['backend']}: {result.get('schools', 1)} × {result['students']} students, "
        f"{result['marks']:,} marks; "
        f"updates/s (CPU ms per update): one at a time | {result['families']} at a time"
    )
    for name, by in result["cases"].items():
        line = f"{name:<20}"
        for concurrency, figures in by.items():
            failed = f", {figures['failed']} FAILED" if figures["failed"] else ""
            line += (
                f"  {concurrency}: {figures['per_second']:>6,.0f}/s "
                f"({figures['cpu_ms_per_update']:.2f} ms CPU{failed})"
            )
        print(line)
    marks = result["cases"]["/marks"]["1"]
    print(f"/marks with a core to itself (1000 / CPU ms): {marks['cpu_bound_per_second']:,.0f}/s")
    ratios = result["ratio_to_echo"]
    verdict = "met" if result["goal_met"] else "MISSED"
    print(
        f"/marks is {ratios['/marks']:.2f} of the echo floor, /tomorrow {ratios['/tomorrow']:.2f}; "
        f"goal {result['goal_marks_per_second']:,} /marks a second: {verdict}"
    )


async def run(
    *,
    students: int | None = None,
    seconds: float | None = None,
    batch: int = BATCH,
    warmup: int = WARMUP,
    backends: Sequence[str] | None = None,
    demo: Demo | None = None,
    out: Path | None = None,
) -> list[Path]:
    """Measure on each backend (or on ``demo`` alone); write and print the figures."""
    students = students or bench_students()
    seconds = seconds or float(env_int("JOURNAL_BENCH_SECONDS", 5))
    written: list[Path] = []
    async for each in each_demo(demo, backends or bench_backends(), students):
        result = await measure(each, seconds=seconds, batch=batch, warmup=warmup)
        report(result)
        name = f"throughput-{each.backend}-{each.size}.json"
        written.append(write_json(name, result, out))
    return written
