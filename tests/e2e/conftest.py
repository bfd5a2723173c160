"""Each end-to-end scenario runs once per messenger (``side``) on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.db import create_sessionmaker
from core.models.enums import Messenger
from tests.bot import school
from tests.e2e.sides import Side, fake_side


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    sessions = create_sessionmaker(engine)
    await school.load(sessions)
    return sessions


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(school.NOW)


@pytest.fixture(params=[Messenger.TELEGRAM, Messenger.MAX], ids=["telegram", "max"])
async def side(request: pytest.FixtureRequest) -> AsyncIterator[Side]:
    async with fake_side(request.param) as side:
        yield side
