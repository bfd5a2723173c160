"""Notifier processes for the acceptance tests: started as ``journal notifier`` against the fake
Bot API, killed or stopped by the test, and what reached the chats."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_telegram import FakeTelegram
from tests.forkserver import PIPE, Forked, spawn

ROOT = Path(__file__).resolve().parents[2]
# How long a notifier process may take to start and get going: seconds on a quiet machine, but
# a loaded 2-core CI box (imports, migrations, PostgreSQL beside) once needed more than 60 s.
START_PATIENCE = 180.0


def telegram_for(tg: FakeTelegram, chats: list[int], per_second: int = 30) -> None:
    """Every crowd chat exists, and Telegram's limits are on (30/s unless a test raises the
    overall one to run in seconds, 1/s per chat)."""
    for chat in chats:
        tg.user(chat)
    tg.limits(global_per_second=per_second, per_chat_per_second=1, per_group_per_minute=20)


def sent_counts(tg: FakeTelegram) -> Counter[int]:
    return Counter(int(s.chat_id or 0) for s in tg.sent if s.method == "sendMessage")


async def until(condition: object, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError(f"not reached within {seconds} s")
        await asyncio.sleep(0.1)


def notifier_process(tg: FakeTelegram, db_url: str, **env: str) -> list[str | dict[str, str]]:
    return [
        sys.executable,
        "-m",
        "bot",
        "notifier",
        {
            **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))},
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": tg.default_token,
            "BOT_API_URL": tg.base_url,
            "DATABASE_URL": db_url,
            "NOTIFIER_POLL_SECONDS": "0.5",
            "LOG_LEVEL": "WARNING",
            **env,
        },
    ]


@pytest.fixture
async def processes() -> AsyncIterator[list[Forked]]:
    started: list[Forked] = []
    yield started
    for process in started:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def start(started: list[Forked], command: list[str | dict[str, str]]) -> Forked:
    """Start ``python -m MODULE ARGS`` (forked, see ``tests/forkserver.py``) and keep it to be
    killed when the test ends."""
    python, dash_m, module, *args, env = command
    assert (python, dash_m) == (sys.executable, "-m")
    assert isinstance(env, dict)
    process = await spawn(str(module), *[str(a) for a in args], env=env, cwd=ROOT, stderr=PIPE)
    started.append(process)
    return process
