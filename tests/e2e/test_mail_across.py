"""The built-in mail across messengers: a guardian on MAX asks a teacher on Telegram; the
answer "to all guardians" reaches her on MAX and the other guardian on Telegram; her plain reply
on MAX (a reply to the bot's message, by its mid) continues the same conversation."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models import MessageThread, ThreadMessage
from core.models.enums import Messenger
from tests.bot import school
from tests.e2e.sides import MaxSide, TelegramSide, running
from tests.fake_max import FakeMax
from tests.fake_telegram import FakeTelegram
from tests.notify.families import link_account, processed_everything

OLGA, MARIA, KRYLOVA = 10, 30, 50


async def test_a_question_from_max_is_answered_from_telegram_and_continued_on_max(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, OLGA, "G1", messenger=Messenger.MAX)
    await link_account(sessions, MARIA, "G3")
    await link_account(sessions, KRYLOVA, "T1")
    async with FakeTelegram() as tg, FakeMax() as mx:
        telegram, on_max = TelegramSide(tg), MaxSide(mx)
        olga = mx.user(OLGA, "Ольга", language="en")
        maria = tg.user(MARIA, "Мария", language_code="en")
        krylova = tg.user(KRYLOVA, "Нина", language_code="en")
        async with running(db_url, clock, telegram, on_max):
            await on_max.say(olga, "/ask")
            [children] = await on_max.hears(olga)
            await on_max.press(olga, children, children.data("Анна"))
            offered = await on_max.sees_edit(olga)
            await on_max.press(olga, offered, offered.data("Алгебра"))
            [prompt] = await on_max.hears(olga)
            assert "Write your message" in prompt.text
            await on_max.say(olga, "Когда контрольная по алгебре?")
            [preview] = await on_max.hears(olga)
            await asyncio.sleep(0.5)
            await on_max.press(olga, preview, preview.data("Send"))
            [receipt] = await on_max.hears(olga)
            assert "question #1 to Крылова Н. П." in receipt.text

            [notice] = await telegram.hears(krylova)
            assert "New question #1" in notice.text
            await tg.send_reply(krylova, notice.raw, "В четверг, 3 декабря.")
            [shown] = await telegram.hears(krylova)
            await telegram.press(krylova, shown, shown.data("all guardians"))
            await telegram.hears(krylova)  # "sent to every guardian"

            [to_olga] = await on_max.hears(olga)
            [to_maria] = await telegram.hears(maria)
            for answer in (to_olga, to_maria):
                assert "В четверг, 3 декабря." in answer.text
                assert "Крылова Н. П.:" in answer.text

            await asyncio.sleep(0.5)
            await mx.send_reply(olga, to_olga.raw, "Спасибо!")
            [shown] = await on_max.hears(olga)
            assert "Спасибо!" in shown.text
            await on_max.press(olga, shown, shown.data("Send"))
            [sent] = await on_max.hears(olga)
            assert "#1" in sent.text
            [followup] = await telegram.hears(krylova)
            assert "#1" in followup.text
            assert telegram.refused() == []
            assert on_max.refused() == []
    async with sessions() as session:
        threads = (await session.execute(select(func.count(MessageThread.id)))).scalar_one()
        messages = (await session.execute(select(func.count(ThreadMessage.id)))).scalar_one()
    assert (threads, messages) == (1, 3)
