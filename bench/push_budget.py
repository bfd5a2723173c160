"""Push budget: how much of Telegram's send budget the notifier uses, losing and repeating nothing.

A crowd of families (``CHATS`` private chats, ``EACH`` new marks each, coalescing off so every
mark is its own message) is pushed through the notifier as production runs it (``run()``, the
system clock, LISTEN/NOTIFY on PostgreSQL) against the project's fake Bot API with Telegram's
limits on: 30 messages a second overall, one a second per chat; the fake answers 429 to a send
over them. Per scenario:

- **rate / budget**: accepted messages per second from the notifier's start to the last one,
  over the configured ``per_second`` (the start includes fanning the events out); "steady" is
  the rate from the first message to the last;
- **lost** and **duplicated**: every mark is one (chat, text) pair; the fake records each
  accepted message, so a pair never seen is lost and a pair seen twice is a duplicate; the
  database must hold every delivery ``sent``;
- **429**, the most accepted messages in any one-second window and the shortest gap between
  two messages to one chat, from the fake's own record.

Scenarios: ``clean``; ``5xx`` (one send in 15 answered 500/502/503, retried after its
back-off); ``hangs`` (one send in 60 held for 3 s, under the 15 s send timeout); ``stop``
(the notifier stopped after a third of the run and a new one started on the same database);
``kill`` (``journal notifier`` processes: the first SIGKILLed after a third, the second takes
over once the first's claims, no longer renewed by its heartbeat, are past the lease; a send
that Telegram accepted but the dead process had not written back is the only thing that may
repeat — the batch in flight — and the figure says how many did).
PostgreSQL runs them all, SQLite the clean one (it is for one process).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import cast

import asyncpg
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench import launch
from bench.pushes import _database
from bot.app import create_i18n
from bot.notifier.pacer import PaceLimits
from bot.notifier.service import Notifier, NotifierConfig
from bot.notifier.wakeup import create_wakeup
from core.clock import SystemClock
from core.models import Delivery
from core.notify.fanout import PushRules
from tests.bot import school
from tests.fake_telegram import FakeTelegram
from tests.notify.crowd import add_crowd, crowd_marks
from tests.notify.families import write
from tests.notify.notifier_kit import TZ
from tests.notify.processes import ROOT, notifier_process
from tests.postgres_server import PostgresUnavailableError, running_postgres

CHATS = int(os.environ.get("JOURNAL_BENCH_PUSH_CHATS", "500"))
EACH = 4
BUDGET = 30
RESULTS = Path(__file__).parent / "results"
SCENARIOS = ("clean", "5xx", "hangs", "stop", "kill")

Injector = Callable[[FakeTelegram], Awaitable[None]]


@dataclass
class Outcome:
    scenario: str
    backend: str
    pushes: int
    budget: float
    seconds: float  # the notifier's start → the last message accepted
    rate: float
    fraction: float  # rate / budget
    steady_rate: float  # first message → last
    lost: int
    duplicated: int
    not_sent_in_db: int
    refused_429: int
    failed_requests: int  # answered 5xx (injected) or 502 (a hang cut short)
    max_in_one_second: int
    min_chat_gap: float
    repeat_bound: int | None = None  # kill: what the design allows to repeat


def _window_max(times: list[float], window: float = 1.0) -> int:
    """The most stamps in any (t - window, t] — the fake's own rule."""
    best, start = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def _chat_gap(tg: FakeTelegram) -> float:
    last: dict[object, float] = {}
    gap = float("inf")
    for sent in tg.sent:
        if sent.method != "sendMessage":
            continue
        if sent.chat_id in last:
            gap = min(gap, sent.at - last[sent.chat_id])
        last[sent.chat_id] = sent.at
    return gap


async def _not_sent(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.state != "sent")
            )
            or 0
        )


def _pairs(tg: FakeTelegram) -> Counter[tuple[object, str]]:
    return Counter(
        (sent.chat_id, sent.plain_text or "") for sent in tg.sent if sent.method == "sendMessage"
    )


