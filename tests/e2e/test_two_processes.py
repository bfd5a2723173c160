"""Two ``journal run`` processes in webhook mode behind the test, sharing a real Redis
(``REDIS_URL``) and the database, as two processes behind a load balancer: the test is the
balancer and sends each update to the process it chooses.

A consent started on process A (``/start CODE``) finishes on process B (the "agree" button),
after A was killed; one user's updates alternated between A and B are throttled as one
user's. Both databases (two processes on SQLite only work on one machine; on PostgreSQL they
are the deployment the compose profile ``scale`` describes).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.linking.invites import issue_invites
from core.models.enums import Role
from tests.bot.conftest import sessions
from tests.bot.helpers import AGREE
from tests.fake_telegram import FakeTelegram
from tests.forkserver import Forked
from tests.notify.processes import START_PATIENCE, processes, start
from tests.redis_server import free_port, redis_server, redis_url

__all__ = ["processes", "redis_server", "redis_url", "sessions"]

ROOT = Path(__file__).resolve().parents[2]
SECRET = "two-processes-secret"  # noqa: S105 - a test value
# The production throttle (bot/app.py BotConfig): 8 updates at once, then 2 a second.
BURST, RATE = 8, 2.0


def bot_process(tg: FakeTelegram, db_url: str, redis: str, port: int) -> list[str | dict[str, str]]:
    return [
        sys.executable,
        "-m",
        "bot",
        "run",
        {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("BOT_", "WEBHOOK_", "MAX_", "REDIS_"))
            },
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": tg.default_token,
            "BOT_API_URL": tg.base_url,
            "DATABASE_URL": db_url,
            "REDIS_URL": redis,
            "WEBHOOK_URL": "https://bot.example.org",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "RUN_NOTIFIER": "false",  # pushes are not this test's; a notifier would only add load
            "LOG_LEVEL": "WARNING",
        },
    ]


async def _up(port: int) -> bool:
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/health") as answer,
        ):
            return answer.status == 200
    except aiohttp.ClientError:
        return False


async def _wait_up(process: Forked, port: int) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_PATIENCE
    while not await _up(port):
        if process.returncode is not None:
            assert process.stderr is not None
            raise AssertionError((await process.stderr.read()).decode()[-3000:])
        assert loop.time() < deadline, f"journal run on port {port} did not come up"
        await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def two_bots(
    tg: FakeTelegram,
    db_url: str,
    redis: str,
    started: list[Forked],
) -> AsyncIterator[list[tuple[Forked, int]]]:
    bots = []
    for _ in range(2):
        port = free_port()
        bots.append((await start(started, bot_process(tg, db_url, redis, port)), port))
    for process, port in bots:
        await _wait_up(process, port)
    yield bots


def taken(tg: FakeTelegram) -> dict[int, dict[str, Any]]:
    """The fake's pending updates by id, off its queue: nobody polls in webhook mode."""
    updates = {u["update_id"]: u for u in tg.pending_updates}
    tg.world.queue.drop_all()
    return updates


async def post(port: int, update: dict[str, Any]) -> None:
    """Telegram's webhook call, to the process the test (the balancer) chose."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"http://127.0.0.1:{port}/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        ) as answer,
    ):
        assert answer.status == 200


async def deliver(tg: FakeTelegram, update_id: int, port: int) -> None:
    await post(port, taken(tg)[update_id])


async def invite_now(sessions: async_sessionmaker[AsyncSession], person: str) -> str:
    """A code valid by the processes' real clock (the tiny school's NOW is a fixed day)."""
    now = datetime.now(UTC)
    async with sessions() as session:
        issued = await issue_invites(
            session,
            now=now,
            today=now.date(),
            person=person,
            role=Role.GUARDIAN,
            ttl=timedelta(days=30),
        )
        await session.commit()
    code: str = issued[0].code
    return code


def _messages_to(chat: int) -> Any:
    return lambda s: s.method == "sendMessage" and s.chat_id == chat


async def test_a_consent_started_on_one_process_finishes_on_the_other_and_one_throttle_holds(
    db_url: str,
    sessions: async_sessionmaker[AsyncSession],
    redis_url: str,
    processes: list[Forked],
) -> None:
    async with FakeTelegram() as tg, two_bots(tg, db_url, redis_url, processes) as bots:
        (a, port_a), (_b, port_b) = bots

        # One user's flood, alternated between the processes, spends one bucket.
        flooder = tg.user(500, "Flood", language_code="en")
        for _ in range(2 * BURST):
            await tg.send_text(flooder, "/help")
        flood = list(taken(tg).values())
        began = time.monotonic()  # the fake's clock for ``Sent.at``
        await asyncio.gather(
            *[post(port_a if n % 2 else port_b, update) for n, update in enumerate(flood)]
        )
        await asyncio.sleep(3)  # every update handled (or dropped) by now; none was refused
        answers = [s for s in tg.sent if _messages_to(flooder.id)(s)]
        helps = [s for s in answers if "What I can do" in (s.text or "")]
        warnings = [s for s in answers if "Too many requests" in (s.text or "")]
        texts = [s.text for s in answers]
        # One bucket: its 8 tokens, and those refilled (2 a second) before the last answer —
        # each refill may also end a warned spell, so a refusal after it warns again. In memory
        # each process would have a bucket of its own: all 16 answered, no warning.
        refilled = int(RATE * (max(s.at for s in answers) - began))
        assert BURST <= len(helps) <= BURST + refilled, (refilled, texts)
        assert 1 <= len(warnings) <= 1 + refilled, (refilled, texts)
        assert len(helps) < 2 * BURST, texts

        # A consent begun on A; A dies; the button reaches B, which finds the code in Redis.
        olga = tg.user(10, "Ольга")
        code = await invite_now(sessions, "G1")
        await deliver(tg, await tg.send_text(olga, f"/start {code}"), port_a)
        [consent] = await tg.wait_for(_messages_to(olga.id), timeout=60)
        assert "152-ФЗ" in (consent.text or "")
        a.kill()
        await a.wait()
        await deliver(tg, await tg.press(olga, consent, AGREE), port_b)
        [linked] = await tg.wait_for(_messages_to(olga.id), timeout=60)
        assert "Анна Иванова" in (linked.text or ""), linked.text
