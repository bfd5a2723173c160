"""``/class``: the absences without a reason, Б or У per pupil and day in one tap, back to Н;
the class's families are not told; other people's presses are refused. In English, so that the
new strings read the same before and after their translation (Б, У, Н are I, E, A there)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import Attendance, OutboxEvent, SchoolClass
from core.models.enums import AttendanceCode, Role
from handlers.views.class_summary import ReasonTap
from tests.bot import school
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import link, student_id
from tests.bot.mail_kit import button

KRYLOVA, ORLOV, OLGA = 50, 60, 10


async def _annas_monday(sessions: async_sessionmaker[AsyncSession]) -> str:
    anna = await student_id(sessions, "S1")
    async with sessions() as session:
        code = await session.scalar(
            select(Attendance.code).where(
                Attendance.student_id == anna, Attendance.date == school.TODAY
            )
        )
    assert code is not None
    return AttendanceCode(code).value


async def _events(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count(OutboxEvent.id))) or 0)


async def test_the_class_teacher_gives_a_day_a_reason_and_takes_it_back(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER, language="en")
    krylova = driver.user(KRYLOVA, "en")
    events = await _events(sessions)
    summary = await driver.send(krylova, "/class")
    listed = await driver.press(krylova, button(summary, "Absences without a reason"))
    assert "1. Иванова Анна, 30 November: lesson 2" in texts(listed)
    assert "24 November" not in texts(listed)  # her Б day has its reason
    done = await driver.press(krylova, button(listed, "1. I"))
    assert "I set: Иванова Анна, 30 November." in texts(done)
    assert "Every absence has a reason." in texts(done)  # the list, redrawn
    assert await _annas_monday(sessions) == "ill"
    back = await driver.press(krylova, button(done, "Back to A"))
    assert "Back to A: Иванова Анна, 30 November." in texts(back)
    assert await _annas_monday(sessions) == "absent"
    again = await driver.press(krylova, button(summary, "Absences without a reason"))
    await driver.press(krylova, button(again, "1. E"))
    assert await _annas_monday(sessions) == "excused"
    assert await _events(sessions) == events  # a reason is never pushed


async def test_other_people_cannot_give_reasons(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, ORLOV, "T2", Role.TEACHER, language="en")
    await link(driver, sessions, OLGA, "G1", language="en")
    anna = await student_id(sessions, "S1")
    async with sessions() as session:
        class_7a = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
    day = school.TODAY.toordinal()
    for user in (ORLOV, OLGA):
        for data in (
            ReasonTap(cls=class_7a, st=anna, day=day, code="ill").pack(),
            ReasonTap(cls=class_7a).pack(),
            ReasonTap(cls=class_7a, st=anna, day=day, code="late").pack(),
            ReasonTap(cls=class_7a, st=anna, day=1, code="ill").pack(),
        ):
            calls = await driver.press(driver.user(user, "en"), data)
            assert any(c.show_alert for c in calls), (user, data)
            assert "Иванова" not in texts(calls)
    assert await _annas_monday(sessions) == "absent"
