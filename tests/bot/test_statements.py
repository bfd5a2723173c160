"""Each answer costs a fixed number of SQL statements, however many subjects or marks there are.

The same commands are counted for Анна twice: in the tiny school, then after eight more subjects
with five marks, homework and attendance each have been imported.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.exchange import service
from tests.bot import school
from tests.bot.driver import ChatDriver
from tests.bot.helpers import AGREE, invite
from tests.services.test_audit_and_statements import counting

COMMANDS = [
    "/marks",
    "/term",
    "/timetable",
    "/tomorrow",
    "/homework",
    "/changes",
    "/attendance",
    "/debts",
    "/events",
    "/bells",
    "/whatif алгебра",
    "оценки по алгебре",
    "что задали на завтра",
]


def more_of_everything() -> dict[str, list[dict[str, Any]]]:
    data = school.tables()
    subjects = [{"id": f"X{n}", "name": f"Предмет {n}"} for n in range(8)]
    marks, homework, attendance = [], [], []
    for n, subject in enumerate(subjects):
        for day in range(23, 28):
            marks.append(
                {
                    "id": f"MX{n}-{day}",
                    "student": "S1",
                    "subject": subject["id"],
                    "date": f"2026-11-{day}",
                    "value": "54321"[(n + day) % 5],
                    "work_type": ("ANS", "CTRL")[day % 2],
                    "teacher": "T1",
                }
            )
        homework.append(
            {
                "id": f"HX{n}",
                "class": "C7A",
                "subject": subject["id"],
                "teacher": "T1",
                "assigned": "2026-11-30",
                "due": "2026-12-01",
                "text": f"Задание {n}",
            }
        )
        attendance.append(
            {
                "id": f"AX{n}",
                "student": "S1",
                "date": f"2026-11-{10 + n}",
                "period": "1",
                "code": "Н",
            }
        )
    data["subjects"] += subjects
    data["marks"] += marks
    data["homework"] += homework
    data["attendance"] += attendance
    return data


async def count(driver: ChatDriver, engine: AsyncEngine, text: str) -> int:
    with counting(engine) as statements:
        await driver.send(driver.user(10), text)
    return len(statements)


@pytest.mark.parametrize("command", COMMANDS)
async def test_answers_cost_the_same_with_more_subjects_and_marks(
    driver: ChatDriver,
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    command: str,
) -> None:
    olga = driver.user(10)
    await driver.send(olga, f"/start {await invite(sessions, 'G1')}")
    await driver.press(olga, AGREE)
    await driver.send(olga, command)  # warm up
    few = await count(driver, engine, command)
    await service.import_rows(sessions, more_of_everything(), now=school.NOW, today=school.TODAY)
    many = await count(driver, engine, command)
    assert few == many, (command, few, many)
    # /tomorrow is the dearest: two timetables, the next school day and homework, each checked.
    assert many <= 45, (command, many)
