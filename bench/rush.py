"""The evening rush: hundreds of linked families ask ``/marks`` and ``/tomorrow`` within 30 s.

The real ``journal run`` (``bot.runtime.run``: long polling, the middlewares, the routers, the
notifier and the scheduled jobs) runs as a **subprocess** (``python -m bench.rush serve``, the
same call as ``journal run`` with the clock frozen on the demo's Monday evening, 19:00 at the
school) against the tests' fake Bot API (``tests/fake_telegram``) in this process, with
Telegram's limits on (30 messages a second overall, 1 a second per chat). The demo school of
``JOURNAL_BENCH_STUDENTS`` pupils (``bench/_fixtures.py``) on each backend; its import's own
pushes are marked handled; ``families`` single-child guardians are linked beforehand
(``tests.notify.families.link_account``, an account and its link rows).

The rush: ``2 × families`` questions spaced evenly over ``seconds`` (300 families in 30 s: one
every 50 ms, 20 a second, under the 30 messages a second budget). Families ask in groups: a
group's ``/marks`` first, then the same group's ``/tomorrow``, so one family's two questions are
at least 2 s apart (Telegram's 1 message a second per chat; the bot's throttle allows 8 at once).
Before the rush one more linked family asks both questions once (a bot in service is warm).

Measured per question, on one clock (``time.monotonic()``): from the moment the fake queues the
user's update (``send_text``) to the fake's record of the bot's first message into that chat
after it (``Sent.at``; a chat's answers are matched to its questions in order). A question with
no answer ``WAIT`` seconds after the last one is lost. Also: sends answered 429, other refused
calls, the error lines of the bot's log, and the bot process's CPU (``/proc/<pid>/stat``, user +
system) from the first question to the last answer. ``JOURNAL_RUSH_PYSPY=FILE`` records the bot
with py-spy during the rush (collapsed stacks). Goal: none lost, p99 under 1 s.
Results: ``bench/results/rush-<backend>-<students>.json``.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench import launch
from bench._fixtures import (
    Demo,
    bench_backends,
    bench_students,
    each_demo,
    families,
    machine,
    percentile,
    write_json,
)
from core.db import create_engine, create_sessionmaker
from core.models import Account, AccountLink, Guardian, School
from core.models.enums import LinkMethod, Messenger

FAMILIES = 300
SECONDS = 30.0
USERS = 700_001  # the first family's Telegram user id
MIN_GAP = 2.0  # seconds between one family's two questions, at least (when there are enough)
WAIT = 30.0  # after the last question, for the last answers
START_TIMEOUT = 90.0  # for the subprocess to start polling (imports take seconds under load)
# The demo's Monday 30.11.2026, 19:00 at the school (UTC+5): the evening, tomorrow a school day.
EVENING = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
GOAL_P99_MS = 1000.0
ANSWERS = ("sendMessage", "sendPhoto", "sendDocument")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Question:
    user: int
    text: str
    at: float  # planned, seconds from the start
    queued: float = 0.0  # time.monotonic() when the fake queued the update
    answered: float | None = None

    @property
    def ms(self) -> float | None:
        return None if self.answered is None else (self.answered - self.queued) * 1000


def schedule(users: list[int], seconds: float) -> list[Question]:
    """Two questions a family, evenly spaced over ``seconds``; groups of families ask
    ``/marks`` then ``/tomorrow``, so a family's two questions are ``MIN_GAP`` apart or more
    (or as far apart as the families allow)."""
    count = 2 * len(users)
    step = seconds / count
    smallest = max(1, math.ceil(MIN_GAP / step))
    groups = max(1, len(users) // smallest)  # near-equal groups, none under the smallest
    order: list[tuple[int, str]] = []
    for n in range(groups):
        members = users[n * len(users) // groups : (n + 1) * len(users) // groups]
        order += [(user, "/marks") for user in members]
        order += [(user, "/tomorrow") for user in members]
    return [Question(user, text, n * step) for n, (user, text) in enumerate(order)]


def match(questions: list[Question], sent: list[Any]) -> None:
    """Each question's first answer: a chat's messages after it, in order, one per question."""
    by_chat: dict[int, list[float]] = {}
    for record in sent:
        if record.method in ANSWERS and isinstance(record.chat_id, int):
            by_chat.setdefault(record.chat_id, []).append(record.at)
    asked: dict[int, list[Question]] = {}
    for question in questions:
        asked.setdefault(question.user, []).append(question)
    for user, mine in asked.items():
        times = sorted(by_chat.get(user, []))
        used = 0
        for question in sorted(mine, key=lambda q: q.queued):
            while used < len(times) and times[used] < question.queued:
                used += 1
            if used < len(times):
                question.answered = times[used]
                used += 1
            else:
                question.answered = None


async def link_guardians(
    sessions: async_sessionmaker[AsyncSession], guardians: list[str]
) -> list[int]:
    """An account (consent given, Russian) linked by invite to each guardian, as
    ``tests.notify.families.link_account`` links one (the demo's guardians are ``P…``, which
    it does not take); user ids from ``USERS`` on, in the order given."""
    async with sessions() as session:
        ids = dict(
            (
                await session.execute(
                    select(Guardian.external_id, Guardian.id).where(
                        Guardian.external_id.in_(guardians),
                        # The imported school's (copies have the same ids: JOURNAL_BENCH_SCHOOLS).
                        Guardian.school_id == select(func.min(School.id)).scalar_subquery(),
                    )
                )
            ).all()
        )
        users = []
        for n, guardian in enumerate(guardians):
            user = USERS + n
            account = Account(
                messenger=Messenger.TELEGRAM,
                user_key=str(user),
                chat_key=str(user),
                locale="ru",
                consent_given_at=EVENING,
            )
            session.add(account)
            await session.flush()
            session.add(
                AccountLink(
                    account_id=account.id, method=LinkMethod.INVITE, guardian_id=ids[guardian]
                )
            )
            users.append(user)
        await session.commit()
    return users


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` (and its reaped children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the name: state is field 3, utime 14, stime 15, cutime 16, cstime 17 (1-based).
    return sum(int(fields[n]) for n in (11, 12, 13, 14)) / CLOCK_TICKS


@contextlib.asynccontextmanager
async def bot_process(url: str, api_url: str, token: str, files: Path, log: Path) -> Any:
    """``journal run`` as a subprocess (``python -m bench.rush serve``), stopped by SIGTERM."""
    env = os.environ | {
        "DATABASE_URL": url,
        "BOT_TOKEN": token,
        "BOT_API_URL": api_url,
        "FILES_DIR": str(files),
        "LOG_LEVEL": "WARNING",
        "JOURNAL_RUSH_NOW": EVENING.isoformat(),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    with log.open("wb") as stderr:
        process = await launch.python_module(
            "bench.rush",
            "serve",
            cwd=files,  # no .env of the developer's is read
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 20)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def _wait_polling(tg: Any, process: Any, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not tg.calls("getUpdates"):
        if process.returncode is not None or time.monotonic() > deadline:
            said = await asyncio.to_thread(log.read_text, errors="replace")
            raise RuntimeError(f"the bot did not start polling ({process.returncode}):\n{said}")
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # the command menu is published on start-up


async def _warm_up(tg: Any, person: Any) -> None:
    """One more family asks both questions first, as a bot in service has been asked before:
    the first answers pay for compiling statements and loading locale data."""
    for text in ("/marks", "/tomorrow"):
        await tg.send_text(person, text)
        await tg.wait_for(person, 1, START_TIMEOUT)
        await asyncio.sleep(1.1)  # Telegram's one message a second per chat


async def _profiler(pid: int) -> Any:
    """``py-spy record`` of the bot during the rush, when ``JOURNAL_RUSH_PYSPY`` names a file
    (collapsed stacks, ``--format raw``); py-spy must be installed beside this Python."""
    target = os.environ.get("JOURNAL_RUSH_PYSPY")
    if not target:
        return None
    spy = Path(sys.executable).with_name("py-spy")
    return await asyncio.create_subprocess_exec(
        str(spy),
        "record",
        "--pid",
        str(pid),
        "--format",
        "raw",
        "--rate",
        "200",
        "--nonblocking",
        "--output",
        target,
        stdout=asyncio.subprocess.DEVNULL,
    )


async def _ask(tg: Any, people: dict[int, Any], questions: list[Question]) -> float:
    """Queue every question at its planned time; returns the time the rush started."""
    started = time.monotonic()
    for question in questions:
        delay = started + question.at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        question.queued = time.monotonic()
        await tg.send_text(people[question.user], question.text)
    return started


async def _answered(tg: Any, questions: list[Question], deadline: float) -> None:
    while True:
        match(questions, tg.sent)
        if all(q.answered is not None for q in questions) or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.1)


def _figures(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None}
    return {
        "p50_ms": round(percentile(values, 0.5), 1),
        "p90_ms": round(percentile(values, 0.9), 1),
        "p99_ms": round(percentile(values, 0.99), 1),
        "max_ms": round(max(values), 1),
    }


async def measure(demo: Demo, *, count: int, seconds: float) -> dict[str, Any]:
    from tests.fake_telegram import FakeTelegram
    from tests.notify.families import processed_everything

    engine = create_engine(demo.url)
    try:
        sessions = create_sessionmaker(engine)
        await processed_everything(sessions, EVENING)  # the import's own pushes: not now
        chosen = await families(sessions, count + 1)  # the last one warms the bot up
        linking = time.perf_counter()
        *users, warmer = await link_guardians(sessions, [family.guardian for family in chosen])
        linking = time.perf_counter() - linking
    finally:
        await engine.dispose()
    questions = schedule(users, seconds)
    with tempfile.TemporaryDirectory(prefix="journal-rush-") as folder:
        log = Path(folder) / "bot.log"
        async with FakeTelegram() as tg:
            tg.limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
            people = {user: tg.user(user, "Родитель") for user in users}
            warming = tg.user(warmer, "Родитель")
            async with bot_process(
                demo.url, tg.base_url, tg.default_token, Path(folder), log
            ) as bot:
                await _wait_polling(tg, bot, log)
                await _warm_up(tg, warming)
                profiler = await _profiler(bot.pid)
                refused_before = tg.too_many_requests
                failures_before = len(tg.failures)
                cpu_before = _cpu_seconds(bot.pid)
                load_before = os.getloadavg()
                started = await _ask(tg, people, questions)
                asked_for = time.monotonic() - started
                await _answered(tg, questions, time.monotonic() + WAIT)
                answered_at = [q.answered for q in questions if q.answered is not None]
                ended = max(answered_at, default=time.monotonic())
                cpu = _cpu_seconds(bot.pid) - cpu_before
                refused = tg.too_many_requests - refused_before
                failures = tg.failures[failures_before:]
                load_after = os.getloadavg()
                if profiler is not None:
                    profiler.send_signal(signal.SIGINT)
                    await profiler.wait()
                sent_to_families = [
                    s for s in tg.sent if s.method in ANSWERS and s.chat_id in people
                ]
            text = log.read_text(encoding="utf-8", errors="replace")
            if keep := os.environ.get("JOURNAL_RUSH_LOG"):  # the bot's whole log, kept
                await asyncio.to_thread(Path(keep).write_text, text, encoding="utf-8")
            errors = [
                line
                for line in text.splitlines()
                if " ERROR " in line or line.startswith("Traceback")
            ]
    latencies = [q.ms for q in questions if q.ms is not None]
    by_command = {
        text: _figures([q.ms for q in questions if q.text == text and q.ms is not None])
        for text in ("/marks", "/tomorrow")
    }
    lost = sum(1 for q in questions if q.answered is None)
    wall = ended - started
    result = {
        "benchmark": "rush",
        "backend": demo.backend,
        "students": demo.students,
        "marks": demo.marks,
        "bot": "subprocess: python -m bench.rush serve (bot.runtime.run, polling, notifier on)",
        "families": len(users),
        "questions": len(questions),
        "planned_seconds": seconds,
        "asked_in_seconds": round(asked_for, 2),
        "questions_per_second": round(len(questions) / asked_for, 1) if asked_for else None,
        "linking_seconds": round(linking, 2),
        "answered": len(latencies),
        "lost": lost,
        "latency": _figures(latencies),
        "by_command": by_command,
        "messages_to_families": len(sent_to_families),
        "answered_429": refused,
        "refused_calls": [f"{f.method} {f.status} {f.description}" for f in failures][:20],
        "refused_count": len(failures),
        "bot_errors": len(errors),
        "bot_error_lines": errors[:10],
        "bot_log_tail": text[-3000:] if errors else "",
        "bot_cpu_seconds": round(cpu, 2),
        "bot_cpu_percent": round(100 * cpu / wall, 1) if wall > 0 else None,
        "rush_wall_seconds": round(wall, 2),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "machine": machine(),
        "goal_p99_ms": GOAL_P99_MS,
        "goal_met": lost == 0 and bool(latencies) and percentile(latencies, 0.99) < GOAL_P99_MS,
        "samples_ms": [None if q.ms is None else round(q.ms, 1) for q in questions],
    }
    return result


def report(result: dict[str, Any]) -> None:
    figures = result["latency"]

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:,.0f} ms"

    print(
        f"{result['backend']}: {result['families']} families, {result['questions']} questions "
        f"in {result['asked_in_seconds']} s ({result['questions_per_second']}/s), "
        f"{result['students']} students, {result['marks']:,} marks; load "
        f"{result['load_average_before'][0]} → {result['load_average_after'][0]}"
    )
    print("| question → first reply | p50 | p90 | p99 | max |")
    print("|---|---|---|---|---|")
    rows = [("all", figures), *result["by_command"].items()]
    for name, row in rows:
        print(
            f"| {name} | {ms(row['p50_ms'])} | {ms(row['p90_ms'])} | "
            f"{ms(row['p99_ms'])} | {ms(row['max_ms'])} |"
        )
    verdict = "met" if result["goal_met"] else "MISSED"
    print(
        f"lost {result['lost']}, 429 {result['answered_429']}, other refusals "
        f"{result['refused_count'] - result['answered_429']}, bot errors {result['bot_errors']}; "
        f"bot CPU {result['bot_cpu_seconds']} s over {result['rush_wall_seconds']} s "
        f"({result['bot_cpu_percent']} % of a core); goal (0 lost, p99 < 1 s): {verdict}"
    )


async def run(
    *,
    families: int = FAMILIES,
    seconds: float = SECONDS,
    students: int | None = None,
    backends: Sequence[str] | None = None,
    demo: Demo | None = None,
    out: Path | None = None,
) -> list[Path]:
    """The rush on each backend (or on ``demo`` alone); write and print the figures."""
    count = families
    written: list[Path] = []
    size = students or bench_students()
    async for each in each_demo(demo, backends or bench_backends(), size):
        result = await measure(each, count=count, seconds=seconds)
        report(result)
        written.append(write_json(f"rush-{each.backend}-{each.size}.json", result, out))
    return written


def serve() -> None:
    """The bot process: ``journal run`` with the clock frozen at ``JOURNAL_RUSH_NOW``."""
    import logging

    from bot import runtime
    from bot.settings import Settings
    from core.clock import FrozenClock

    settings = Settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    now = datetime.fromisoformat(os.environ["JOURNAL_RUSH_NOW"])
    if os.environ.get("JOURNAL_RUSH_POOL"):
        _watch_pool(runtime)
    asyncio.run(runtime.run(settings, FrozenClock(now)))


def _watch_pool(runtime: Any) -> None:
    """A diagnostic (``JOURNAL_RUSH_POOL=1``): the engine's pool status in the log twice a
    second, to tell waiting for a connection from waiting for the database."""
    import logging

    made = runtime.create_engine

    def create_engine(url: str, **kwargs: Any) -> Any:
        engine = made(url, **kwargs)

        async def watch() -> None:
            while True:
                logging.getLogger("bench.rush.pool").warning("pool %s", engine.pool.status())
                await asyncio.sleep(0.5)

        asyncio.get_running_loop().create_task(watch())
        return engine

    runtime.create_engine = create_engine


if __name__ == "__main__" and sys.argv[1:] == ["serve"]:
    serve()
