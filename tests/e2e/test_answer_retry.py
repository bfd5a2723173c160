"""An answer Telegram refuses with 429 is sent again after the wait it asks for, not lost; a
push refused the same way is left to the notifier's pacer (no retry inside the request)."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import runtime
from bot.answer_retry import RetryAfterMiddleware
from bot.settings import Settings
from core.clock import FrozenClock
from tests.e2e.sides import TelegramSide, running
from tests.fake_telegram import FakeTelegram


async def test_an_answer_refused_with_429_arrives_after_the_wait(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    async with FakeTelegram() as tg:
        side = TelegramSide(tg)
        async with running(db_url, clock, side):
            olga = side.person(10, "Ольга")
            tg.flood_next(2, retry_after=1, method="sendMessage")
            asked = time.monotonic()
            await side.say(olga, "/help")
            [answer] = await side.hears(olga)
            waited = time.monotonic() - asked
            assert "/start" in answer.text or "код" in answer.text
            assert tg.pending_faults == []  # both 429s were really answered
            assert tg.too_many_requests == 2
            assert waited >= 2.0  # it waited as Telegram asked, twice
            assert [s for s in tg.sent if s.method == "sendMessage"] == [answer.raw]


async def test_only_the_answering_bots_retry_and_the_notifier_has_its_own() -> None:
    settings = Settings(
        bot_token="111111:" + "A" * 35,  # type: ignore[arg-type]
        school_bots={"SCH": "222222:" + "B" * 35},  # type: ignore[dict-item]
    )
    answering = runtime.telegram_bots(settings)
    pushing = runtime.push_bots(settings)
    try:
        assert set(answering) == {"", "SCH"}
        assert {route.bot for route in pushing} == {"", "SCH"}
        for bot in answering.values():
            assert [type(m) for m in bot.session.middleware] == [RetryAfterMiddleware]
        for bot in pushing.values():
            assert list(bot.session.middleware) == []
            assert not any(bot is other for other in answering.values())
    finally:
        for bot in [*answering.values(), *pushing.values()]:
            await bot.session.close()