def make_notifier(
    tg: FakeTelegram,
    sessions: async_sessionmaker[AsyncSession],
    url: str,
    per_second: float,
) -> Notifier:
    bot = tg.bot(default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    settings = _config(per_second)
    wakeup = create_wakeup(url)
    return Notifier(bot, sessions, SystemClock(), settings, create_i18n("ru"), wakeup=wakeup)


def _config(per_second: float) -> NotifierConfig:
    # Coalescing off: every mark its own message, so that all of them really go out.
    return NotifierConfig(
        rules=PushRules(timezone=TZ, window=timedelta(0)),
        limits=PaceLimits(per_second=per_second),
        poll_interval=2.0,
    )


async def _every(tg: FakeTelegram, sends: int, arm: Callable[[int], None]) -> None:
    """Arm a fault after every ``sends`` accepted messages, one at a time (a fault is armed
    only when the last one has struck, so none pile up while the notifier waits)."""
    armed_at, n = 0, 0
    while True:
        if not tg.pending_faults and len(tg.sent) >= armed_at + sends:
            arm(n)
            armed_at, n = len(tg.sent), n + 1
        await asyncio.sleep(0.01)


async def faults_5xx(tg: FakeTelegram) -> None:
    """A 500, 502 or 503 for one send in every 15 (about two a second at 30/s)."""
    statuses = (500, 502, 503)
    await _every(tg, 15, lambda n: tg.fail_next(1, status=statuses[n % 3], method="sendMessage"))


async def faults_hangs(tg: FakeTelegram) -> None:
    """One send in every 60 (one each two seconds at 30/s) held for 3 s, then answered."""
    await _every(tg, 60, lambda _n: tg.hang_next(1, seconds=3.0, method="sendMessage"))


async def stop(notifier: Notifier, task: asyncio.Task[None]) -> float:
    """Stop ``notifier`` and wait for its task, in bounded time: a stop waits for the sends in
    flight up to the send timeout (+1 s), so one that takes much longer than that has hung
    (once it did, for good: see ``Notifier._end``). The seconds it took."""
    started = time.monotonic()
    notifier.stop()
    await asyncio.wait_for(task, timeout=notifier.config.send_timeout + 15)
    return time.monotonic() - started


async def _until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not reached within {seconds} s")
        await asyncio.sleep(0.05)


async def scenario(
    url: str,
    name: str,
    *,
    chats: int = CHATS,
    each: int = EACH,
    per_second: float = BUDGET,
    patience: float = 600,
) -> Outcome:
    """One run of ``name`` (one of ``SCENARIOS``) on the database at ``url`` (migrated here)."""
    expected = chats * each
    async with _database(url) as sessions, FakeTelegram() as tg:
        crowd = await add_crowd(sessions, chats)
        for chat in crowd:
            tg.user(chat)
        limit = max(1, int(per_second))
        tg.limits(global_per_second=limit, per_chat_per_second=1, per_group_per_minute=20)
        await write(sessions, crowd_marks(chats, each), school.NOW)
        all_there = lambda: len(_pairs(tg)) >= expected  # noqa: E731
        injector: asyncio.Task[None] | None = None
        bound: int | None = None
        started = time.monotonic()
        if name == "kill":
            bound = await _kill_and_restart(tg, url, expected, patience)
        else:
            notifier = make_notifier(tg, sessions, url, per_second)
            task = asyncio.create_task(notifier.run())
            if name in ("5xx", "hangs"):
                inject = faults_5xx if name == "5xx" else faults_hangs
                injector = asyncio.create_task(inject(tg))
            if name == "stop":
                await _until(lambda: len(_pairs(tg)) >= expected // 3, patience)
                await stop(notifier, task)
                # A new process takes longer than this to start (importing aiogram alone takes
                # 2.5 s); the new pacer does not know the old one's last second of sends.
                await asyncio.sleep(1.0)
                notifier = make_notifier(tg, sessions, url, per_second)
                task = asyncio.create_task(notifier.run())
            try:
                await _until(all_there, patience)
            finally:
                if injector is not None:
                    injector.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await injector
            # The last answers are written back a moment later; a straggler would show now.
            for _ in range(100):
                if not await _not_sent(sessions):
                    break
                await asyncio.sleep(0.1)
            await stop(notifier, task)
        pairs = _pairs(tg)
        times = sorted(s.at for s in tg.sent if s.method == "sendMessage")
        seconds = times[-1] - started
        rate = expected / seconds
        return Outcome(
            scenario=name,
            backend="postgresql" if url.startswith("postgresql") else "sqlite",
            pushes=expected,
            budget=per_second,
            seconds=round(seconds, 2),
            rate=round(rate, 2),
            fraction=round(rate / per_second, 3),
            steady_rate=round((len(times) - 1) / (times[-1] - times[0]), 2),
            lost=expected - len(pairs),
            duplicated=sum(n - 1 for n in pairs.values()),
            not_sent_in_db=await _not_sent(sessions),
            refused_429=tg.too_many_requests,
            failed_requests=sum(1 for f in tg.failures if f.status >= 500),
            max_in_one_second=_window_max(times),
            min_chat_gap=round(_chat_gap(tg), 3),
            repeat_bound=bound,
        )


async def _fresh_notifier(
    tg: FakeTelegram, url: str, started: list[asyncio.subprocess.Process]
) -> asyncio.subprocess.Process:
    """``journal notifier`` in a fresh interpreter, as a school's server restarts one (not the
    test suite's fork server): the restart's own delay is part of what is measured."""
    *_command, env = notifier_process(
        tg, url, NOTIFIER_LEASE_SECONDS="3", NOTIFIER_POLL_SECONDS="0.5", PUSH_COALESCE_SECONDS="0"
    )
    process: asyncio.subprocess.Process = await launch.python_module(
        "bot",
        "notifier",
        env=cast(dict[str, str], env),
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    started.append(process)
    return process


async def _kill_and_restart(tg: FakeTelegram, url: str, expected: int, patience: float) -> int:
    """Two ``journal notifier`` processes: the first killed (SIGKILL) after a third of the
    pushes, the second started at once; returns how many the design allows to repeat: what
    the first had claimed and not written back (its queue and its requests under way)."""
    processes: list[asyncio.subprocess.Process] = []
    try:
        first = await _fresh_notifier(tg, url, processes)
        await _until(lambda: len(_pairs(tg)) >= expected // 3, patience)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        await _fresh_notifier(tg, url, processes)
        await _until(lambda: len(_pairs(tg)) >= expected, patience)
        await asyncio.sleep(1)  # a straggler would show now
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), 40)
            if process.returncode is None:
                process.kill()
                await process.wait()
    config = _config(BUDGET)
    return config.queue_limit + config.max_in_flight


def _write(path: Path, outcomes: list[Outcome]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps([asdict(o) for o in outcomes], indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def describe(outcome: Outcome) -> str:
    o = outcome
    extra = "" if o.repeat_bound is None else f" (bound {o.repeat_bound})"
    return (
        f"{o.backend:10} {o.scenario:6} {o.pushes} pushes in {o.seconds:6.1f} s: "
        f"{o.rate:5.2f}/s = {o.fraction:.3f} of {o.budget:g}/s (steady {o.steady_rate:.2f}); "
        f"lost {o.lost}, duplicated {o.duplicated}{extra}, unsent in db {o.not_sent_in_db}, "
        f"429 {o.refused_429}, 5xx {o.failed_requests}, max {o.max_in_one_second} in 1 s, "
        f"min chat gap {o.min_chat_gap:.3f} s"
    )


async def run(scenarios: tuple[str, ...] = SCENARIOS, out: Path | None = RESULTS) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory() as tmp:
        outcome = await scenario(f"sqlite+aiosqlite:///{Path(tmp) / 'budget.db'}", "clean")
        print(describe(outcome), flush=True)
        outcomes.append(outcome)
    try:
        with running_postgres() as server:
            for name in scenarios:
                database = f"bench_budget_{name}"
                connection = await asyncpg.connect(server.dsn())
                await connection.execute(f'CREATE DATABASE "{database}"')
                await connection.close()
                # The clean run is the budget figure; the faults need fewer pushes to show
                # they lose and repeat nothing (and keep `make bench` within its half hour).
                chats = CHATS if name == "clean" else CHATS // 2
                outcome = await scenario(server.url(database), name, chats=chats)
                print(describe(outcome), flush=True)
                outcomes.append(outcome)
    except PostgresUnavailableError as exc:
        print(f"PostgreSQL skipped: {exc}")
    if out is not None:
        await asyncio.to_thread(_write, out / "push_budget.json", outcomes)
    return outcomes
