"""``GET /metrics`` of a running bot, scraped over HTTP: the named series are there and move.

``journal run`` in webhook mode in the test's loop (the tiny school, its Monday morning), the
real aiogram client talking to the fake Bot API; ``journal notifier`` as a real process with
METRICS_PORT. Both databases.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import runtime
from bot.leader import create_leadership
from bot.settings import Settings, SettingsError, load_settings
from core.clock import FrozenClock
from core.models import Delivery, OutboxEvent
from core.models.enums import DeliveryState
from tests.bot import school
from tests.bot.conftest import clock, sessions
from tests.fake_telegram import FakeTelegram
from tests.forkserver import PIPE, spawn
from tests.notify.families import link_account, mark, processed_everything, with_marks, write

__all__ = ["clock", "sessions"]  # the tiny school on both databases, its Monday morning

ROOT = Path(__file__).resolve().parents[2]
SECRET = "metrics-test-secret"  # noqa: S105 - a test value
SERIES = (
    "journal_updates",
    "journal_update_duration_seconds",
    "journal_pushes",
    "journal_outbox_oldest_event_age_seconds",
    "journal_outbox_oldest_due_delivery_age_seconds",
    "journal_notifier_leader",
)
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def scrape(port: int) -> tuple[set[str], Samples]:
    """The metric families' names and every sample, by name and labels."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/metrics") as answer,
    ):
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/plain")
        text = await answer.text()
    families = list(text_string_to_metric_families(text))
    samples = {(s.name, frozenset(s.labels.items())): s.value for f in families for s in f.samples}
    return {f.name for f in families}, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "never happened"
        await asyncio.sleep(0.1)


async def up(port: int) -> bool:
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/health") as answer,
        ):
            return answer.status == 200
    except aiohttp.ClientError:
        return False


@contextlib.asynccontextmanager
async def webhook_bot(
    tg: FakeTelegram, db_url: str, clock: FrozenClock, **overrides: Any
) -> AsyncIterator[int]:
    """``journal run`` in webhook mode on a free port of 127.0.0.1; yields the port."""
    port = free_port()
    settings = Settings(
        bot_token=tg.default_token,  # type: ignore[arg-type]
        bot_api_url=tg.base_url,  # type: ignore[arg-type]
        database_url=db_url,
        webhook_url="https://bot.example.org",  # type: ignore[arg-type]
        webhook_secret=SECRET,  # type: ignore[arg-type]
        webhook_host="127.0.0.1",
        webhook_port=port,
        notifier_poll_seconds=0.2,
        push_coalesce_seconds=0,
        **overrides,
    )
    task = asyncio.create_task(runtime.run(settings, clock, handle_signals=False))
    try:
        await until(lambda: _up_or_failed(task, port))
        yield port
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _up_or_failed(task: asyncio.Task[None], port: int) -> bool:
    if task.done():
        task.result()  # raises what stopped it
    return await up(port)


async def post_update(port: int, update: dict[str, Any]) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"http://127.0.0.1:{port}/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        ) as answer,
    ):
        assert answer.status == 200


