"""Webhook mode: Telegram's secret header is checked, updates reach the dispatcher, health."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import BotConfig, create_dispatcher
from bot.console.session import LocalSession
from bot.runtime import webhook_app
from bot.settings import Settings
from core.clock import FrozenClock
from core.db import create_sessionmaker
from tests.bot import school
from tests.bot.driver import TIMEZONE

SECRET = "s3cret-token_for-tests"  # noqa: S105 - a test value


def update(update_id: int) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_764_000_000,
            "chat": {"id": 555, "type": "private"},
            "from": {"id": 555, "is_bot": False, "first_name": "A", "language_code": "en"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


async def test_webhook_checks_the_secret_and_answers_updates(engine: AsyncEngine) -> None:
    settings = Settings(
        webhook_url="https://bot.example.org",  # type: ignore[arg-type]
        webhook_secret=SECRET,  # type: ignore[arg-type]
    )
    recording = LocalSession()
    bot = Bot(
        token="42:webhook-test-token-not-sent-anywhere",  # noqa: S106
        session=recording,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    dp = create_dispatcher(
        BotConfig(timezone=TIMEZONE), create_sessionmaker(engine), FrozenClock(school.NOW)
    )
    app = webhook_app(settings, dp, bot, engine)
    async with TestClient(TestServer(app)) as client:
        refused = await client.post(settings.webhook_path, json=update(1))
        assert refused.status == 401
        wrong = await client.post(
            settings.webhook_path,
            json=update(2),
            headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
        )
        assert wrong.status == 401
        assert recording.calls == []

        accepted = await client.post(
            settings.webhook_path,
            json=update(3),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert accepted.status == 200
        # The update is handled in the background (Telegram wants its 200 at once).
        for _ in range(100):
            answered = [c for c in recording.calls if c.method == "sendMessage"]
            if answered:
                break
            await asyncio.sleep(0.05)
        assert answered
        assert "What I can do" in (answered[0].text or "")

        health = await client.get("/health")
        assert health.status == 200
        assert (await health.json()) == {"status": "ok"}
