"""Whom a family may write to about one child: the people who teach the child now, the class
teacher, and the school roles the school lets families address.

The school decides with the role matrix's ``receive_questions`` cell of each staff role:

- ``taught`` (a teacher's default): offered by the subjects they teach the child now - the
  teaching load or the timetable valid today, for the child's class or one of the child's
  groups (a group teacher is offered only to that group's members) - and as class teacher to
  the class they lead;
- ``class``: only as class teacher of the child's class;
- ``assigned``: when the child is in their care (a social pedagogue's or psychologist's list);
- ``school`` (head teacher, social pedagogue, psychologist, admin by default): to every family
  of the school, under the role's name only (for the teacher role it means the same as
  ``taught``: a family is never offered every teacher of the school);
- ``none``: never offered.

A staff member who has left is never offered. Six statements whatever the school's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.facts import active_on, timetabled_on
from core.access.matrix import load_matrix
from core.access.permissions import Permission
from core.linking.people import staff_present
from core.messaging.dto import Addressee, RecipientOption
from core.models import (
    GroupMember,
    SchoolClass,
    Staff,
    StaffRole,
    Student,
    StudentAssignment,
    Subject,
    TeachingAssignment,
    TimetableEntry,
)
from core.models.enums import PermissionScope, Role
from core.services.naming import collation_key

Scope = PermissionScope
_ROLE_ADDRESSEE = {
    Role.HEAD_TEACHER: Addressee.HEAD_TEACHER,
    Role.SOCIAL_PEDAGOGUE: Addressee.SOCIAL_PEDAGOGUE,
    Role.PSYCHOLOGIST: Addressee.PSYCHOLOGIST,
    Role.ADMIN: Addressee.ADMIN,
    Role.SECRETARY: Addressee.SECRETARY,
}
_ORDER = {addressee: n for n, addressee in enumerate(Addressee)}


@dataclass(frozen=True, slots=True)
class _Child:
    id: int
    school_id: int
    class_id: int | None
    class_teacher_id: int | None


async def recipient_options(
    session: AsyncSession, student_id: int, today: date
) -> list[RecipientOption]:
    """Everyone a family may address about the student today, in the order a parent reads:
    subject teachers by subject, the class teacher, then the school's roles.

    Reads no marks or other journal data and writes no audit record: the caller checks the
    reader's right to write about the child (``Permission.ASK``) first."""
    child = await _child(session, student_id, today)
    if child is None:
        return []
    cells = await _cells(session, child.school_id)
    teaching = await _teaching(session, child, today)
    assigned = await _assigned(session, student_id, today)
    role_holders = await _role_holders(session, child.school_id, cells, today)
    candidates = (
        {staff for staff, _subject in teaching}
        | assigned
        | set(role_holders)
        | ({child.class_teacher_id} if child.class_teacher_id else set())
    )
    roles, names = await _staff(session, candidates, today)
    found: dict[tuple[int, Addressee, int | None], RecipientOption] = {}

    def offer(staff_id: int, addressee: Addressee, subject: tuple[int, str] | None = None) -> None:
        if staff_id not in names:
            return  # left the school, or not staff of this school
        key = (staff_id, addressee, subject[0] if subject else None)
        found[key] = RecipientOption(
            staff_id=staff_id,
            name=names[staff_id],
            addressed_as=addressee,
            subject_id=subject[0] if subject else None,
            subject=subject[1] if subject else None,
        )

    def scopes(staff_id: int) -> set[Scope]:
        """The cells that may offer ``staff_id`` as the child's teacher: another role's
        ``school`` (the head teacher's, say) offers them under that role's name only."""
        return {
            cells[role]
            for role in roles.get(staff_id, ())
            if role == Role.TEACHER or cells[role] != Scope.SCHOOL
        }

    for staff_id, subject in teaching:
        if scopes(staff_id) & {Scope.TAUGHT, Scope.SCHOOL}:
            offer(staff_id, Addressee.TEACHER, subject)
    if child.class_teacher_id is not None and scopes(child.class_teacher_id) & {
        Scope.TAUGHT,
        Scope.CLASS,
        Scope.SCHOOL,
    }:
        offer(child.class_teacher_id, Addressee.CLASS_TEACHER)
    for staff_id in assigned:
        for role in roles.get(staff_id, ()):
            if role in _ROLE_ADDRESSEE and cells[role] in (Scope.ASSIGNED, Scope.SCHOOL):
                offer(staff_id, _ROLE_ADDRESSEE[role])
    for staff_id, held in role_holders.items():
        for role in held:
            offer(staff_id, _ROLE_ADDRESSEE[role])
    return sorted(
        found.values(),
        key=lambda o: (
            _ORDER[o.addressed_as],
            collation_key(o.subject),
            collation_key(o.name),
            o.staff_id,
        ),
    )


