"""The mail's school (tests/messaging/mailschool.py) on both databases, with its accounts."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import create_sessionmaker
from tests.messaging import mailschool


@pytest.fixture
async def mail(engine: AsyncEngine) -> mailschool.Mail:
    return await mailschool.load(create_sessionmaker(engine))


@pytest.fixture
def sessions(mail: mailschool.Mail) -> async_sessionmaker[AsyncSession]:
    return mail.sessions