def help_update(update_id: int, user_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_764_000_000,
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "A", "language_code": "en"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


async def test_webhook_metrics_count_updates_and_pushes(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    async with FakeTelegram() as tg, webhook_bot(tg, db_url, clock) as port:
        names, before = await scrape(port)
        assert set(SERIES) <= names
        handled = {"messenger": "telegram", "type": "message", "outcome": "handled"}

        tg.user(555, "A", language_code="en")
        await post_update(port, help_update(901, 555))
        await tg.wait_for(lambda s: s.method == "sendMessage" and s.chat_id == 555, timeout=15)

        async def counted() -> bool:
            after = (await scrape(port))[1]
            return value(after, "journal_updates_total", **handled) > value(
                before, "journal_updates_total", **handled
            )

        await until(counted)  # counted when the handler has returned, just after its answer
        _names, after = await scrape(port)
        assert value(after, "journal_updates_total", **handled) == (
            value(before, "journal_updates_total", **handled) + 1
        )
        timed = [
            (key, count)
            for key, count in after.items()
            if key[0] == "journal_update_duration_seconds_count"
            and dict(key[1])["handler"].startswith("handlers.")
            and count > before.get(key, 0)
        ]
        assert len(timed) == 1, timed  # the one handler that answered /help, by name
        # No chat id, name or text in any label.
        assert not [key for key in after if any("555" in v for _k, v in key[1])]

        # A mark for Анна: her mother's push goes out and is counted.
        tg.user(10, "Ольга", language_code="en")
        await link_account(sessions, 10, "G1")
        sent_before = value(after, "journal_pushes_total", outcome="sent")
        await write(sessions, with_marks(mark("MX1", "S1", "5")), school.NOW)
        await tg.wait_for(lambda s: s.method == "sendMessage" and s.chat_id == 10, timeout=15)

        async def pushed() -> bool:
            now = (await scrape(port))[1]
            return value(now, "journal_pushes_total", outcome="sent") >= sent_before + 1

        await until(pushed)
        health = (await scrape(port))[1]
        assert value(health, "journal_outbox_oldest_event_age_seconds") == 0.0


async def test_outbox_lag_shows_an_event_the_fan_out_has_not_taken(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    """RUN_NOTIFIER=false and no `journal notifier`: the outbox only grows, and shows it."""
    await processed_everything(sessions, school.NOW)
    async with FakeTelegram() as tg, webhook_bot(tg, db_url, clock, run_notifier=False) as port:
        _names, idle = await scrape(port)
        assert value(idle, "journal_outbox_oldest_event_age_seconds") == 0.0
        assert value(idle, "journal_outbox_oldest_due_delivery_age_seconds") == 0.0
        # A mark written an hour ago (the bot's clock says 10:00) that nobody fanned out.
        await write(sessions, with_marks(mark("MX2", "S1", "4")), school.NOW - timedelta(hours=1))
        _names, late = await scrape(port)
        assert value(late, "journal_outbox_oldest_event_age_seconds") == pytest.approx(3600)
        account_id = await link_account(sessions, 10, "G1")
        async with sessions() as session:
            # Fanned out now, to a delivery due ten minutes ago that nobody sent.
            event_id = (
                await session.execute(
                    select(OutboxEvent.id).where(OutboxEvent.processed_at.is_(None)).limit(1)
                )
            ).scalar_one()
            await session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.processed_at.is_(None))
                .values(processed_at=school.NOW)
            )
            session.add(
                Delivery(
                    event_id=event_id,
                    account_id=account_id,
                    state=DeliveryState.PENDING,
                    not_before=school.NOW - timedelta(minutes=10),
                )
            )
            await session.commit()
        _names, waiting = await scrape(port)
        assert value(waiting, "journal_outbox_oldest_event_age_seconds") == 0.0
        assert value(waiting, "journal_outbox_oldest_due_delivery_age_seconds") == pytest.approx(
            600, abs=1
        )


async def test_the_leader_gauge_follows_the_lock(db_url: str) -> None:
    """The advisory lock on PostgreSQL, the sole process on SQLite."""
    leadership = create_leadership(db_url)
    try:
        assert await leadership.try_acquire()
        assert REGISTRY.get_sample_value("journal_notifier_leader") == 1
        await leadership.release()
        assert REGISTRY.get_sample_value("journal_notifier_leader") == 0
    finally:
        await leadership.release()


async def test_journal_notifier_serves_metrics_on_metrics_port(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    port = free_port()
    async with FakeTelegram() as tg:
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("BOT_", "WEBHOOK_", "MAX_", "METRICS_", "LOG_"))
            },
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": tg.default_token,
            "BOT_API_URL": tg.base_url,
            "DATABASE_URL": db_url,
            "METRICS_PORT": str(port),
            "WEBHOOK_HOST": "127.0.0.1",
            "LOG_FORMAT": "json",
        }
        process = await spawn("bot", "notifier", env=env, cwd=ROOT, stdout=PIPE, stderr=PIPE)
        try:

            async def ready() -> bool:
                assert process.returncode is None, "the notifier stopped"
                return await up(port)

            await until(ready, 60)
            names, samples = await scrape(port)
            assert set(SERIES) - {"journal_updates", "journal_update_duration_seconds"} <= names
            assert value(samples, "journal_pushes_total", outcome="sent") == 0.0
            process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
            assert process.returncode == 0, err.decode()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    lines = err.decode().splitlines()
    assert lines
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(parsed[0])
    assert any(line["message"] == f"metrics on port {port}" for line in parsed)


def test_metrics_and_log_settings_are_checked_at_start_up() -> None:
    assert Settings(metrics_port="").metrics_port is None  # type: ignore[arg-type]
    assert Settings(metrics_port=8080).metrics_port == 8080  # polling: WEBHOOK_PORT is unused
    with pytest.raises(SettingsError, match="METRICS_PORT: the webhook server serves"):
        load_settings(webhook_url="https://bot.example.org", metrics_port=8080)
    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        load_settings(log_format="xml")


async def test_long_polling_serves_metrics_on_metrics_port(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    port = free_port()
    async with FakeTelegram() as tg:
        settings = Settings(
            bot_token=tg.default_token,  # type: ignore[arg-type]
            bot_api_url=tg.base_url,  # type: ignore[arg-type]
            database_url=db_url,
            webhook_host="127.0.0.1",
            metrics_port=port,
        )
        task = asyncio.create_task(runtime.run(settings, clock, handle_signals=False))
        try:
            await until(lambda: _up_or_failed(task, port))
            user = tg.user(556, "A", language_code="en")
            _names, before = await scrape(port)
            await tg.send_text(user, "/help")
            await tg.wait_for(lambda s: s.method == "sendMessage" and s.chat_id == 556, timeout=15)
            key = {"messenger": "telegram", "type": "message", "outcome": "handled"}

            async def counted() -> bool:
                after = (await scrape(port))[1]
                return value(after, "journal_updates_total", **key) == (
                    value(before, "journal_updates_total", **key) + 1
                )

            await until(counted)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert not await up(port)  # the metrics server stopped with the bot
