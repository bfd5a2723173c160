"""The subjects a question may name: those of the student's school (one indexed query)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Student, Subject


async def school_subjects(session: AsyncSession, student_id: int) -> dict[int, str]:
    """Subject id → name for the school of ``student_id``; no personal data is read."""
    school = select(Student.school_id).where(Student.id == student_id).scalar_subquery()
    rows = await session.execute(
        select(Subject.id, Subject.name).where(Subject.school_id == school)
    )
    return {row[0]: row[1] for row in rows}
