"""Every command answers each kind of reader, and never with an apology for a failure."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models.enums import Role
from tests.bot import school
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import AGREE, CHAT_INPUTS, link


async def as_student(driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]) -> int:
    await driver.contact(driver.user(40), school.DMITRY_PHONE)
    await driver.press(driver.user(40), AGREE)
    return 40


@pytest.mark.parametrize("reader", ["guardian of two", "student", "teacher", "class teacher"])
async def test_every_command_answers(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], reader: str
) -> None:
    if reader == "guardian of two":
        await link(driver, sessions, 10, "G1")
        user_id = 10
    elif reader == "student":
        user_id = await as_student(driver, sessions)
    else:
        user_id = 50
        await link(driver, sessions, user_id, "T2" if reader == "teacher" else "T1", Role.TEACHER)
    for command in CHAT_INPUTS:
        answer = texts(await driver.send(driver.user(user_id), command))
        assert answer, (reader, command)
        assert "что-то пошло не так" not in answer, (reader, command)
        assert "временно недоступен" not in answer, (reader, command)
