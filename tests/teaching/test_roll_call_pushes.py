"""A roll-call saved again soon after: the family is told the final state once, or not at all
when the pupil turned out to be present (the push waiting in the coalescing window goes)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models import SchoolClass, Staff
from core.models.enums import AttendanceCode
from core.reader import Reader
from core.teaching.dto import LessonSlot
from core.teaching.rollcall import save_roll_call
from tests.bot import school
from tests.bot.helpers import student_id
from tests.fake_telegram import FakeTelegram
from tests.notify.families import link_account, processed_everything
from tests.notify.notifier_kit import make_notifier, texts_by_chat

PAVEL = 20  # Дмитрий's father


async def _two_saves(
    sessions: async_sessionmaker[AsyncSession], second: AttendanceCode | None
) -> None:
    """Дмитрий absent at 10:00, then ``second`` (None: present) 20 seconds later."""
    async with sessions() as session:
        krylova_id = (
            await session.execute(select(Staff.id).where(Staff.external_id == "T1"))
        ).scalar_one()
        class_7a = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
    krylova = Reader(label="test", staff_id=krylova_id, today=school.TODAY)
    slot = LessonSlot(school.TODAY, 1, class_7a)
    dmitry = await student_id(sessions, "S3")
    for at, code in (
        (school.NOW, AttendanceCode.ABSENT),
        (school.NOW + timedelta(seconds=20), second),
    ):
        async with sessions() as session, session.begin():
            await save_roll_call(
                session,
                krylova,
                slot,
                {dmitry: code} if code else {},
                now=at,
                today=school.TODAY,
            )


async def _pushed(sessions: async_sessionmaker[AsyncSession], clock: FrozenClock) -> list[str]:
    async with FakeTelegram() as tg:
        tg.user(PAVEL)
        notifier = make_notifier(tg, sessions, clock, window=60)
        clock.advance(timedelta(seconds=90))
        await notifier.run_until_idle(patience=30)
        return texts_by_chat(tg).get(PAVEL, [])


async def test_marked_present_again_within_the_window_tells_nobody(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, PAVEL, "G2", locale="ru")
    await _two_saves(sessions, None)
    assert await _pushed(sessions, clock) == []


async def test_absent_then_late_within_the_window_is_one_push_saying_late(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, PAVEL, "G2", locale="ru")
    await _two_saves(sessions, AttendanceCode.LATE)
    pushed = await _pushed(sessions, clock)
    assert len(pushed) == 1, pushed
    assert "опоздание" in pushed[0]
    assert "пропуск" not in pushed[0]
