"""Queries about the people an account may be linked to, judged on one school date."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking.dto import ChildRef
from core.models import GuardianLink, SchoolClass, Staff, StaffRole, Student
from core.models.enums import Role
from core.services.naming import collation_key

PersonKind = Literal["guardian", "student", "staff"]


@dataclass(frozen=True, slots=True)
class PersonRef:
    """Someone a link can point at."""

    kind: PersonKind
    person_id: int
    school_id: int


def student_present(today: date) -> ColumnElement[bool]:
    """The student has not left: access ends on ``left_on``."""
    return or_(Student.left_on.is_(None), Student.left_on > today)


def staff_present(today: date) -> ColumnElement[bool]:
    return or_(Staff.left_on.is_(None), Staff.left_on > today)


def family_name(first: str, last: str) -> str:
    """ "Имя Фамилия", as a family says it."""
    return f"{first} {last}"


async def children_of(
    session: AsyncSession,
    *,
    guardian_ids: Collection[int],
    student_ids: Collection[int],
    today: date,
) -> tuple[ChildRef, ...]:
    """The guardians' children and the students themselves who have not left, in one query."""
    if not guardian_ids and not student_ids:
        return ()
    wards = select(GuardianLink.student_id).where(GuardianLink.guardian_id.in_(guardian_ids))
    rows = await session.execute(
        select(Student.id, Student.first_name, Student.last_name, SchoolClass.name)
        .outerjoin(SchoolClass, SchoolClass.id == Student.class_id)
        .where(or_(Student.id.in_(wards), Student.id.in_(student_ids)), student_present(today))
    )
    children = [
        ChildRef(student_id=sid, name=family_name(first, last), class_name=class_name)
        for sid, first, last, class_name in rows
    ]
    children.sort(key=lambda child: (collation_key(child.name), child.student_id))
    return tuple(children)


async def roles_of_staff(session: AsyncSession, staff_ids: Collection[int]) -> tuple[Role, ...]:
    if not staff_ids:
        return ()
    rows = await session.execute(
        select(StaffRole.role).where(StaffRole.staff_id.in_(staff_ids)).distinct()
    )
    return tuple(sorted(rows.scalars(), key=lambda role: role.value))
