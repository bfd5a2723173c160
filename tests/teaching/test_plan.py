"""The calendar-thematic plan in a teacher's hands: progress, the next topic, a topic taken.

The tiny school (tests/bot/school.py) on its Monday 2026-11-30, with two plans of 7А:
algebra, Крылова's by name and dated; Russian, nobody's by name (Крылова teaches it per the
timetable), undated. Last week's lessons took algebra's topic 1 (typed in other case) and
Russian's topic 1; the other two lessons had topics of their own.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import AuditRecord, Lesson, LessonPlanItem, SchoolClass, Staff
from core.reader import Reader
from core.teaching.dto import LessonSlot, Refusal, WriteRefused
from core.teaching.lessons import open_sheet
from core.teaching.plan import (
    NotStaffError,
    PlanItemMismatchError,
    next_topic,
    plan_progress,
    take_plan_topic,
)
from tests.bot import school

TODAY, NOW = school.TODAY, school.NOW


def _plan(
    key: str, klass: str, subject: str, teacher: str, topics: list[str], dates: list[str]
) -> list[dict[str, str]]:
    return [
        {
            "id": f"{key}{number}",
            "class": klass,
            "subject": subject,
            "teacher": teacher,
            "number": str(number),
            "topic": topic,
            "date": dates[number - 1] if dates else "",
        }
        for number, topic in enumerate(topics, 1)
    ]


def _lesson(key: str, day: str, period: str, subject: str, topic: str) -> dict[str, str]:
    return {
        "id": key,
        "date": day,
        "period": period,
        "class": "C7A",
        "subject": subject,
        "teacher": "T1",
        "topic": topic,
    }


ALGEBRA = ["Повторение", "Квадратные уравнения", "Теорема Виета", "Дробные уравнения"]
RUSSIAN = ["Причастие", "Причастный оборот", "Деепричастие"]


@pytest.fixture
async def planned(sessions: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    dates = ["2026-11-23", "2026-11-24", "2026-11-30", "2026-12-01"]
    tables = {
        "plan": [
            *_plan("ALG-", "C7A", "ALG", "T1", ALGEBRA, dates),
            *_plan("RUS-", "C7A", "RUS", "", RUSSIAN, []),
            *_plan("5B-", "C5B", "ALG", "T1", ["Натуральные числа"], []),
        ],
        "lessons": [
            _lesson("L1", "2026-11-23", "1", "ALG", "  повторение "),
            _lesson("L2", "2026-11-24", "1", "ALG", "Самостоятельная работа"),
            _lesson("L3", "2026-11-23", "2", "RUS", "Причастие"),
            _lesson("L4", "2026-11-24", "2", "RUS", "Диктант"),
        ],
    }
    await service.import_rows(sessions, tables, now=NOW, today=TODAY)
    return sessions


async def _ids(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int, int]:
    async with sessions() as session:
        staff = dict((await session.execute(select(Staff.external_id, Staff.id))).all())
        class_7a = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
    return staff["T1"], staff["T2"], class_7a


async def _item(sessions: async_sessionmaker[AsyncSession], key: str) -> int:
    async with sessions() as session:
        return (
            await session.execute(
                select(LessonPlanItem.id).where(LessonPlanItem.external_id == key)
            )
        ).scalar_one()


def _teacher(staff_id: int) -> Reader:
    return Reader(label="test", staff_id=staff_id, today=TODAY)


async def test_progress_of_a_teachers_plans_by_name_and_by_timetable(
    planned: async_sessionmaker[AsyncSession],
) -> None:
    krylova, orlov, _ = await _ids(planned)
    async with planned() as session:
        plans = await plan_progress(session, _teacher(krylova), krylova, TODAY)
        his = await plan_progress(session, _teacher(orlov), orlov, TODAY)
        await session.commit()
    summary = [
        (p.class_name, p.subject, p.topics, p.covered, p.given, p.behind, p.next_topic)
        for p in plans
    ]
    assert [s[:6] for s in summary] == [
        ("5Б", "Алгебра", 1, 0, 0, 0),  # her plan by name, though no timetable yet
        # Dated: topic 2 was due on the 24th and no lesson took it; topic 3 is today's.
        ("7А", "Алгебра", 4, 1, 2, 1),
        # Undated: two lessons given, one topic taken.
        ("7А", "Русский язык", 3, 1, 2, 1),
    ]
    next_algebra, next_russian = summary[1][6], summary[2][6]
    assert next_algebra is not None
    assert next_algebra.number == 2
    assert next_algebra.topic == "Квадратные уравнения"
    assert next_russian is not None
    assert next_russian.topic == "Причастный оборот"
    assert his == ()  # Орлов covers a lesson today, he has no plan
    async with planned() as session:
        reads = (
            await session.execute(
                select(AuditRecord.actor_staff_id).where(AuditRecord.action == "read_plan")
            )
        ).scalars()
        assert set(reads) == {krylova, orlov}


async def test_only_the_teacher_reads_their_plans(
    planned: async_sessionmaker[AsyncSession],
) -> None:
    krylova, orlov, _ = await _ids(planned)
    async with planned() as session:
        for reader in (Reader(label="test", guardian_ids=(1,)), _teacher(orlov)):
            with pytest.raises(NotStaffError):
                await plan_progress(session, reader, krylova, TODAY)
        assert await plan_progress(session, Reader.operator("cli"), krylova, TODAY)


async def test_the_next_topic_and_one_tap_to_take_it(
    planned: async_sessionmaker[AsyncSession],
) -> None:
    krylova, _, class_7a = await _ids(planned)
    algebra = LessonSlot(TODAY, 1, class_7a)
    async with planned() as session:
        sheet = await open_sheet(session, _teacher(krylova), algebra, today=TODAY)
        offered = await next_topic(session, sheet.lesson_id)
        assert offered is not None
        assert offered.topic == "Квадратные уравнения"
        topic = await take_plan_topic(
            session, _teacher(krylova), algebra, offered.item_id, today=TODAY
        )
        assert topic == "Квадратные уравнения"
        # The lesson's own choice does not move the offer; for the next lesson it has moved.
        again = await next_topic(session, sheet.lesson_id)
        assert again is not None
        assert again.item_id == offered.item_id
        await session.commit()
    async with planned() as session:
        lesson = await session.get(Lesson, sheet.lesson_id)
        assert lesson is not None
        assert (lesson.topic, lesson.plan_item_id) == ("Квадратные уравнения", offered.item_id)
        plans = await plan_progress(session, _teacher(krylova), krylova, TODAY)
        done = next(p for p in plans if p.class_name == "7А" and p.subject == "Алгебра")
        assert (done.covered, done.given, done.behind) == (2, 3, 0)
        assert done.next_topic is not None
        assert done.next_topic.topic == "Теорема Виета"
        # A lesson that does not exist has no topic to offer.
        assert await next_topic(session, 10**9) is None


async def test_a_forged_item_or_a_lesson_not_hers_writes_nothing(
    planned: async_sessionmaker[AsyncSession],
) -> None:
    krylova, orlov, class_7a = await _ids(planned)
    algebra = LessonSlot(TODAY, 1, class_7a)
    russian_item = await _item(planned, "RUS-2")  # another subject of the same class
    other_class = await _item(planned, "5B-1")  # the same subject of another class
    algebra_item = await _item(planned, "ALG-2")
    async with planned() as session:
        for forged in (russian_item, other_class, 10**9):
            with pytest.raises(PlanItemMismatchError):
                await take_plan_topic(session, _teacher(krylova), algebra, forged, today=TODAY)
        # Орлов does not teach algebra; Крылова's Russian today is Орлов's to write.
        cases = [
            (orlov, algebra, algebra_item, Refusal.NOT_YOURS),
            (krylova, LessonSlot(TODAY, 2, class_7a), russian_item, Refusal.NOT_YOURS),
            (krylova, LessonSlot(date(2026, 12, 1), 1, class_7a), algebra_item, None),
        ]
        for staff, slot, item, refusal in cases:
            with pytest.raises(WriteRefused) as refused:
                await take_plan_topic(session, _teacher(staff), slot, item, today=TODAY)
            assert refused.value.refusal == (refusal or Refusal.OUTSIDE_WINDOW)
        await session.commit()
    async with planned() as session:
        taken = (
            await session.execute(select(Lesson.id).where(Lesson.plan_item_id.is_not(None)))
        ).all()
        topics = (await session.execute(select(Lesson.topic).where(Lesson.date == TODAY))).scalars()
    assert taken == []
    assert set(topics) <= {None}
