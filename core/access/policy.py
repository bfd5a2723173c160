"""The check every read of a student's data takes, and its audit record (152-FZ).

:func:`authorize` judges the reader on the school date ``reader.today``: which roles the reader
holds there (a guardian's and a student's links come verified from the bot; staff roles from the
database, void once the staff member has left), the school's matrix for the permission, and
whether the student falls within the scope. It always writes one audit record — granted or
refused — and raises :class:`AccessDenied` when refused. A fixed handful of indexed statements,
however many roles the reader holds.

Scopes: OWN — the student themself, a guardian's own children; ASSIGNED — students in a social
pedagogue's or psychologist's care on the date; TAUGHT — students of a class or group the
staff member teaches (teaching assignments, and the timetable valid on the date) and of the
class they lead; CLASS — only the class they lead; SCHOOL — every student of the school. A
student who has left (``left_on <= today``) is out of every scope but SCHOOL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.matrix import load_matrix
from core.access.permissions import Permission
from core.models import (
    AuditRecord,
    GroupMember,
    GuardianLink,
    SchoolClass,
    Staff,
    StaffRole,
    Student,
    StudentAssignment,
    TeachingAssignment,
    TimetableEntry,
)
from core.models.enums import PermissionScope, Role
from core.services.audit import record_read
from core.services.reader import Reader


class AccessDenied(PermissionError):  # noqa: N818 - the name the handlers and docs use
    """The reader may not read this; the message names the permission and ids only."""

    def __init__(
        self, permission: Permission, student_id: int | None, *, class_id: int | None = None
    ) -> None:
        whose = f"student #{student_id}" if student_id is not None else f"class #{class_id}"
        super().__init__(f"{permission.value} of {whose} refused")
        self.permission = permission
        self.student_id = student_id
        self.class_id = class_id


@dataclass(frozen=True, slots=True)
class _Student:
    id: int
    school_id: int
    class_id: int | None
    left: bool


async def _student(session: AsyncSession, student_id: int, today: date) -> _Student | None:
    row = (
        await session.execute(
            select(Student.school_id, Student.class_id, Student.left_on).where(
                Student.id == student_id
            )
        )
    ).one_or_none()
    if row is None:
        return None
    return _Student(student_id, row[0], row[1], row[2] is not None and row[2] <= today)


async def _staff_roles(
    session: AsyncSession, staff_id: int, school_id: int, today: date
) -> list[Role]:
    rows = await session.execute(
        select(StaffRole.role)
        .join(Staff, Staff.id == StaffRole.staff_id)
        .where(
            StaffRole.staff_id == staff_id,
            Staff.school_id == school_id,
            or_(Staff.left_on.is_(None), Staff.left_on > today),
        )
    )
    return sorted({Role(r) for r in rows.scalars()}, key=lambda r: r.value)


def _active(start: Any, end: Any, today: date) -> Any:
    return and_(or_(start.is_(None), start <= today), or_(end.is_(None), end > today))


async def _in_scope(
    session: AsyncSession,
    reader: Reader,
    role: Role,
    scope: PermissionScope,
    student: _Student,
    today: date,
) -> bool:
    if scope == PermissionScope.NONE:
        return False
    if scope == PermissionScope.SCHOOL:
        return role not in (Role.GUARDIAN, Role.STUDENT)  # never widen a family's reach
    if student.left:
        return False
    if scope == PermissionScope.OWN:
        if role == Role.STUDENT:
            return reader.student_id == student.id
        if role == Role.GUARDIAN and reader.guardian_ids:
            found = await session.scalar(
                select(
                    exists().where(
                        GuardianLink.student_id == student.id,
                        GuardianLink.guardian_id.in_(reader.guardian_ids),
                    )
                )
            )
            return bool(found)
        return False
    staff_id = reader.staff_id
    if staff_id is None or student.class_id is None:
        return False
    leads = select(SchoolClass.id).where(
        SchoolClass.id == student.class_id, SchoolClass.class_teacher_id == staff_id
    )
    if scope == PermissionScope.CLASS:
        return bool(await session.scalar(select(exists(leads))))
    if scope == PermissionScope.ASSIGNED:
        cared = select(StudentAssignment.id).where(
            StudentAssignment.staff_id == staff_id,
            StudentAssignment.student_id == student.id,
            _active(StudentAssignment.assigned_on, StudentAssignment.ended_on, today),
        )
        return bool(await session.scalar(select(exists(cared))))
    # TAUGHT: the class as a whole, or a group of it the student belongs to on the date.
    groups = select(GroupMember.group_id).where(
        GroupMember.student_id == student.id,
        _active(GroupMember.joined_on, GroupMember.left_on, today),
    )
    assigned = select(TeachingAssignment.id).where(
        TeachingAssignment.staff_id == staff_id,
        TeachingAssignment.class_id == student.class_id,
        or_(TeachingAssignment.group_id.is_(None), TeachingAssignment.group_id.in_(groups)),
    )
    timetabled = select(TimetableEntry.id).where(
        TimetableEntry.teacher_id == staff_id,
        TimetableEntry.class_id == student.class_id,
        or_(TimetableEntry.group_id.is_(None), TimetableEntry.group_id.in_(groups)),
        TimetableEntry.valid_from <= today,
        or_(TimetableEntry.valid_to.is_(None), TimetableEntry.valid_to >= today),
    )
    return bool(
        await session.scalar(select(or_(exists(leads), exists(assigned), exists(timetabled))))
    )


async def decide(
    session: AsyncSession, reader: Reader, permission: Permission, student_id: int, today: date
) -> tuple[bool, int | None]:
    """(granted, the student's school) without writing anything."""
    student = await _student(session, student_id, today)
    if student is None:
        return False, None
    if reader.system:
        return True, student.school_id
    roles: list[Role] = []
    if reader.guardian_ids:
        roles.append(Role.GUARDIAN)
    if reader.student_id is not None:
        roles.append(Role.STUDENT)
    if reader.staff_id is not None:
        roles += await _staff_roles(session, reader.staff_id, student.school_id, today)
    if not roles:
        return False, student.school_id
    matrix = await load_matrix(session, student.school_id)
    for role in roles:
        scope = matrix.get((role, permission), PermissionScope.NONE)
        if await _in_scope(session, reader, role, scope, student, today):
            return True, student.school_id
    return False, student.school_id


async def can_read(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    student_id: int,
    today: date | None = None,
) -> bool:
    """The decision alone, for menus; not audited, so never use it to show data."""
    granted, _school = await decide(session, reader, permission, student_id, _today(reader, today))
    return granted


async def authorize(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    student_id: int,
    *,
    action: str,
    today: date | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Allow the read or raise :class:`AccessDenied`; either way one audit record is written.

    A refused read is recorded under the same ``action`` with ``details["granted"] = False``,
    so ``journal audit`` shows attempts beside reads.
    """
    on = _today(reader, today)
    granted, school_id = await decide(session, reader, permission, student_id, on)
    await record_read(
        session,
        reader,
        school_id=school_id,
        student_id=student_id,
        action=action,
        details={**(details or {}), "permission": permission.value, "granted": granted},
    )
    if not granted:
        raise AccessDenied(permission, student_id)


def _today(reader: Reader, today: date | None) -> date:
    on = reader.today or today
    if on is not None:
        return on
    if reader.system:
        return date.max  # the operator's tools read regardless of the date
    raise ValueError("a Reader without `today` needs the date of the read")


async def authorize_class(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    class_id: int,
    *,
    action: str,
    today: date | None = None,
) -> tuple[int, ...]:
    """Allow reading ``permission`` of a whole class on the date, or raise AccessDenied.

    Granted to SCHOOL scope, and to CLASS and TAUGHT scope when the reader leads the class
    (TAUGHT also when they teach the whole class). Returns the class's students on the date;
    each gets its own audit record, written in one statement; a refusal leaves one record.
    """
    on = _today(reader, today)
    row = (
        await session.execute(
            select(SchoolClass.school_id, SchoolClass.class_teacher_id).where(
                SchoolClass.id == class_id
            )
        )
    ).one_or_none()
    granted = row is not None and (
        reader.system or await _reaches_class(session, reader, permission, class_id, row, on)
    )
    details = {"permission": permission.value, "class_id": class_id, "granted": granted}
    if not granted or row is None:
        await record_read(
            session,
            reader,
            school_id=row[0] if row else None,
            student_id=None,
            action=action,
            details=details,
        )
        raise AccessDenied(permission, None, class_id=class_id)
    students = tuple(
        (
            await session.execute(
                select(Student.id)
                .where(
                    Student.class_id == class_id,
                    or_(Student.left_on.is_(None), Student.left_on > on),
                )
                .order_by(Student.id)
            )
        ).scalars()
    )
    if students:
        await session.execute(
            insert(AuditRecord),
            [
                {
                    "school_id": row[0],
                    "actor_account_id": reader.account_id,
                    "actor_staff_id": reader.staff_id,
                    "actor_label": reader.label[:64],
                    "action": action,
                    "student_id": student,
                    "details": details,
                }
                for student in students
            ],
        )
    return students


async def _reaches_class(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    class_id: int,
    row: Any,
    on: date,
) -> bool:
    if reader.staff_id is None:
        return False  # families read children one by one, never a class
    roles = await _staff_roles(session, reader.staff_id, row[0], on)
    if not roles:
        return False
    matrix = await load_matrix(session, row[0])
    scopes = {matrix.get((role, permission), PermissionScope.NONE) for role in roles}
    if PermissionScope.SCHOOL in scopes:
        return True
    leads = row[1] == reader.staff_id
    if leads and scopes & {PermissionScope.CLASS, PermissionScope.TAUGHT}:
        return True
    if PermissionScope.TAUGHT not in scopes:
        return False
    whole_class = select(TimetableEntry.id).where(
        TimetableEntry.teacher_id == reader.staff_id,
        TimetableEntry.class_id == class_id,
        TimetableEntry.group_id.is_(None),
        TimetableEntry.valid_from <= on,
        or_(TimetableEntry.valid_to.is_(None), TimetableEntry.valid_to >= on),
    )
    assigned = select(TeachingAssignment.id).where(
        TeachingAssignment.staff_id == reader.staff_id,
        TeachingAssignment.class_id == class_id,
        TeachingAssignment.group_id.is_(None),
    )
    return bool(await session.scalar(select(or_(exists(whole_class), exists(assigned)))))
