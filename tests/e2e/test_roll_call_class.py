"""The roll-call of a real class through the real bot: 30 pupils, 3 absent in five taps and
exactly those three families told; a class all present in two taps and nobody told.

7А of the tiny school with 28 more pupils (tests/notify/crowd.py), every pupil's family linked
in the same messenger as the teacher, Monday 08:20 during Крылова's algebra."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models import Account, Delivery, OutboxEvent, SchoolClass, Student
from core.models.enums import EventKind
from core.teaching.dto import LessonSlot
from core.teaching.lessons import pupils_of
from tests.bot import school
from tests.e2e.sides import Side, running
from tests.notify.crowd import FIRST_CHAT, add_crowd
from tests.notify.families import link_account

KRYLOVA = 50
IN_CLASS = datetime(2026, 11, 30, 3, 20, tzinfo=UTC)  # 08:20 at the school
ABSENT = (5, 17, 24)  # places in the class list


async def _chats_of(
    sessions: async_sessionmaker[AsyncSession], numbers: tuple[int, ...]
) -> set[int]:
    """The family chats of the pupils at these places of 7А's list (crowd pupils)."""
    async with sessions() as session:
        class_id = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
        pupils = await pupils_of(session, LessonSlot(IN_CLASS.date(), 1, class_id))
        assert len(pupils) == 30
        ids = [pupils[n - 1].student_id for n in numbers]
        keys = (
            (await session.execute(select(Student.external_id).where(Student.id.in_(ids))))
            .scalars()
            .all()
        )
    return {FIRST_CHAT + int(str(key).removeprefix("CR")) for key in keys}


async def _told_of_absences(
    sessions: async_sessionmaker[AsyncSession], kind: EventKind = EventKind.ABSENCE_RECORDED
) -> list[int]:
    """The chats sent a push of ``kind``, once per push."""
    async with sessions() as session:
        rows = await session.execute(
            select(Account.chat_key)
            .join(Delivery, Delivery.account_id == Account.id)
            .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
            .where(OutboxEvent.kind == kind, Delivery.sent_at.is_not(None))
        )
        return sorted(int(key) for key in rows.scalars())


async def test_thirty_pupils_three_absent_in_five_taps(
    side: Side, db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chats = await add_crowd(sessions, 28, lambda _n: side.messenger)
    await link_account(sessions, KRYLOVA, "T1", locale="ru", messenger=side.messenger)
    absent_chats = await _chats_of(sessions, ABSENT)
    async with running(db_url, FrozenClock(IN_CLASS), side, push_coalesce_seconds=0):
        krylova = side.person(KRYLOVA, "Нина")
        # Every family is known to the fake, so a push to a wrong one would be sent and seen.
        everyone = {chat: side.person(chat, "Семья") for chat in chats}
        families = [everyone[chat] for chat in sorted(absent_chats)]
        await side.say(krylova, "/lesson")
        [card] = await side.hears(krylova)
        taps = 0
        await side.press(krylova, card, card.data("Перекличка"))
        taps += 1
        [screen] = await side.hears(krylova)
        assert screen.text.count("Перекличка") == 1
        assert len([b for b in screen.buttons if b[1] and b[1].startswith("rc1")]) == 32
        for number in ABSENT:
            await side.press(krylova, screen, screen.data(f" {number}. "))
            taps += 1
            screen = await side.sees_edit(krylova)
        assert "Отсутствуют: 3" in screen.text
        await side.press(krylova, screen, screen.data("Сохранить"))
        taps += 1
        assert taps <= 5
        for family in families:
            [push] = await side.hears(family)
            assert "пропуск 1-го урока" in push.text
        await asyncio.sleep(1.0)  # time for any other push that should not be there
        assert await _told_of_absences(sessions) == sorted(absent_chats)
        assert side.refused() == []


async def test_a_class_all_present_in_two_taps_tells_nobody(
    side: Side, db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chats = await add_crowd(sessions, 28, lambda _n: side.messenger)
    await link_account(sessions, KRYLOVA, "T1", locale="ru", messenger=side.messenger)
    async with running(db_url, FrozenClock(IN_CLASS), side, push_coalesce_seconds=0):
        krylova = side.person(KRYLOVA, "Нина")
        for chat in chats:
            side.person(chat, "Семья")  # known to the fake: a wrong push would be sent
        await side.say(krylova, "/lesson")
        [card] = await side.hears(krylova)
        await side.press(krylova, card, card.data("Перекличка"))  # tap 1
        [screen] = await side.hears(krylova)
        await side.press(krylova, screen, screen.data("Все присутствуют"))  # tap 2
        [saved] = await side.hears(krylova)
        assert "все присутствуют" in saved.text
        await asyncio.sleep(1.0)
        assert await _told_of_absences(sessions) == []
        assert side.refused() == []
    assert IN_CLASS.date() == school.TODAY


async def test_marks_for_the_class_from_one_message_reach_each_family_once(
    side: Side, db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chats = await add_crowd(sessions, 28, lambda _n: side.messenger)
    await link_account(sessions, KRYLOVA, "T1", locale="ru", messenger=side.messenger)
    async with running(db_url, FrozenClock(IN_CLASS), side, push_coalesce_seconds=0):
        krylova = side.person(KRYLOVA, "Нина")
        families = {chat: side.person(chat, "Семья") for chat in chats}  # known to the fake
        await side.say(krylova, "/lesson")
        [card] = await side.hears(krylova)
        await side.press(krylova, card, card.data("Оценки"))
        await side.hears(krylova)
        # Анна and Дмитрий (1, 2) get none; the 28 others a mark each, in list order.
        await side.say(krylova, "- - " + " ".join("5432"[n % 4] for n in range(28)))
        [preview] = await side.hears(krylova)
        assert preview.text.count(" — ") == 28
        await side.press(krylova, preview, preview.data("Сохранить (28)"))
        for family in families.values():
            [push] = await side.hears(family)
            assert "Алгебра" in push.text
        await asyncio.sleep(1.0)
        assert await _told_of_absences(sessions, EventKind.MARK_ADDED) == sorted(chats)
        # With 28 marks given the list and their corrections still fit MAX's 30 button rows.
        await side.press(krylova, card, card.data("Оценки"))
        _saved, again = await side.hears(krylova, count=2)
        await side.press(krylova, again, again.data("Исправить оценку (28)"))
        fixes = await side.sees_edit(krylova)
        assert len([b for b in fixes.buttons if b[1] and b[1].startswith("mf1")]) == 28
        assert side.refused() == []
