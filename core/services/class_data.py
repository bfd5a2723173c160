"""A class with its school's week and its academic year; the school's holidays.

One indexed query each; ``HolidayInfo.covers`` applies a holiday's grade range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import AcademicYear, Holiday, School, SchoolClass, TermKind
from core.services.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class ClassInfo:
    id: int
    school_id: int
    name: str
    grade: int
    shift: int
    term_kind: TermKind
    academic_year_id: int
    year_starts_on: date
    year_ends_on: date
    days_per_week: int


async def load_classes(session: AsyncSession, class_ids: set[int]) -> dict[int, ClassInfo]:
    rows = await session.execute(
        select(
            SchoolClass.id,
            SchoolClass.school_id,
            SchoolClass.name,
            SchoolClass.grade,
            SchoolClass.shift,
            SchoolClass.term_kind,
            SchoolClass.academic_year_id,
            AcademicYear.starts_on,
            AcademicYear.ends_on,
            School.days_per_week,
        )
        .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)
        .join(School, School.id == SchoolClass.school_id)
        .where(SchoolClass.id.in_(class_ids))
    )
    return {
        row[0]: ClassInfo(
            id=row[0],
            school_id=row[1],
            name=row[2],
            grade=row[3],
            shift=row[4],
            term_kind=row[5],
            academic_year_id=row[6],
            year_starts_on=row[7],
            year_ends_on=row[8],
            days_per_week=row[9],
        )
        for row in rows
    }


async def load_class(session: AsyncSession, class_id: int) -> ClassInfo:
    info = (await load_classes(session, {class_id})).get(class_id)
    if info is None:
        raise NotFoundError("class", class_id)
    return info


@dataclass(frozen=True, slots=True)
class HolidayInfo:
    name: str
    starts_on: date
    ends_on: date
    grade_from: int | None
    grade_to: int | None

    def covers(self, grade: int, day: date) -> bool:
        return (
            self.starts_on <= day <= self.ends_on
            and (self.grade_from is None or self.grade_from <= grade)
            and (self.grade_to is None or grade <= self.grade_to)
        )


async def load_holidays(
    session: AsyncSession, school_id: int, start: date, end: date
) -> tuple[HolidayInfo, ...]:
    """The school's holidays overlapping ``start..end`` (all grades; filter with ``covers``)."""
    rows = await session.execute(
        select(
            Holiday.name, Holiday.starts_on, Holiday.ends_on, Holiday.grade_from, Holiday.grade_to
        )
        .where(Holiday.school_id == school_id, Holiday.starts_on <= end, Holiday.ends_on >= start)
        .order_by(Holiday.starts_on, Holiday.id)
    )
    return tuple(HolidayInfo(*row) for row in rows)


def holiday_for(holidays: tuple[HolidayInfo, ...], grade: int, day: date) -> HolidayInfo | None:
    return next((h for h in holidays if h.covers(grade, day)), None)
