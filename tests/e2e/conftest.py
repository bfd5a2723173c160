"""Each end-to-end scenario runs once per messenger (``side``) on both databases, on the tiny
school (``sessions``) at its Monday morning (``clock``), the bot tests' own fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.models.enums import Messenger
from tests.bot.conftest import clock, sessions
from tests.e2e.sides import Side, fake_side

__all__ = ["clock", "sessions", "side"]


@pytest.fixture(params=[Messenger.TELEGRAM, Messenger.MAX], ids=["telegram", "max"])
async def side(request: pytest.FixtureRequest) -> AsyncIterator[Side]:
    async with fake_side(request.param) as side:
        yield side
