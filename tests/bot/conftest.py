"""Fixtures for the bot's tests: the tiny school on both databases, a frozen clock, a driver."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.db import create_sessionmaker
from tests.bot import school
from tests.bot.driver import ChatDriver
from tests.conftest import seeds


@pytest.fixture
@seeds(school.load)
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The tiny school, loaded once per session into a template that each test copies."""
    return create_sessionmaker(engine)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(school.NOW)


@pytest.fixture
def driver(sessions: async_sessionmaker[AsyncSession], clock: FrozenClock) -> ChatDriver:
    return ChatDriver(sessions, clock)
