"""Each bot has its own send budget: Telegram's 30 messages a second is per bot, so a school's own
bot does not wait behind the district's shared one (bot/school_bots.py)."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_i18n
from bot.notifier.pacer import PaceLimits
from bot.notifier.service import Notifier, NotifierConfig
from core.clock import FrozenClock
from core.models import Account
from core.models.enums import Messenger
from core.notify.deliveries import Route
from core.notify.fanout import PushRules
from tests.bot import school
from tests.fake_telegram import FakeTelegram
from tests.notify.crowd import add_crowd, crowd_marks
from tests.notify.families import write
from tests.notify.notifier_kit import TZ, texts_by_chat

FAMILIES = 12  # half on the shared bot, half on the school's own
RATE = 2  # messages a second per bot: slow enough that one budget for both would show


async def test_two_bots_send_side_by_side_each_within_its_own_budget(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    chats = await add_crowd(sessions, FAMILIES)
    at_school = {str(chat) for chat in chats if chat % 2}
    async with sessions() as session:
        await session.execute(
            update(Account).where(Account.user_key.in_(at_school)).values(bot="SCH")
        )
        await session.commit()
    await write(sessions, crowd_marks(FAMILIES, 1), school.NOW)
    async with (
        FakeTelegram(bot_id=111111) as shared,
        FakeTelegram(bot_id=222222) as own,
    ):
        for fake in (shared, own):
            fake.limits(global_per_second=RATE, per_chat_per_second=1, per_group_per_minute=20)
            for chat in chats:
                fake.user(chat)
        default = DefaultBotProperties(parse_mode=ParseMode.HTML)
        bots = {
            Route(Messenger.TELEGRAM): shared.bot(default=default),
            Route(Messenger.TELEGRAM, "SCH"): own.bot(default=default),
        }
        config = NotifierConfig(
            rules=PushRules(timezone=TZ, window=timedelta(0)),
            limits=PaceLimits(per_second=RATE),
            default_locale="ru",
        )
        notifier = Notifier(bots, sessions, FrozenClock(school.NOW), config, create_i18n("ru"))
        await notifier.run_until_idle(patience=30)
        # Each account heard its mark once, from the bot it wrote to, never from the other.
        assert set(texts_by_chat(own)) == {int(chat) for chat in at_school}
        assert set(texts_by_chat(shared)) == set(chats) - {int(chat) for chat in at_school}
        assert all(len(texts) == 1 for texts in texts_by_chat(own).values())
        assert all(len(texts) == 1 for texts in texts_by_chat(shared).values())
        assert shared.too_many_requests == own.too_many_requests == 0
        # Side by side: 6 messages per bot at 2 a second take about 2.5 s; one budget for all
        # 12 would need at least 11 intervals of 0.5 s (5.5 s).
        times = sorted(s.at for fake in (shared, own) for s in fake.sent)
        assert times[-1] - times[0] < 4.5
        for fake in (shared, own):
            mine = sorted(s.at for s in fake.sent)
            gaps = [later - earlier for earlier, later in pairwise(mine)]
            assert min(gaps) > 0.9 / RATE  # and each bot keeps its own budget