def find_option(
    options: list[RecipientOption],
    staff_id: int,
    addressed_as: str,
    subject_id: int | None,
) -> RecipientOption | None:
    """The option a button names, if it is still on offer (a button is only a wish)."""
    return next(
        (
            o
            for o in options
            if o.staff_id == staff_id
            and o.addressed_as.value == addressed_as
            and o.subject_id == subject_id
        ),
        None,
    )


async def _child(session: AsyncSession, student_id: int, today: date) -> _Child | None:
    row = (
        await session.execute(
            select(
                Student.id,
                Student.school_id,
                Student.class_id,
                Student.left_on,
                SchoolClass.class_teacher_id,
            )
            .outerjoin(SchoolClass, SchoolClass.id == Student.class_id)
            .where(Student.id == student_id)
        )
    ).one_or_none()
    if row is None or (row.left_on is not None and row.left_on <= today):
        return None
    return _Child(row.id, row.school_id, row.class_id, row.class_teacher_id)


async def _cells(session: AsyncSession, school_id: int) -> dict[Role, Scope]:
    """The school's ``receive_questions`` cell for every role (its matrix, one statement)."""
    matrix = await load_matrix(session, school_id)
    return {role: matrix.get((role, Permission.RECEIVE_QUESTIONS), Scope.NONE) for role in Role}


async def _teaching(
    session: AsyncSession, child: _Child, today: date
) -> set[tuple[int, tuple[int, str]]]:
    """(teacher, (subject id, subject name)) for the child's class and groups today."""
    if child.class_id is None:
        return set()
    groups = select(GroupMember.group_id).where(
        GroupMember.student_id == child.id,
        active_on(GroupMember.joined_on, GroupMember.left_on, today),
    )
    loaded = select(TeachingAssignment.staff_id, TeachingAssignment.subject_id).where(
        TeachingAssignment.class_id == child.class_id,
        (TeachingAssignment.group_id.is_(None)) | TeachingAssignment.group_id.in_(groups),
    )
    timetabled = select(TimetableEntry.teacher_id, TimetableEntry.subject_id).where(
        TimetableEntry.class_id == child.class_id,
        TimetableEntry.teacher_id.is_not(None),
        (TimetableEntry.group_id.is_(None)) | TimetableEntry.group_id.in_(groups),
        timetabled_on(today),
    )
    both = union(loaded, timetabled).subquery()
    rows = await session.execute(
        select(both.c[0], Subject.id, Subject.name).join(Subject, Subject.id == both.c[1])
    )
    return {(staff_id, (subject_id, name)) for staff_id, subject_id, name in rows}


async def _assigned(session: AsyncSession, student_id: int, today: date) -> set[int]:
    rows = await session.execute(
        select(StudentAssignment.staff_id).where(
            StudentAssignment.student_id == student_id,
            active_on(StudentAssignment.assigned_on, StudentAssignment.ended_on, today),
        )
    )
    return set(rows.scalars())


async def _role_holders(
    session: AsyncSession, school_id: int, cells: dict[Role, Scope], today: date
) -> dict[int, set[Role]]:
    """Staff holding a role families of the whole school may address (not the teacher role)."""
    open_roles = [role for role in _ROLE_ADDRESSEE if cells[role] == Scope.SCHOOL]
    if not open_roles:
        return {}
    rows = await session.execute(
        select(StaffRole.staff_id, StaffRole.role)
        .join(Staff, Staff.id == StaffRole.staff_id)
        .where(Staff.school_id == school_id, StaffRole.role.in_(open_roles), staff_present(today))
    )
    found: defaultdict[int, set[Role]] = defaultdict(set)
    for staff_id, role in rows:
        found[staff_id].add(Role(role))
    return found


async def _staff(
    session: AsyncSession, staff_ids: set[int], today: date
) -> tuple[dict[int, set[Role]], dict[int, str]]:
    """The candidates still at school: their roles and full names."""
    if not staff_ids:
        return {}, {}
    rows = await session.execute(
        select(Staff.id, Staff.last_name, Staff.first_name, Staff.middle_name, StaffRole.role)
        .outerjoin(StaffRole, StaffRole.staff_id == Staff.id)
        .where(Staff.id.in_(staff_ids), staff_present(today))
    )
    roles: defaultdict[int, set[Role]] = defaultdict(set)
    names: dict[int, str] = {}
    for staff_id, last, first, middle, role in rows:
        names[staff_id] = " ".join(part for part in (last, first, middle) if part)
        if role is not None:
            roles[staff_id].add(Role(role))
    return roles, names
