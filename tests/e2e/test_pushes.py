"""One process serves both messengers: each account's pushes go through its own messenger,
within that messenger's limits, and a family that blocked the bot stops getting them there."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models import Account, Delivery
from core.models.enums import DeliveryState, Messenger
from tests.bot import school
from tests.e2e.sides import MaxSide, TelegramSide, running
from tests.fake_max import FakeMax
from tests.fake_telegram import FakeTelegram
from tests.notify.crowd import add_crowd, crowd_marks
from tests.notify.families import write
from tests.notify.processes import until

FAMILIES = 60
MARKS_EACH = 2


def _messenger(n: int) -> Messenger:
    return Messenger.MAX if n % 2 else Messenger.TELEGRAM


async def _states(sessions: async_sessionmaker[AsyncSession]) -> Counter[DeliveryState]:
    async with sessions() as session:
        rows = await session.execute(select(Delivery.state))
        return Counter(DeliveryState(state) for state in rows.scalars())


async def test_pushes_go_through_each_accounts_messenger_within_its_limits(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    chats = await add_crowd(sessions, FAMILIES, _messenger)
    telegram_chats = [c for n, c in enumerate(chats) if _messenger(n) == Messenger.TELEGRAM]
    max_users = [c for n, c in enumerate(chats) if _messenger(n) == Messenger.MAX]
    async with FakeTelegram() as tg, FakeMax() as mx:
        for chat in telegram_chats:
            tg.user(chat)
        for user in max_users:
            mx.user(user)
        tg.limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
        mx.limits(per_second=30)
        blocked_tg, blocked_max = tg.user(telegram_chats[0]), mx.user(max_users[0])
        tg.block(blocked_tg)
        await mx.block(blocked_max)
        async with running(db_url, clock, TelegramSide(tg), MaxSide(mx), push_coalesce_seconds=0):
            await asyncio.sleep(1)  # both blocks are recorded before the marks arrive
            await write(sessions, crowd_marks(FAMILIES, MARKS_EACH), school.NOW)
            expected = (FAMILIES - 2) * MARKS_EACH
            await until(lambda: _pushes(tg, mx) >= expected, 60)
            await asyncio.sleep(1)  # nothing more arrives
        telegram = Counter(int(s.chat_id or 0) for s in tg.sent if s.method == "sendMessage")
        on_max = Counter(s.user_id for s in mx.sent if s.method == "send")
        assert set(telegram) == set(telegram_chats) - {blocked_tg.id}
        assert set(on_max) == set(max_users) - {blocked_max.id}
        assert set(telegram.values()) == set(on_max.values()) == {MARKS_EACH}  # each once
        assert tg.too_many_requests <= 3  # each pacer keeps its own messenger's budget
        assert mx.too_many_requests <= 3
        assert not [f for f in mx.failures if f.status != 429]
    async with sessions() as session:
        inactive = set(
            (await session.execute(select(Account.user_key).where(~Account.is_active))).scalars()
        )
    assert inactive == {str(blocked_tg.id), str(blocked_max.id)}
    states = await _states(sessions)
    assert states[DeliveryState.SENT] == (FAMILIES - 2) * MARKS_EACH


def _pushes(tg: FakeTelegram, mx: FakeMax) -> int:
    sent = sum(1 for s in tg.sent if s.method == "sendMessage")
    return sent + sum(1 for s in mx.sent if s.method == "send")
