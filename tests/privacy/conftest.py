"""Fixtures for the privacy tests: the bot tests' tiny school, a clock, a linked family.

The clock starts at the real now: the services stamp their audit records with the real time
(``AuditRecord.at`` defaults to it), and the retention periods are measured from the clock, so
the two must agree before a test moves the clock forward by the periods.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.db import create_sessionmaker
from core.linking.invites import issue_invites
from core.linking.redeem import redeem_code
from core.models import Guardian, Student
from core.models.enums import Messenger
from tests.bot import school
from tests.conftest import seeds


@pytest.fixture
@seeds(school.load)  # a copy of the school loaded once per worker (tests/conftest.py)
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


async def link(
    sessions: async_sessionmaker[AsyncSession], person: str, user: str, clock: FrozenClock
) -> int:
    """Link a new Telegram account to ``person`` with a real invite code; its account id."""
    async with sessions() as session:
        issued = await issue_invites(session, now=clock.now(), today=school.TODAY, person=person)
        result = await redeem_code(
            session, Messenger.TELEGRAM, user, user, issued[0].code, clock.now(), school.TODAY
        )
        await session.commit()
    assert result.account_id is not None
    return result.account_id


async def db_id(
    sessions: async_sessionmaker[AsyncSession], model: type[Student] | type[Guardian], key: str
) -> int:
    async with sessions() as session:
        found = await session.scalar(select(model.id).where(model.external_id == key))
    assert found is not None
    return int(found)
