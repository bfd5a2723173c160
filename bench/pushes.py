"""Push figures: how soon a mark written through the core reaches the chat. (How fast 2,000
pushes to 500 chats drain under Telegram's limits, with faults and restarts: ``push_budget``.)

The notifier runs as in production (its own loop, the system clock) against the local fake Bot
API from the tests, which enforces Telegram's limits with 429 answers. PostgreSQL wakes the
notifier with LISTEN/NOTIFY (its poll is set to 5 s here to show it is not the poll that
answers); SQLite has only the poll (2 s, the default). PostgreSQL is skipped when its binaries
are missing.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_i18n
from bot.notifier.pacer import PaceLimits
from bot.notifier.service import Notifier, NotifierConfig
from bot.notifier.wakeup import create_wakeup
from core import migrate
from core.clock import FrozenClock, SystemClock
from core.db import create_engine, create_sessionmaker
from core.notify.fanout import PushRules
from tests.bot import school
from tests.fake_telegram import FakeTelegram
from tests.notify.families import (
    link_account,
    mark,
    processed_everything,
    set_preferences,
    with_marks,
    write,
)
from tests.notify.notifier_kit import TZ
from tests.postgres_server import PostgresUnavailableError, running_postgres

SAMPLES = 10
PAVEL = 20


def _notifier(
    tg: FakeTelegram,
    sessions: async_sessionmaker[AsyncSession],
    url: str,
    poll: float,
    clock: SystemClock | FrozenClock,
) -> Notifier:
    bot = tg.bot(default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    config = NotifierConfig(
        rules=PushRules(timezone=TZ, window=timedelta(0)),
        limits=PaceLimits(),
        poll_interval=poll,
    )
    return Notifier(bot, sessions, clock, config, create_i18n("ru"), wakeup=create_wakeup(url))


@asynccontextmanager
async def _database(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await asyncio.to_thread(migrate.upgrade, url)
    engine = create_engine(url)
    try:
        sessions = create_sessionmaker(engine)
        await school.load(sessions)
        yield sessions
    finally:
        await engine.dispose()


async def _latency(url: str, poll: float) -> list[float]:
    """Seconds from a mark's commit to its push arriving, ``SAMPLES`` times."""
    async with _database(url) as sessions, FakeTelegram() as tg:
        tg.user(PAVEL)
        await processed_everything(sessions, school.NOW)  # only the marks written below
        account = await link_account(sessions, PAVEL, "G2")
        await set_preferences(sessions, account, quiet_from=None, quiet_to=None)
        notifier = _notifier(tg, sessions, url, poll, SystemClock())
        task = asyncio.create_task(notifier.run())
        await asyncio.sleep(1)
        figures = []
        for n in range(SAMPLES):
            before = len(tg.sent)
            await write(sessions, with_marks(mark(f"B{n}", "S3", "5")), datetime.now(UTC))
            written = time.monotonic()
            # A tight poll of the fake's record: an event would need a hook in the fake.
            while len(tg.sent) == before:  # noqa: ASYNC110
                await asyncio.sleep(0.002)
            figures.append(tg.sent[before].at - written)
            await asyncio.sleep(1.2)  # past the per-chat second
        notifier.stop()
        await task
        return figures


def _describe(name: str, figures: list[float]) -> None:
    print("  samples (ms):", " ".join(f"{f * 1000:.0f}" for f in figures))
    ms = sorted(f * 1000 for f in figures)
    print(
        f"{name}: mark committed → push at the chat: median {statistics.median(ms):.0f} ms, "
        f"max {ms[-1]:.0f} ms ({len(ms)} samples)"
    )


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite+aiosqlite:///{Path(tmp) / 'latency.db'}"
        _describe("SQLite, poll every 2 s", await _latency(sqlite_url, 2.0))
    try:
        with running_postgres() as server:
            connection = await asyncpg.connect(server.dsn())
            await connection.execute("CREATE DATABASE bench_latency")
            await connection.close()
            latency = await _latency(server.url("bench_latency"), 5.0)
            _describe("PostgreSQL, LISTEN/NOTIFY (poll 5 s)", latency)
    except PostgresUnavailableError as exc:
        print(f"PostgreSQL skipped: {exc}")
