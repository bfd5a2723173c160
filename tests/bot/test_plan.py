"""``/plan`` in the chat: a teacher's plans, one line each; a parent is told it is for teachers.

The tiny school's Monday: Крылова's 7А algebra plan has four topics, planned one a school day
from the 23rd; last Monday's lesson took topic 1, last Tuesday's had a topic of its own, so
topic 2 (due on the 24th) is behind. Орлов has no plan. The teacher reads in English, whose
texts are the messages themselves (the Russian ones come with the catalogue).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import AuditRecord
from core.models.enums import Role
from tests.bot import school
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import link

KRYLOVA, ORLOV, OLGA = 50, 60, 10
MONDAY = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
TOPICS = ("Повторение", "Квадратные уравнения", "Теорема Виета", "Дробные <рациональные> уравнения")
DAYS = ("2026-11-23", "2026-11-24", "2026-11-30", "2026-12-01")


async def _plan(sessions: async_sessionmaker[AsyncSession]) -> None:
    rows = [
        {
            "class": "C7A",
            "subject": "ALG",
            "teacher": "T1",
            "number": str(number),
            "topic": topic,
            "date": day,
        }
        for number, (topic, day) in enumerate(zip(TOPICS, DAYS, strict=True), 1)
    ]
    lessons = [
        {"id": key, "date": day, "period": "1", "class": "C7A", "subject": "ALG", "topic": topic}
        for key, day, topic in (
            ("L1", "2026-11-23", "повторение"),
            ("L2", "2026-11-24", "Решение задач"),
        )
    ]
    await service.import_rows(
        sessions, {"plan": rows, "lessons": lessons}, now=school.NOW, today=school.TODAY
    )


async def test_a_teacher_sees_each_plan_on_one_line(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _plan(sessions)
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER, language="en")
    await link(driver, sessions, ORLOV, "T2", Role.TEACHER, language="en")
    driver.clock.move_to(MONDAY)
    answer = texts(await driver.send(driver.user(KRYLOVA, "en"), "/plan"))
    assert "Calendar-thematic plans" in answer
    assert (
        "<b>7А · Алгебра</b>: 1 of 4 topics, behind by 1 topic; next: Квадратные уравнения"
        in answer
    )
    none = texts(await driver.send(driver.user(ORLOV, "en"), "/plan"))
    assert "no calendar-thematic plan" in none
    assert "Алгебра" not in none
    async with sessions() as session:
        reads = (
            await session.execute(
                select(AuditRecord.details).where(AuditRecord.action == "read_plan")
            )
        ).scalars()
        assert sorted(d["plans"] for d in reads if d) == [0, 1]


async def test_a_topic_is_escaped_and_the_end_of_a_plan_is_said(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _plan(sessions)
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER, language="en")
    # Wednesday's lessons take topics 2 and 3, Thursday's the last (its text has markup).
    more = [
        {"id": f"X{n}", "date": day, "period": str(n), "class": "C7A", "subject": "ALG"}
        | {"topic": TOPICS[n - 1]}
        for n, day in ((2, "2026-11-25"), (3, "2026-11-25"), (4, "2026-11-26"))
    ]
    await service.import_rows(sessions, {"lessons": more}, now=school.NOW, today=school.TODAY)
    driver.clock.move_to(datetime(2026, 11, 25, 5, 0, tzinfo=UTC))
    wednesday = texts(await driver.send(driver.user(KRYLOVA, "en"), "/plan"))
    assert "3 of 4 topics, on schedule; next: Дробные &lt;рациональные&gt; уравнения" in wednesday
    driver.clock.move_to(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    thursday = texts(await driver.send(driver.user(KRYLOVA, "en"), "/plan"))
    assert "4 of 4 topics, on schedule; every topic is covered" in thursday
    # Back on the 24th: topic 2 is that day's, not behind before the day is over.
    driver.clock.move_to(datetime(2026, 11, 24, 5, 0, tzinfo=UTC))
    tuesday = texts(await driver.send(driver.user(KRYLOVA, "en"), "/plan"))
    assert "1 of 4 topics, on schedule; next: Квадратные уравнения" in tuesday


async def test_a_parent_is_told_it_is_for_teachers(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _plan(sessions)
    await link(driver, sessions, OLGA, "G1")
    answer = texts(await driver.send(driver.user(OLGA), "/plan"))
    assert answer == "Это только для учителей."
    async with sessions() as session:
        reads = (
            await session.execute(select(AuditRecord.id).where(AuditRecord.action == "read_plan"))
        ).all()
    assert reads == []
