"""Fixtures for the linking tests: the small school, on both database backends."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.linking.school import Ids, build


@pytest.fixture
async def ids(session: AsyncSession) -> Ids:
    return await build(session)
