"""The tiny school of the bot tests, plus the staff every role needs and an English group.

Staff: T1 Крылова (teacher, leads 7А, teaches 7А algebra and Russian), T2 Орлов (teacher),
T3 Вебер (teacher of 7А's English group 1, whose only member is Анна), T4 завуч, T5 секретарь,
T6 социальный педагог (Дмитрий is in her care), T7 a teacher of 7А who left on TODAY,
T8 a teacher who leads 5Б without teaching it, T9 the admin, T10 the psychologist (Анна is
in her care). Дмитрий is in 7А's English group 2, which nobody teaches yet.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import Guardian, Staff, Student, StudentAssignment
from core.reader import Reader
from tests.bot import school

TODAY = school.TODAY


def _staff(key: str, last: str, roles: str, **extra: str) -> dict[str, str]:
    return {"id": key, "last_name": last, "first_name": "Имя", "roles": roles, **extra}


def tables() -> dict[str, list[dict[str, Any]]]:
    data = school.tables()
    data["subjects"].append({"id": "ENG", "name": "Английский язык"})
    data["staff"] += [
        _staff("T3", "Вебер", "teacher"),
        _staff("T4", "Завучева", "head_teacher;teacher"),
        _staff("T5", "Секретарёва", "secretary"),
        _staff("T6", "Соцпедагогова", "social_pedagogue"),
        _staff("T7", "Ушедшая", "teacher", left=TODAY.isoformat()),
        _staff("T8", "Классная", "teacher"),
        _staff("T9", "Админова", "admin"),
        _staff("T10", "Психологова", "psychologist"),
    ]
    for row in data["classes"]:
        if row["id"] == "C5B":
            row["class_teacher"] = "T8"
    data["groups"] = [
        {"id": "G7A-ENG-1", "class": "C7A", "subject": "ENG", "name": "1 группа"},
        {"id": "G7A-ENG-2", "class": "C7A", "subject": "ENG", "name": "2 группа"},
    ]
    data["group_members"] = [
        {"group": "G7A-ENG-1", "student": "S1", "joined": "2026-09-01"},
        {"group": "G7A-ENG-2", "student": "S3", "joined": "2026-09-01"},
    ]
    data["timetable"] += [
        {
            "id": "TT5",
            "class": "C7A",
            "group": "G7A-ENG-1",
            "subject": "ENG",
            "teacher": "T3",
            "weekday": "3",
            "period": "1",
            "room": "12",
            "valid_from": "2026-09-01",
        },
        {
            "id": "TT6",
            "class": "C7A",
            "subject": "RUS",
            "teacher": "T7",
            "weekday": "4",
            "period": "1",
            "room": "12",
            "valid_from": "2026-09-01",
        },
    ]
    return data


async def load(sessions: async_sessionmaker[AsyncSession]) -> None:
    await service.import_rows(sessions, tables(), now=school.NOW, today=TODAY)
    async with sessions() as session:
        pedagogue = await staff_id(session, "T6")
        dmitry = await student_id(session, "S3")
        session.add(StudentAssignment(staff_id=pedagogue, student_id=dmitry, assigned_on=None))
        psychologist = await staff_id(session, "T10")
        anna = await student_id(session, "S1")
        session.add(StudentAssignment(staff_id=psychologist, student_id=anna, assigned_on=None))
        await session.commit()


async def _id(session: AsyncSession, model: Any, key: str) -> int:
    found: int = (
        await session.execute(select(model.id).where(model.external_id == key))
    ).scalar_one()
    return found


async def student_id(session: AsyncSession, key: str) -> int:
    return await _id(session, Student, key)


async def staff_id(session: AsyncSession, key: str) -> int:
    return await _id(session, Staff, key)


async def guardian_reader(session: AsyncSession, key: str, on: date = TODAY) -> Reader:
    return Reader(
        "telegram", account_id=1, guardian_ids=(await _id(session, Guardian, key),), today=on
    )


async def student_reader(session: AsyncSession, key: str, on: date = TODAY) -> Reader:
    return Reader("telegram", account_id=2, student_id=await student_id(session, key), today=on)


async def staff_reader(session: AsyncSession, key: str, on: date = TODAY) -> Reader:
    return Reader("telegram", account_id=3, staff_id=await staff_id(session, key), today=on)
