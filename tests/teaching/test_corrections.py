"""Corrections: changed or deleted with a reason, audited, judged; a correction soon after the
mark leaves the family one push, with the final value."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models import AuditRecord, Mark, SchoolClass, Staff
from core.reader import Reader
from core.teaching.corrections import CorrectionError, correct_mark
from core.teaching.dto import LessonSlot, Refusal, WriteRefused
from core.teaching.marks import parse_marks, save_marks
from tests.bot import school
from tests.fake_telegram import FakeTelegram
from tests.notify.families import link_account, processed_everything
from tests.notify.notifier_kit import make_notifier, texts_by_chat

PAVEL = 20  # Дмитрий's father


async def _setup(sessions: async_sessionmaker[AsyncSession]) -> tuple[Reader, Reader, int]:
    """Крылова and Орлов as readers, and Дмитрий's fresh 5 in Monday's algebra."""
    async with sessions() as session:
        staff = dict((await session.execute(select(Staff.external_id, Staff.id))).all())
        class_7a = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
    krylova = Reader(label="test", staff_id=staff["T1"], today=school.TODAY)
    orlov = Reader(label="test", staff_id=staff["T2"], today=school.TODAY)
    async with sessions() as session:
        await save_marks(
            session,
            krylova,
            LessonSlot(school.TODAY, 1, class_7a),
            parse_marks("- 5", 2),
            work_type_id=None,
            now=school.NOW,
            today=school.TODAY,
        )
        await session.commit()
        mark_id = (
            await session.execute(select(Mark.id).where(Mark.external_id.like("bot-mark-%")))
        ).scalar_one()
    return krylova, orlov, mark_id


async def test_a_correction_within_the_window_leaves_one_push_with_the_final_value(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, PAVEL, "G2", locale="ru")
    krylova, _orlov, mark_id = await _setup(sessions)
    async with sessions() as session:
        done = await correct_mark(
            session,
            krylova,
            mark_id,
            "4",
            "перепутала строку",
            now=school.NOW + timedelta(seconds=20),
            today=school.TODAY,
        )
        await session.commit()
    assert (done.before, done.after) == ("5", "4")
    async with FakeTelegram() as tg:
        tg.user(PAVEL)
        notifier = make_notifier(tg, sessions, clock, window=60)
        clock.advance(timedelta(seconds=90))
        await notifier.run_until_idle(patience=30)
        pushed = texts_by_chat(tg).get(PAVEL, [])
    assert len(pushed) == 1, pushed
    assert "4" in pushed[0]
    assert "5" not in pushed[0].replace("2026", "")
    async with sessions() as session:
        audit = (
            await session.execute(
                select(AuditRecord.details).where(AuditRecord.action == "mark_corrected")
            )
        ).scalar_one()
    assert audit["reason"] == "перепутала строку"
    assert (audit["from"], audit["to"]) == ("5", "4")


async def test_a_deletion_needs_a_reason_and_the_lessons_teacher(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    krylova, orlov, mark_id = await _setup(sessions)
    async with sessions() as session:
        with pytest.raises(CorrectionError):
            await correct_mark(
                session, krylova, mark_id, None, "  ", now=school.NOW, today=school.TODAY
            )
        with pytest.raises(CorrectionError):
            await correct_mark(
                session, krylova, mark_id, "6", "ошибка", now=school.NOW, today=school.TODAY
            )
        with pytest.raises(WriteRefused) as refused:
            await correct_mark(
                session, orlov, mark_id, None, "не мой урок", now=school.NOW, today=school.TODAY
            )
        assert refused.value.refusal == Refusal.NOT_YOURS
        late = school.TODAY + timedelta(days=8)
        with pytest.raises(WriteRefused) as refused:
            await correct_mark(
                session,
                Reader(label="test", staff_id=krylova.staff_id, today=late),
                mark_id,
                None,
                "поздно",
                now=school.NOW,
                today=late,
            )
        assert refused.value.refusal == Refusal.OUTSIDE_WINDOW
        done = await correct_mark(
            session, krylova, mark_id, None, "не тот ученик", now=school.NOW, today=school.TODAY
        )
        await session.commit()
        left = (
            await session.execute(select(Mark.deleted_at).where(Mark.id == mark_id))
        ).scalar_one()
    assert done.after is None
    assert left is not None
