"""The mail's school (tests/messaging/mailschool.py) on both databases, with its accounts."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import create_sessionmaker
from tests.conftest import seeds
from tests.messaging import mailschool


@pytest.fixture
@seeds(mailschool.seed)
async def mail(engine: AsyncEngine) -> mailschool.Mail:
    """Loaded once per session into a template each test copies; read back here."""
    return await mailschool.attach(create_sessionmaker(engine))


@pytest.fixture
def sessions(mail: mailschool.Mail) -> async_sessionmaker[AsyncSession]:
    return mail.sessions
