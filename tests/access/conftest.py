"""Fixtures for the access tests: the access world on both databases, and a session on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import create_sessionmaker
from tests.access import world
from tests.conftest import seeds


@pytest.fixture
@seeds(world.load)
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The access world, loaded once per session into a template each test copies."""
    return create_sessionmaker(engine)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session
