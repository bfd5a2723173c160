"""Absence corrections: changed or removed with a reason, audited, judged like every write to the
lesson; a removal soon after the roll-call leaves the family no push, a change one push with the
final code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models import Attendance, AuditRecord, OutboxEvent, SchoolClass, Staff, Student
from core.models.enums import AttendanceCode, EventKind
from core.reader import Reader
from core.teaching.absences import CorrectionError, correct_absence, lesson_absences
from core.teaching.dto import LessonSlot, Refusal, WriteRefused
from core.teaching.rollcall import save_roll_call
from tests.bot import school
from tests.fake_telegram import FakeTelegram
from tests.notify.families import link_account, processed_everything
from tests.notify.notifier_kit import make_notifier, texts_by_chat

PAVEL = 20  # Дмитрий's father


async def _setup(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[Reader, Reader, int, int]:
    """Крылова and Орлов as readers; Дмитрий marked Н at Monday's algebra by Крылова."""
    async with sessions() as session:
        staff = dict((await session.execute(select(Staff.external_id, Staff.id))).all())
        class_7a = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
        dmitry = (
            await session.execute(select(Student.id).where(Student.external_id == "S3"))
        ).scalar_one()
    krylova = Reader(label="test", staff_id=staff["T1"], today=school.TODAY)
    orlov = Reader(label="test", staff_id=staff["T2"], today=school.TODAY)
    async with sessions() as session:
        await save_roll_call(
            session,
            krylova,
            LessonSlot(school.TODAY, 1, class_7a),
            {dmitry: AttendanceCode.ABSENT},
            now=school.NOW,
            today=school.TODAY,
        )
        await session.commit()
        absence = (
            await session.execute(
                select(Attendance.id).where(Attendance.external_id.like("bot-absence-%"))
            )
        ).scalar_one()
    return krylova, orlov, absence, dmitry


async def _row(sessions: async_sessionmaker[AsyncSession], absence: int) -> Attendance:
    async with sessions() as session:
        return (
            await session.execute(select(Attendance).where(Attendance.id == absence))
        ).scalar_one()


