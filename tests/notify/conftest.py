"""The tiny school (tests/bot/school.py) with an account for each of its people."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# The bot tests' school on both databases and their frozen Monday, shared as they are.
from tests.bot.conftest import clock, sessions
from tests.notify.families import link_everyone
from tests.notify.processes import processes

__all__ = ["accounts", "clock", "processes", "sessions"]


@pytest.fixture
async def accounts(sessions: async_sessionmaker[AsyncSession]) -> dict[int, int]:
    """user id → account id, for everyone in tests.notify.families.PEOPLE."""
    return await link_everyone(sessions)
