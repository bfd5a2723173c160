"""The access world plus a pupil who moved: Пётр Переводов, 7А → 7Б on TRANSFER.

Пётр was in 7А from 1 September (and in 7А's English group 1, taught by T3, until TRANSFER),
then in 7Б. 7Б is led by T11 Новикова; T12 Рябова teaches 7А by the timetable (no lead),
T13 Сомов teaches 7Б by the teaching load. Пётр's marks, absences and homework fall on both
sides of the transfer: BEFORE is in 7А's time, AFTER in 7Б's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import SchoolClass, Subject, TeachingAssignment
from tests.access import world
from tests.bot import school

TRANSFER = date(2026, 11, 16)  # a Monday
BEFORE = date(2026, 11, 10)
AFTER = date(2026, 11, 20)
WEEK_BEFORE = (date(2026, 11, 9), date(2026, 11, 13))
WEEK_AFTER = (date(2026, 11, 16), date(2026, 11, 20))
ACROSS = (date(2026, 11, 9), date(2026, 11, 20))


Rows = dict[str, list[dict[str, Any]]]


def _in_7a(transfer: date = TRANSFER, more: Rows | None = None) -> Rows:
    data = world.tables()
    for table, rows in (more or {}).items():
        data.setdefault(table, []).extend(dict(row) for row in rows)
    data["classes"].append({"id": "C7B", "name": "7Б", "year": "Y", "class_teacher": "T11"})
    data["staff"] += [
        {"id": "T11", "last_name": "Новикова", "first_name": "Имя", "roles": "teacher"},
        {"id": "T12", "last_name": "Рябова", "first_name": "Имя", "roles": "teacher"},
        {"id": "T13", "last_name": "Сомов", "first_name": "Имя", "roles": "teacher"},
    ]
    data["students"].append(
        {
            "id": "S9",
            "last_name": "Переводов",
            "first_name": "Пётр",
            "class": "C7A",
            "enrolled": "2026-09-01",
        }
    )
    data["group_members"].append(
        {
            "group": "G7A-ENG-1",
            "student": "S9",
            "joined": "2026-09-01",
            "left": transfer.isoformat(),
        }
    )
    data["timetable"].append(
        {
            "id": "TT7",
            "class": "C7A",
            "subject": "RUS",
            "teacher": "T12",
            "weekday": "5",
            "period": "1",
            "room": "305",
            "valid_from": "2026-09-01",
        }
    )
    data["marks"] += [
        mark_row("M91", BEFORE, "5", "T1"),
        mark_row("M92", AFTER, "3", "T11"),
    ]
    data["attendance"] += [
        {"id": "A91", "student": "S9", "date": BEFORE.isoformat(), "period": "1", "code": "Н"},
        {"id": "A92", "student": "S9", "date": AFTER.isoformat(), "period": "1", "code": "Н"},
    ]
    data["homework"] += [
        homework_row("HW91", "C7A", BEFORE, "До перевода"),
        homework_row("HW92", "C7B", AFTER, "После перевода"),
    ]
    return data


def mark_row(key: str, day: date, value: str, teacher: str) -> dict[str, str]:
    return {
        "id": key,
        "student": "S9",
        "subject": "ALG",
        "date": day.isoformat(),
        "value": value,
        "work_type": "ANS",
        "teacher": teacher,
    }


def homework_row(key: str, klass: str, due: date, text: str) -> dict[str, str]:
    return {
        "id": key,
        "class": klass,
        "subject": "ALG",
        "assigned": due.isoformat(),
        "due": due.isoformat(),
        "text": text,
    }


def tables(transfer: date = TRANSFER, more: Rows | None = None) -> Rows:
    """The school after the transfer, as its next file says it."""
    data = _in_7a(transfer, more)
    for row in data["students"]:
        if row["id"] == "S9":
            row["class"] = "C7B"
            row["class_since"] = transfer.isoformat()
    return data


async def load(
    sessions: async_sessionmaker[AsyncSession],
    transfer: date = TRANSFER,
    more: Rows | None = None,
) -> None:
    """Two imports: Пётр in 7А, then the file that moves him to 7Б on ``transfer`` (TRANSFER
    by default); ``more`` adds rows to both files."""
    await service.import_rows(sessions, _in_7a(transfer, more), now=school.NOW, today=world.TODAY)
    await service.import_rows(sessions, tables(transfer, more), now=school.NOW, today=world.TODAY)
    async with sessions() as session:
        await world_extras(session)
        await session.commit()


async def world_extras(session: AsyncSession) -> None:
    """Сомов's teaching load in 7Б: the exchange files carry no teaching load."""
    class_7b = (
        await session.execute(
            select(SchoolClass.id, SchoolClass.school_id).where(SchoolClass.external_id == "C7B")
        )
    ).one()
    algebra = (
        await session.execute(select(Subject.id).where(Subject.external_id == "ALG"))
    ).scalar_one()
    session.add(
        TeachingAssignment(
            school_id=class_7b.school_id,
            staff_id=await world.staff_id(session, "T13"),
            class_id=class_7b.id,
            subject_id=algebra,
        )
    )
