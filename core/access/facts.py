"""What the database says about a reader and some students: the access check's two statements.

:func:`student_facts` answers, for each student at once, every question a scope may ask (is the
reader's guardian linked to the child, does the reader lead, teach or care for them) as
correlated EXISTS columns; :func:`held_scopes` answers which staff roles the reader holds and
which cells of the schools' matrices differ from the defaults. Two round trips for any number
of students and roles, each subquery on an index: ``guardian_links(guardian_id, student_id)``,
``school_classes(class_teacher_id)``, ``student_assignments(staff_id, student_id)``,
``teaching_assignments(staff_id)``, ``timetable_entries(teacher_id, …)``,
``staff_roles(staff_id, role)``, ``role_permissions(school_id, role, permission)``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, null, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.models import (
    GroupMember,
    GuardianLink,
    RolePermission,
    SchoolClass,
    Staff,
    StaffRole,
    Student,
    StudentAssignment,
    TeachingAssignment,
    TimetableEntry,
)
from core.models.enums import PermissionScope, Role
from core.reader import Reader


@dataclass(frozen=True, slots=True)
class StudentFacts:
    """One student as the scopes see them on the date."""

    id: int
    school_id: int
    left: bool  # left_on <= the date: out of every scope but SCHOOL
    linked: bool = False  # a guardian link to one of the reader's guardian records
    leads: bool = False  # the reader is the class teacher of the student's class
    assigned: bool = False  # in the reader's care (StudentAssignment active on the date)
    taught: bool = False  # the reader teaches the student's class or a group of theirs


@dataclass(frozen=True, slots=True)
class HeldScopes:
    """The reader's staff roles per school, and the schools' changed cells for one permission."""

    staff_roles: dict[int, frozenset[Role]]  # school id → roles (none once the staff member left)
    overrides: dict[tuple[int, Role], PermissionScope]  # (school id, role) → scope


def active_on(start: Any, end: Any, today: date) -> ColumnElement[bool]:
    """Begun on or before ``today`` and not yet ended (``end`` is the first day out)."""
    return and_(or_(start.is_(None), start <= today), or_(end.is_(None), end > today))


def timetabled_on(today: date) -> ColumnElement[bool]:
    """A timetable template row valid on ``today`` (its range is inclusive)."""
    return and_(
        TimetableEntry.valid_from <= today,
        or_(TimetableEntry.valid_to.is_(None), TimetableEntry.valid_to >= today),
    )


def _taught(staff_id: int, today: date) -> ColumnElement[bool]:
    # The class as a whole, or a group of it the student belongs to on the date - by the
    # teaching load, or by the timetable valid on the date (a substitute teacher's template).
    groups = (
        select(GroupMember.group_id)
        .where(
            GroupMember.student_id == Student.id,
            active_on(GroupMember.joined_on, GroupMember.left_on, today),
        )
        .correlate(Student)
    )
    loaded = exists().where(
        TeachingAssignment.staff_id == staff_id,
        TeachingAssignment.class_id == Student.class_id,
        or_(TeachingAssignment.group_id.is_(None), TeachingAssignment.group_id.in_(groups)),
    )
    timetabled = exists().where(
        TimetableEntry.teacher_id == staff_id,
        TimetableEntry.class_id == Student.class_id,
        or_(TimetableEntry.group_id.is_(None), TimetableEntry.group_id.in_(groups)),
        timetabled_on(today),
    )
    return or_(loaded.correlate(Student), timetabled.correlate(Student))


async def student_facts(
    session: AsyncSession, reader: Reader, student_ids: Collection[int], today: date
) -> dict[int, StudentFacts]:
    """One statement: the listed students (unknown ids are simply absent) and their flags."""
    columns: list[Any] = [Student.id, Student.school_id, Student.left_on]
    if reader.guardian_ids:
        columns.append(
            exists()
            .where(
                GuardianLink.student_id == Student.id,
                GuardianLink.guardian_id.in_(reader.guardian_ids),
            )
            .correlate(Student)
            .label("linked")
        )
    staff_id = reader.staff_id
    if staff_id is not None and not reader.system:
        leads = (
            exists()
            .where(SchoolClass.id == Student.class_id, SchoolClass.class_teacher_id == staff_id)
            .correlate(Student)
        )
        cared = (
            exists()
            .where(
                StudentAssignment.staff_id == staff_id,
                StudentAssignment.student_id == Student.id,
                active_on(StudentAssignment.assigned_on, StudentAssignment.ended_on, today),
            )
            .correlate(Student)
        )
        columns += [
            leads.label("leads"),
            cared.label("assigned"),
            or_(leads, _taught(staff_id, today)).label("taught"),
        ]
    rows = await session.execute(select(*columns).where(Student.id.in_(set(student_ids))))
    found: dict[int, StudentFacts] = {}
    for row in rows:
        flags = {name: bool(row._mapping[name]) for name in _FLAGS if name in row._mapping}
        left = row.left_on is not None and row.left_on <= today
        found[row.id] = StudentFacts(row.id, row.school_id, left, **flags)
    return found


_FLAGS = frozenset({"linked", "leads", "assigned", "taught"})


async def held_scopes(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    school_ids: Collection[int],
    today: date,
) -> HeldScopes:
    """One statement: the schools' changed cells for ``permission`` and the reader's staff roles."""
    schools = set(school_ids)
    changed = select(RolePermission.school_id, RolePermission.role, RolePermission.scope).where(
        RolePermission.school_id.in_(schools), RolePermission.permission == permission.value
    )
    query: Any = changed
    if reader.staff_id is not None:
        # A held role comes back with a NULL scope: role_permissions.scope is never NULL.
        held = (
            select(Staff.school_id, StaffRole.role, null())
            .join(Staff, Staff.id == StaffRole.staff_id)
            .where(
                StaffRole.staff_id == reader.staff_id,
                Staff.school_id.in_(schools),
                or_(Staff.left_on.is_(None), Staff.left_on > today),
            )
        )
        query = union_all(changed, held)
    roles: dict[int, set[Role]] = {}
    overrides: dict[tuple[int, Role], PermissionScope] = {}
    for school_id, role, scope in await session.execute(query):
        if scope is None:
            roles.setdefault(school_id, set()).add(Role(role))
        else:
            overrides[(school_id, Role(role))] = PermissionScope(scope)
    return HeldScopes({s: frozenset(r) for s, r in roles.items()}, overrides)
