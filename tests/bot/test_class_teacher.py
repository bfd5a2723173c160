"""``/class``: the class teacher's summary, worked out by hand from school.py."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import AGREE, audit_actions, invite


async def test_the_class_teacher_sees_absences_and_the_weeks_marks(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    teacher = driver.user(50)
    await driver.send(teacher, f"/start {await invite(sessions, 'T1', None)}")
    await driver.press(teacher, AGREE)
    answer = texts(await driver.send(teacher, "/class"))
    assert "<b>7А: сводка по классу</b>" in answer
    assert "2 ученика" in answer
    assert "• Иванова Анна: урок 2, Н" in answer
    # This week: Анна 4 (w2) and 3 (w1), Дмитрий 2 (w1): 13 / 4 = 3.25.
    assert "• Алгебра: 3 оценки, ср. 3,25" in answer
    # The term adds Анна's 5 (w1): 18 / 5 = 3.60.
    assert "• Алгебра: 4 оценки, ср. 3,60" in answer
    assert "ОРВИ" not in answer
    actions = await audit_actions(sessions)
    assert actions.count("read_class_summary") == 2  # one per student of 7А


async def test_who_leads_no_class_gets_no_summary(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    olga = driver.user(10)
    await driver.send(olga, f"/start {await invite(sessions, 'G1')}")
    await driver.press(olga, AGREE)
    answer = texts(await driver.send(olga, "/class"))
    assert "Анна" not in answer
    assert "классных руководителей" in answer
