"""A notifier wired to the fake Bot API, as production wires it to Telegram."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_i18n
from bot.notifier.pacer import PaceLimits
from bot.notifier.service import Notifier, NotifierConfig
from core.clock import Clock
from core.models import Delivery
from core.models.enums import DeliveryState
from core.notify.fanout import PushRules
from tests.fake_telegram import FakeTelegram

TZ = ZoneInfo("Asia/Yekaterinburg")


def make_notifier(
    tg: FakeTelegram,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    window: float = 60,
    per_second: float = 30,
    timeout: float = 30.0,
    **config: Any,
) -> Notifier:
    bot = tg.bot(default=DefaultBotProperties(parse_mode=ParseMode.HTML), timeout=timeout)
    settings = NotifierConfig(
        rules=PushRules(timezone=TZ, window=timedelta(seconds=window)),
        limits=PaceLimits(per_second=per_second),
        default_locale="ru",
        **config,
    )
    return Notifier(bot, sessions, clock, settings, create_i18n("ru"))


def texts_by_chat(tg: FakeTelegram) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for sent in tg.sent:
        if sent.method == "sendMessage":
            found.setdefault(int(sent.chat_id or 0), []).append(sent.plain_text or "")
    return found


async def states(sessions: async_sessionmaker[AsyncSession]) -> Counter[DeliveryState]:
    async with sessions() as session:
        rows = await session.execute(select(Delivery.state))
        return Counter(DeliveryState(state) for state in rows.scalars())
