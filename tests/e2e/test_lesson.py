"""A teacher's roll-call and marks in class reach the family at once, in both messengers.

Monday 08:20 at the tiny school: Крылова's algebra with 7А is in progress. She takes the
roll-call in three taps (open it, Дмитрий → Н, Save) and gives marks from one message; Павел,
Дмитрий's father, gets the absence and the mark as pushes in his own chat."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from tests.bot import school
from tests.e2e.sides import Side, running
from tests.notify.families import link_account, processed_everything

KRYLOVA, PAVEL = 50, 20
IN_CLASS = datetime(2026, 11, 30, 3, 20, tzinfo=UTC)  # 08:20 at the school


async def test_a_roll_call_and_marks_in_class_reach_the_family(
    side: Side, db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, KRYLOVA, "T1", locale="ru", messenger=side.messenger)
    await link_account(sessions, PAVEL, "G2", locale="ru", messenger=side.messenger)
    async with running(db_url, FrozenClock(IN_CLASS), side, push_coalesce_seconds=0):
        krylova, pavel = side.person(KRYLOVA, "Нина"), side.person(PAVEL, "Павел")
        await side.say(krylova, "/lesson")
        [card] = await side.hears(krylova)
        assert "Алгебра · 7А, урок 1" in card.text
        await side.press(krylova, card, card.data("Перекличка"))
        [roll] = await side.hears(krylova)
        await side.press(krylova, roll, roll.data("2. Петров"))
        tapped = await side.sees_edit(krylova)
        await side.press(krylova, tapped, tapped.data("Сохранить"))
        [absence] = await side.hears(pavel)
        assert "Дмитрий" in absence.text
        assert "пропуск 1-го урока" in absence.text

        await side.press(krylova, card, card.data("Оценки"))
        saved_roll_and_prompt = await side.hears(krylova, count=2)
        assert any("Оценки:" in said.text for said in saved_roll_and_prompt)
        await side.say(krylova, "- 5")
        [preview] = await side.hears(krylova)
        assert "2. Петров Дмитрий — 5" in preview.text
        await side.press(krylova, preview, preview.data("Сохранить"))
        [mark] = await side.hears(pavel)
        assert "5" in mark.text
        assert "Алгебра" in mark.text
        assert side.refused() == []


async def test_a_save_is_kept_when_the_reply_to_the_teacher_fails(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Telegram refuses the "saved" reply (429) and the apology: the marks are stored anyway."""
    from sqlalchemy import select

    from core.models import Mark
    from tests.e2e.sides import TelegramSide
    from tests.fake_telegram import FakeTelegram

    await processed_everything(sessions, school.NOW)
    await link_account(sessions, KRYLOVA, "T1", locale="ru")
    async with FakeTelegram() as tg:
        side = TelegramSide(tg)
        async with running(db_url, FrozenClock(IN_CLASS), side):
            krylova = side.person(KRYLOVA, "Нина")
            await side.say(krylova, "/lesson")
            [card] = await side.hears(krylova)
            await side.press(krylova, card, card.data("Оценки"))
            await side.hears(krylova)
            await side.say(krylova, "- 5")
            [preview] = await side.hears(krylova)
            tg.flood_next(2, method="sendMessage")
            await side.press(krylova, preview, preview.data("Сохранить"))
            for _ in range(50):
                if not tg.pending_faults:
                    break
                await asyncio.sleep(0.1)
            assert tg.pending_faults == []  # both the reply and the apology were refused
            await asyncio.sleep(0.3)
    async with sessions() as session:
        stored = (
            (await session.execute(select(Mark.value).where(Mark.external_id.like("bot-%"))))
            .scalars()
            .all()
        )
    assert stored == ["5"]
