"""What the database says about a reader and some students: the access check's two statements.

:func:`student_facts` answers, for each student at once, every question a scope may ask (is the
reader's guardian linked to the child, does the reader lead, teach or care for them) as
correlated EXISTS columns; :func:`held_scopes` answers which staff roles the reader holds and
which cells of the schools' matrices differ from the defaults. Two round trips for any number
of students and roles, each subquery on an index: ``guardian_links(guardian_id, student_id)``,
``school_classes(class_teacher_id)``, ``student_assignments(staff_id, student_id)``,
``teaching_assignments(staff_id)``, ``timetable_entries(teacher_id, …)``,
``enrolments(student_id, happened_on)``, ``group_members(student_id)``,
``staff_roles(staff_id, role)``, ``role_permissions(school_id, role, permission)``.

Leading and teaching are judged over a span of dates (the dates of the data read), by the
pupil's class history and group membership in it: a transfer splits a pupil between the old
class's teachers (up to the day before) and the new one's (from the transfer date).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, null, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.models import (
    Enrolment,
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
from core.models.enums import MovementKind, PermissionScope, Role
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


def _class_on(day: date) -> Any:
    """The student's class on ``day`` by their movement: the latest step on or before it (none
    after leaving). NULL too when no step precedes ``day``; see :func:`_stayed_within`."""
    return (
        select(case((Enrolment.kind == MovementKind.LEFT, null()), else_=Enrolment.class_id))
        .where(Enrolment.student_id == Student.id, Enrolment.happened_on <= day)
        .order_by(Enrolment.happened_on.desc(), Enrolment.id.desc())
        .limit(1)
        .correlate(Student)
        .scalar_subquery()
    )


def _stayed_within(
    member: Callable[[Any], ColumnElement[bool]], start: date, end: date
) -> ColumnElement[bool]:
    """The student was in one of the reader's classes (``member``) on some day of
    ``start..end`` and in no other class on any day of it: a transfer splits a pupil's history
    between the classes' teachers. Days outside the school (before enrolment, after leaving)
    belong to nobody and count against no one. The movement (``enrolments``, index
    ``(student_id, happened_on)``) is the truth; a student without any falls back to
    ``students.class_id`` from ``enrolled_on``, as :class:`core.services.school_data.StudentHistory`
    does."""
    steps = exists().where(Enrolment.student_id == Student.id).correlate(Student)
    plain = and_(
        ~steps,
        member(Student.class_id),
        or_(Student.enrolled_on.is_(None), Student.enrolled_on <= end),
    )
    at_start = _class_on(start)

    def moved(*where: ColumnElement[bool]) -> ColumnElement[bool]:
        return (
            exists()
            .where(
                Enrolment.student_id == Student.id,
                Enrolment.happened_on > start,
                Enrolment.happened_on <= end,
                Enrolment.kind != MovementKind.LEFT,
                Enrolment.class_id.is_not(None),
                *where,
            )
            .correlate(Student)
        )

    inside = or_(member(at_start), moved(member(Enrolment.class_id)))
    # ``at_start`` is NULL outside the school: "not a member" must then be false, not NULL.
    outside = or_(
        and_(at_start.is_not(None), ~member(at_start)), moved(~member(Enrolment.class_id))
    )
    return or_(plain, and_(steps, inside, ~outside))


def _within_group(groups: Any, start: date, end: date) -> ColumnElement[bool]:
    """A member of one of ``groups`` on every day of ``start..end``
    (``group_members(student_id)``)."""
    return (
        exists()
        .where(
            GroupMember.student_id == Student.id,
            GroupMember.group_id.in_(groups),
            or_(GroupMember.joined_on.is_(None), GroupMember.joined_on <= start),
            or_(GroupMember.left_on.is_(None), GroupMember.left_on > end),
        )
        .correlate(Student)
    )


def _one_of(*selects: Any) -> Callable[[Any], ColumnElement[bool]]:
    # Each select yields non-NULL ids, so "not a member" is a plain boolean (no NOT IN NULL trap).
    return lambda column: or_(*(column.in_(ids) for ids in selects))


def _led(staff_id: int) -> Any:
    return select(SchoolClass.id).where(SchoolClass.class_teacher_id == staff_id)


def _taught(staff_id: int, today: date, start: date, end: date) -> ColumnElement[bool]:
    # The class as a whole (led, by the teaching load, or by the timetable valid on ``today`` -
    # a substitute teacher's template) for the pupil's stay in it, or a group of theirs for the
    # pupil's time in the group.
    loaded = select(TeachingAssignment.class_id).where(
        TeachingAssignment.staff_id == staff_id, TeachingAssignment.group_id.is_(None)
    )
    timetabled = select(TimetableEntry.class_id).where(
        TimetableEntry.teacher_id == staff_id,
        TimetableEntry.group_id.is_(None),
        timetabled_on(today),
    )
    groups_loaded = select(TeachingAssignment.group_id).where(
        TeachingAssignment.staff_id == staff_id, TeachingAssignment.group_id.is_not(None)
    )
    groups_timetabled = select(TimetableEntry.group_id).where(
        TimetableEntry.teacher_id == staff_id,
        TimetableEntry.group_id.is_not(None),
        timetabled_on(today),
    )
    return or_(
        _stayed_within(_one_of(_led(staff_id), loaded, timetabled), start, end),
        _within_group(groups_loaded, start, end),
        _within_group(groups_timetabled, start, end),
    )


async def student_facts(
    session: AsyncSession,
    reader: Reader,
    student_ids: Collection[int],
    today: date,
    period: tuple[date, date] | None = None,
) -> dict[int, StudentFacts]:
    """One statement: the listed students (unknown ids are simply absent) and their flags.

    ``period`` (inclusive, default ``today..today``) is the span of dates the read's data is
    dated in: leading and teaching are judged over the pupil's class history and group
    membership there. Roles, care and leaving are judged on ``today``.
    """
    start, end = period or (today, today)
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
            _stayed_within(_one_of(_led(staff_id)), start, end).label("leads"),
            cared.label("assigned"),
            _taught(staff_id, today, start, end).label("taught"),
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
