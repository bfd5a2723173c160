"""One person, two messengers: a guardian links Telegram by the invite and MAX by her own
phone; a new mark reaches her in both chats, each through its own messenger."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models import Account
from core.models.enums import Messenger
from tests.bot import school
from tests.bot.helpers import AGREE, invite
from tests.e2e.sides import MaxSide, TelegramSide, running
from tests.fake_max import FakeMax
from tests.fake_telegram import FakeTelegram
from tests.notify.families import mark, processed_everything, write


async def test_a_guardian_linked_in_both_messengers_gets_a_mark_in_both(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    # The tiny school's own events are old news: left pending, a slow start of the notifier
    # would push its substitution to Olga once she has linked, before the mark this is about.
    await processed_everything(sessions, school.NOW)
    async with FakeTelegram() as tg, FakeMax() as mx:
        telegram, on_max = TelegramSide(tg), MaxSide(mx)
        async with running(db_url, clock, telegram, on_max, push_coalesce_seconds=0):
            olga_tg, olga_max = telegram.person(10, "Ольга"), on_max.person(10, "Ольга")
            await telegram.open_link(olga_tg, await invite(sessions, "G1"))
            [consent] = await telegram.hears(olga_tg)
            await telegram.press(olga_tg, consent, AGREE)
            await telegram.hears(olga_tg)
            await on_max.own_contact(olga_max, school.OLGA_PHONE)
            [consent] = await on_max.hears(olga_max)
            await on_max.press(olga_max, consent, AGREE)
            [linked] = await on_max.hears(olga_max)
            assert "Анна Иванова, 7А" in linked.text

            tables = school.tables()
            tables["marks"] += [mark("NEW-1", "S1", "5")]
            await write(sessions, tables, school.NOW)
            await asyncio.sleep(0.2)
            [on_telegram] = await telegram.hears(olga_tg)
            [in_max] = await on_max.hears(olga_max)
            for push in (on_telegram, in_max):
                assert "5" in push.text
                assert "Анна" in push.text
            assert telegram.refused() == []
            assert on_max.refused() == []
    async with sessions() as session:
        accounts = (await session.execute(select(Account.messenger, Account.user_key))).all()
    assert sorted(accounts) == sorted([(Messenger.MAX, "10"), (Messenger.TELEGRAM, "10")])
