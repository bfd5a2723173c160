"""The tiny school (tests/bot/school.py) with an account for each of its people."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.db import create_sessionmaker
from tests.bot import school
from tests.notify.families import link_everyone


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    sessions = create_sessionmaker(engine)
    await school.load(sessions)
    return sessions


@pytest.fixture
async def accounts(sessions: async_sessionmaker[AsyncSession]) -> dict[int, int]:
    """user id → account id, for everyone in tests.notify.families.PEOPLE."""
    return await link_everyone(sessions)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(school.NOW)
