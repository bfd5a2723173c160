"""Fixtures for the bot's tests: the tiny school on both databases, a frozen clock, a driver."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.db import create_sessionmaker
from tests.bot import school
from tests.bot.driver import ChatDriver


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    sessions = create_sessionmaker(engine)
    await school.load(sessions)
    return sessions


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(school.NOW)


@pytest.fixture
def driver(sessions: async_sessionmaker[AsyncSession], clock: FrozenClock) -> ChatDriver:
    return ChatDriver(sessions, clock)
