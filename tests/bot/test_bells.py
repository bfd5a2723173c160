"""``/bells``, ``/timetable`` and ``/tomorrow`` ring each class's own bells of the day.

The tiny school (school.py) with bells as a Moscow school rings them: the plain rows from 08:00,
grades 5 and 7 from 08:15, grades 9–11 from 08:45 and, on Mondays, from 08:30 («Разговоры о
важном»). Ольга's Борис is in 5Б; her third child, Глеб, in 9В. Орлов teaches both on Monday.
Today is Monday 30 November.
"""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import create_sessionmaker
from core.exchange import service
from handlers.callbacks import PickChild
from tests.bot import school
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import AGREE, invite, link, student_id


def _bell(
    period: str, start: str, end: str, grades: str = "", weekdays: str = ""
) -> dict[str, str]:
    return {
        "shift": "1",
        "period": period,
        "start": start,
        "end": end,
        "grades": grades,
        "weekdays": weekdays,
    }


def _lesson(key: str, klass: str, subject: str, weekday: str, period: str) -> dict[str, str]:
    return {
        "id": key,
        "class": klass,
        "subject": subject,
        "teacher": "T2",
        "weekday": weekday,
        "period": period,
        "room": "101",
        "valid_from": "2026-09-01",
    }


def tables() -> dict[str, list[dict[str, str]]]:
    found = school.tables()
    found["bells"] = [
        _bell("1", "08:00", "08:45"),
        _bell("2", "08:55", "09:40"),
        _bell("1", "08:15", "09:00", grades="5,7"),
        _bell("2", "09:10", "09:55", grades="5,7"),
        _bell("1", "08:45", "09:30", grades="9-11"),
        _bell("2", "09:40", "10:25", grades="9-11"),
        _bell("1", "08:30", "09:00", grades="9-11", weekdays="пн"),
        _bell("2", "09:05", "09:50", grades="9-11", weekdays="пн"),
    ]
    found["classes"].append({"id": "C9V", "name": "9В", "year": "Y"})
    found["students"].append(
        {
            "id": "S4",
            "last_name": "Иванов",
            "first_name": "Глеб",
            "class": "C9V",
            "enrolled": "2026-09-01",
        }
    )
    olga = next(g for g in found["guardians"] if g["id"] == "G1")
    olga["students"] = "S1;S2;S4"
    found["timetable"] += [
        _lesson("TT5", "C5B", "ALG", "1", "1"),
        _lesson("TT6", "C5B", "ALG", "2", "1"),
        _lesson("TT7", "C9V", "RUS", "1", "2"),
        _lesson("TT8", "C9V", "RUS", "2", "1"),
    ]
    return found


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    sessions = create_sessionmaker(engine)
    await service.import_rows(sessions, tables(), now=school.NOW, today=school.TODAY)
    return sessions


async def _focus(driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], key: str) -> None:
    await driver.press(
        driver.user(10), PickChild(student_id=await student_id(sessions, key)).pack()
    )


async def test_bells_of_a_fifth_and_a_ninth_grader_on_the_same_day(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    olga = driver.user(10)

    await _focus(driver, sessions, "S2")
    boris = texts(await driver.send(olga, "/bells"))
    assert "<b>Звонки: 5Б, смена 1</b>\n\n1. 08:15–09:00\n    перемена 10 мин\n2. 09:10–09:55" in (
        boris
    )

    await _focus(driver, sessions, "S4")
    gleb = texts(await driver.send(olga, "/bells"))
    # The ninth grade rings otherwise on Mondays: the answer names the day.
    assert "<b>Звонки: 9В, смена 1</b>\nпонедельник, 30 ноября\n\n1. 08:30–09:00" in gleb
    assert "1. 08:30–09:00\n    перемена 5 мин\n2. 09:05–09:50" in gleb
    # Asked in words about another day, the answer is that day's bells.
    tuesday = texts(await driver.send(olga, "звонки во вторник"))
    assert "1. 08:45–09:30" in tuesday
    assert "08:30" not in tuesday


async def test_timetable_and_tomorrow_show_each_class_its_own_times(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    olga = driver.user(10)

    await _focus(driver, sessions, "S2")
    boris = texts(await driver.send(olga, "/timetable"))
    assert "понедельник, 30 ноября" in boris
    assert "1. 08:15–09:00 <b>Алгебра</b>" in boris
    assert "1. 08:15–09:00 <b>Алгебра</b>" in texts(await driver.send(olga, "/tomorrow"))

    await _focus(driver, sessions, "S4")
    gleb = texts(await driver.send(olga, "/timetable"))
    assert "понедельник, 30 ноября" in gleb
    assert "2. 09:05–09:50 <b>Русский язык</b>" in gleb  # Monday's own bells
    tomorrow = texts(await driver.send(olga, "/tomorrow"))
    assert "вторник, 1 декабря" in tomorrow
    assert "1. 08:45–09:30 <b>Русский язык</b>" in tomorrow  # the parallel's everyday bells

    await _focus(driver, sessions, "S1")
    anna = texts(await driver.send(olga, "/timetable"))
    assert "1. 08:15–09:00 <b>Алгебра</b>" in anna  # 7А rings with the fifth grade


async def test_a_teacher_of_both_sees_each_lesson_at_its_class_s_time(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    teacher = driver.user(50)
    await driver.send(teacher, f"/start {await invite(sessions, 'T2', None)}")
    await driver.press(teacher, AGREE)
    answer = texts(await driver.send(teacher, "/timetable"))
    assert "1. 08:15–09:00 <b>Алгебра</b> · каб. 101 · 5Б" in answer
    assert "2. 09:05–09:50 <b>Русский язык</b> · каб. 101 · 9В" in answer
