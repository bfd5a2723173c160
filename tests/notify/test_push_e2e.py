"""`journal run` end to end: a mark written through the core reaches the family's chat, and the
details of a minimal push open on a press, over real polling against the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models import AccountLink, Delivery
from core.models.enums import DeliveryState, PrivacyLevel
from tests.bot import school
from tests.bot.polling import polling_bot
from tests.fake_telegram import FakeTelegram, SimUser
from tests.fake_telegram.records import Sent
from tests.notify.families import (
    PAVEL,
    link_account,
    mark,
    processed_everything,
    set_preferences,
    with_marks,
    write,
)


def _push_to(chat: int) -> object:
    return lambda sent: sent.method == "sendMessage" and sent.chat_id == chat


@pytest.fixture
async def running_bot(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> AsyncIterator[FakeTelegram]:
    await processed_everything(sessions, school.NOW)
    async with polling_bot(db_url, clock, poll_seconds=0.5) as tg:
        yield tg


async def test_a_minimal_push_shows_its_details_on_a_press(
    running_bot: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = running_bot
    pavel, _account, push = await _minimal_push(tg, sessions)
    assert push.plain_text == "🔔 Дмитрий: a new mark in Алгебра"
    assert push.buttons == [("Show details", "pd1")]
    await tg.press(pavel, push, "pd1")
    edited = await _edited(tg, push)
    assert edited == "🔔 Дмитрий: new mark in Алгебра: 2 (30 November)"


async def test_details_are_refused_once_the_link_is_gone(
    running_bot: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = running_bot
    pavel, account, push = await _minimal_push(tg, sessions)
    async with sessions() as session:  # the school removed Павел's link since the push
        await session.execute(delete(AccountLink).where(AccountLink.account_id == account))
        await session.commit()
    await tg.press(pavel, push, "pd1")
    for _ in range(200):
        if tg.callback_answers:
            break
        await asyncio.sleep(0.05)
    assert [answer.show_alert for answer in tg.callback_answers] == [True]
    state = tg.messages[(PAVEL, push.message_id or 0)]
    assert state.edits == 0
    assert "2" not in (state.text or "").replace("2 (", "")


async def _minimal_push(
    tg: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> tuple[SimUser, int, Sent]:
    """Павел, at the minimal privacy level, gets a push about Дмитрий's new 2, recorded sent."""
    pavel = tg.user(PAVEL, "Павел", language_code="en")
    account = await link_account(sessions, PAVEL, "G2")
    await set_preferences(sessions, account, privacy=PrivacyLevel.MINIMAL)
    await write(sessions, with_marks(mark("M9", "S3", "2")), school.NOW)
    [push] = await tg.wait_for(_push_to(PAVEL), timeout=15)  # type: ignore[arg-type]
    await _recorded(sessions, push)
    return pavel, account, push


async def _edited(tg: FakeTelegram, push: Sent) -> str | None:
    for _ in range(200):
        state = tg.messages.get((int(push.chat_id or 0), push.message_id or 0))
        if state is not None and state.edits:
            return state.text
        await asyncio.sleep(0.05)
    return None


async def _recorded(sessions: async_sessionmaker[AsyncSession], push: Sent) -> None:
    """The notifier writes outcomes back a moment after Telegram answers."""
    for _ in range(200):
        async with sessions() as session:
            found = await session.execute(
                select(Delivery.id).where(
                    Delivery.message_key == str(push.message_id),
                    Delivery.state == DeliveryState.SENT,
                )
            )
        if found.first() is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the push was never recorded as sent")
