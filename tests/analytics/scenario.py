"""Small constructed scenarios on the tiny school (tests/bot/school.py): its 7А (Анна S1 and
Дмитрий S3, class teacher Крылова T1), 2nd quarter 9.11–27.12, with lessons, marks and
absences of our choosing, loaded through the real importer."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.analytics.risk import DEFAULT_RULES, RiskRules, detect_school
from core.exchange import service
from core.models import School, Student, Subject
from core.models.enums import RiskKind
from tests.bot import school

TZ = ZoneInfo("Asia/Yekaterinburg")
ANNA, DMITRY = "S1", "S3"
SOCIAL_PEDAGOGUE = "T3"


def at_four(day: date) -> datetime:
    """16:00 at the school on ``day``, when the job runs."""
    return datetime.combine(day, time(16, 0), TZ).astimezone(UTC)


def lesson(key: str, subject: str, day: str, period: int = 1) -> dict[str, str]:
    return {
        "id": key,
        "date": day,
        "period": str(period),
        "class": "C7A",
        "subject": subject,
        "teacher": "T1",
    }


def mark(
    key: str,
    student: str,
    subject: str,
    day: str,
    value: str,
    *,
    control: bool = False,
    lesson_id: str = "",
) -> dict[str, str]:
    return {
        "id": key,
        "student": student,
        "subject": subject,
        "date": day,
        "value": value,
        "work_type": "CTRL" if control else "ANS",
        "teacher": "T1",
        "lesson": lesson_id,
    }


def absent(student: str, day: str, period: int | None, code: str = "Н") -> dict[str, str]:
    return {
        "student": student,
        "date": day,
        "period": "" if period is None else str(period),
        "code": code,
        "comment": "ОРВИ, справка" if code == "Б" else "",
    }


def tables(
    *,
    lessons: list[dict[str, str]] | None = None,
    marks: list[dict[str, str]] | None = None,
    attendance: list[dict[str, str]] | None = None,
) -> dict[str, list[dict[str, str]]]:
    """The tiny school with these lessons, marks and absences instead of its own, and a social
    pedagogue (T3)."""
    found: dict[str, Any] = school.tables()
    found["lessons"] = lessons or []
    found["marks"] = marks or []
    found["attendance"] = attendance or []
    found["staff"] = [
        *found["staff"],
        {
            "id": SOCIAL_PEDAGOGUE,
            "last_name": "Соколова",
            "first_name": "Вера",
            "middle_name": "Андреевна",
            "roles": "social_pedagogue",
        },
    ]
    return found


async def load(
    sessions: async_sessionmaker[AsyncSession], rows: dict[str, list[dict[str, str]]]
) -> None:
    await service.import_rows(sessions, rows, now=school.NOW, today=school.TODAY)


async def detect(
    sessions: async_sessionmaker[AsyncSession], day: date, rules: RiskRules = DEFAULT_RULES
) -> set[tuple[str, str, RiskKind, str | None]]:
    """(pupil, subject, kind, detail) of every case on ``day``, by the school's own ids."""
    async with sessions() as session:
        school_id = (await session.execute(select(School.id))).scalar_one()
        risks = await detect_school(session, school_id, day, rules)
        pupils = {
            row[0]: row[1] for row in await session.execute(select(Student.id, Student.external_id))
        }
        subjects = {
            row[0]: row[1] for row in await session.execute(select(Subject.id, Subject.external_id))
        }
    return {
        (str(pupils[r.student_id]), str(subjects[r.subject_id]), r.kind, r.detail) for r in risks
    }


def kinds(found: set[tuple[str, str, RiskKind, str | None]]) -> set[tuple[str, str, RiskKind]]:
    return {(pupil, subject, kind) for pupil, subject, kind, _ in found}