async def test_a_change_then_a_removal_with_reasons_audited(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    krylova, _orlov, absence, dmitry = await _setup(sessions)
    async with sessions() as session:
        late = await correct_absence(
            session,
            krylova,
            absence,
            AttendanceCode.LATE,
            "пришёл ко второй минуте",
            now=school.NOW,
            today=school.TODAY,
        )
        await session.commit()
    assert (late.student_id, late.before, late.after) == (
        dmitry,
        AttendanceCode.ABSENT,
        AttendanceCode.LATE,
    )
    assert AttendanceCode((await _row(sessions, absence)).code) == AttendanceCode.LATE
    async with sessions() as session:
        gone = await correct_absence(
            session, krylova, absence, None, "был на уроке", now=school.NOW, today=school.TODAY
        )
        await session.commit()
        lesson_id = (await _row(sessions, absence)).lesson_id
        assert lesson_id is not None
        listed = await lesson_absences(session, lesson_id)
        audit = (
            (
                await session.execute(
                    select(AuditRecord.details)
                    .where(AuditRecord.action == "absence_corrected")
                    .order_by(AuditRecord.id)
                )
            )
            .scalars()
            .all()
        )
    assert gone.after is None
    assert (await _row(sessions, absence)).deleted_at is not None
    assert listed == ()
    assert [(a["from"], a["to"], a["reason"]) for a in audit] == [
        ("absent", "late", "пришёл ко второй минуте"),
        ("late", None, "был на уроке"),
    ]


async def test_a_reason_and_the_lessons_teacher_are_required(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    krylova, orlov, absence, _dmitry = await _setup(sessions)
    async with sessions() as session:
        with pytest.raises(CorrectionError):
            await correct_absence(
                session, krylova, absence, None, "   ", now=school.NOW, today=school.TODAY
            )
        with pytest.raises(CorrectionError):
            await correct_absence(
                session, krylova, absence, None, "x" * 201, now=school.NOW, today=school.TODAY
            )
        with pytest.raises(CorrectionError):  # a reason is the class teacher's, not a fix
            await correct_absence(
                session,
                krylova,
                absence,
                AttendanceCode.ILL,
                "болел",
                now=school.NOW,
                today=school.TODAY,
            )
        with pytest.raises(WriteRefused) as refused:
            await correct_absence(
                session, orlov, absence, None, "не мой урок", now=school.NOW, today=school.TODAY
            )
        assert refused.value.refusal == Refusal.NOT_YOURS
        late = school.TODAY + timedelta(days=8)
        with pytest.raises(WriteRefused) as refused:
            await correct_absence(
                session,
                Reader(label="test", staff_id=krylova.staff_id, today=late),
                absence,
                None,
                "поздно",
                now=school.NOW,
                today=late,
            )
        assert refused.value.refusal == Refusal.OUTSIDE_WINDOW
        await session.commit()
    row = await _row(sessions, absence)
    assert row.deleted_at is None
    assert AttendanceCode(row.code) == AttendanceCode.ABSENT


async def test_a_forged_or_stale_id_is_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    krylova, orlov, absence, _dmitry = await _setup(sessions)
    async with sessions() as session:
        with pytest.raises(WriteRefused) as refused:
            await correct_absence(
                session, krylova, absence + 1000, None, "нет", now=school.NOW, today=school.TODAY
            )
        assert refused.value.refusal == Refusal.NO_SUCH_LESSON
        # Анна's imported Н at Russian (period 2): Орлов covers it today, Крылова does not.
        imported = (
            await session.execute(select(Attendance.id).where(Attendance.external_id == "A1"))
        ).scalar_one()
        with pytest.raises(WriteRefused) as refused:
            await correct_absence(
                session, krylova, imported, None, "чужой", now=school.NOW, today=school.TODAY
            )
        assert refused.value.refusal == Refusal.NOT_YOURS
        done = await correct_absence(
            session,
            orlov,
            imported,
            AttendanceCode.LATE,
            "опоздала",
            now=school.NOW,
            today=school.TODAY,
        )
        assert done.after == AttendanceCode.LATE
        await correct_absence(
            session, krylova, absence, None, "был", now=school.NOW, today=school.TODAY
        )
        await session.commit()
    async with sessions() as session:
        with pytest.raises(WriteRefused) as refused:  # already removed: a stale button
            await correct_absence(
                session, krylova, absence, None, "ещё раз", now=school.NOW, today=school.TODAY
            )
        assert refused.value.refusal == Refusal.NO_SUCH_LESSON


async def _pushes(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, advance: float
) -> list[str]:
    async with FakeTelegram() as tg:
        tg.user(PAVEL)
        notifier = make_notifier(tg, sessions, clock, window=60)
        clock.advance(timedelta(seconds=advance))
        await notifier.run_until_idle(patience=30)
        return texts_by_chat(tg).get(PAVEL, [])


async def test_removed_within_the_window_the_family_hears_nothing(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, PAVEL, "G2", locale="ru")
    krylova, _orlov, absence, _dmitry = await _setup(sessions)
    async with sessions() as session:
        await correct_absence(
            session,
            krylova,
            absence,
            None,
            "перепутала ученика",
            now=school.NOW + timedelta(seconds=20),
            today=school.TODAY,
        )
        await session.commit()
        events = (
            await session.execute(
                select(OutboxEvent.payload).where(
                    OutboxEvent.kind == EventKind.ABSENCE_RECORDED,
                    OutboxEvent.object_id == absence,
                )
            )
        ).all()
    assert len(events) == 2  # the roll-call's, and the removal superseding it
    assert await _pushes(sessions, clock, 90) == []


async def test_changed_within_the_window_one_push_with_the_final_code(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, PAVEL, "G2", locale="ru")
    krylova, _orlov, absence, _dmitry = await _setup(sessions)
    async with sessions() as session:
        await correct_absence(
            session,
            krylova,
            absence,
            AttendanceCode.LATE,
            "опоздал",
            now=school.NOW + timedelta(seconds=20),
            today=school.TODAY,
        )
        await session.commit()
    pushed = await _pushes(sessions, clock, 90)
    assert len(pushed) == 1, pushed
    assert "опоздание на 1-й урок" in pushed[0]
    assert "пропуск" not in pushed[0]


async def test_removed_after_the_push_went_out_nothing_more_is_pushed(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, PAVEL, "G2", locale="ru")
    krylova, _orlov, absence, _dmitry = await _setup(sessions)
    first = await _pushes(sessions, clock, 1)
    assert len(first) == 1
    assert "пропуск 1-го урока" in first[0]
    async with sessions() as session:
        await correct_absence(
            session, krylova, absence, None, "был", now=clock.now(), today=school.TODAY
        )
        await session.commit()
    assert await _pushes(sessions, clock, 120) == []
