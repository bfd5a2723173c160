"""Whom a staff member may announce to, and the people an announcement reaches.

The school's matrix decides with the ``announce`` cell of the staff member's roles:

- ``school`` (head teacher, admin): the whole school, a parallel (all 7th grades), any class;
- ``taught`` (a teacher's default): the classes they teach as a whole or lead, and the groups
  they teach (a group's announcement reaches its members' families only);
- ``class``: the class they lead;
- anything else: nobody.

``announce_urgent`` (the administration by default) lets them mark an announcement urgent:
it passes quiet hours and the families' "announcements" switch.

Classes are those with students today (left pupils do not count), so last year's classes
never appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.facts import active_on, timetabled_on
from core.access.matrix import load_matrix
from core.access.permissions import Permission
from core.linking.people import staff_present, student_present
from core.messaging.dto import TargetOption
from core.models import (
    Group,
    GroupMember,
    GuardianLink,
    SchoolClass,
    Staff,
    StaffRole,
    Student,
    TeachingAssignment,
    TimetableEntry,
)
from core.models.enums import AnnouncementAudience, AnnouncementTarget, PermissionScope, Role
from core.reader import Reader

_STRENGTH = {
    PermissionScope.SCHOOL: 3,
    PermissionScope.TAUGHT: 2,
    PermissionScope.CLASS: 1,
}


@dataclass(frozen=True, slots=True)
class Announcer:
    """A staff member who may announce: their school, widest scope, and the urgent right."""

    staff_id: int
    school_id: int
    scope: PermissionScope
    urgent: bool


async def announcer(session: AsyncSession, reader: Reader, today: date) -> Announcer | None:
    if reader.staff_id is None:
        return None
    rows = (
        await session.execute(
            select(Staff.school_id, StaffRole.role)
            .join(StaffRole, StaffRole.staff_id == Staff.id)
            .where(Staff.id == reader.staff_id, staff_present(today))
        )
    ).all()
    if not rows:
        return None
    school_id = rows[0].school_id
    matrix = await load_matrix(session, school_id)
    roles = [Role(row.role) for row in rows]
    scopes = [matrix.get((role, Permission.ANNOUNCE), PermissionScope.NONE) for role in roles]
    best = max(scopes, key=lambda scope: _STRENGTH.get(scope, 0))
    if best not in _STRENGTH:
        return None
    urgent = any(
        matrix.get((role, Permission.ANNOUNCE_URGENT), PermissionScope.NONE) != PermissionScope.NONE
        for role in roles
    )
    return Announcer(reader.staff_id, school_id, best, urgent)


async def target_options(session: AsyncSession, who: Announcer, today: date) -> list[TargetOption]:
    """Every target the announcer may choose today, in reading order."""
    classes = await _classes_with_students(session, who.school_id, today)
    options: list[TargetOption] = []
    if who.scope == PermissionScope.SCHOOL:
        options.append(TargetOption(AnnouncementTarget.SCHOOL, ""))
        for grade in sorted({grade for _id, _name, grade in classes}):
            options.append(TargetOption(AnnouncementTarget.GRADE, str(grade), grade=grade))
        chosen = {class_id for class_id, _name, _grade in classes}
        groups: list[tuple[int, str, int]] = []
    else:
        chosen, groups = await _taught(session, who, today)
    for class_id, name, _grade in classes:
        if class_id in chosen:
            options.append(TargetOption(AnnouncementTarget.CLASS, name, class_id=class_id))
    names = {class_id: name for class_id, name, _grade in classes}
    for group_id, group_name, class_id in groups:
        if class_id in names:
            label = f"{names[class_id]} · {group_name}"
            options.append(
                TargetOption(AnnouncementTarget.GROUP, label, class_id=class_id, group_id=group_id)
            )
    return options


def find_target(
    options: list[TargetOption],
    target: str,
    *,
    grade: int | None,
    class_id: int | None,
    group_id: int | None,
) -> TargetOption | None:
    """The option a button names, if the announcer may still choose it."""
    return next(
        (
            o
            for o in options
            if o.target.value == target
            and o.grade == grade
            and o.class_id == class_id
            and o.group_id == group_id
        ),
        None,
    )


async def audience_of(
    session: AsyncSession,
    school_id: int,
    target: TargetOption,
    audience: AnnouncementAudience,
    today: date,
) -> tuple[list[int], list[int]]:
    """(guardian ids, student ids) the announcement is for, each once, in id order."""
    students = select(Student.id).where(
        Student.school_id == school_id, Student.class_id.is_not(None), student_present(today)
    )
    if target.target == AnnouncementTarget.GRADE:
        students = students.join(SchoolClass, SchoolClass.id == Student.class_id).where(
            SchoolClass.grade == target.grade
        )
    elif target.target == AnnouncementTarget.CLASS:
        students = students.where(Student.class_id == target.class_id)
    elif target.target == AnnouncementTarget.GROUP:
        members = select(GroupMember.student_id).where(
            GroupMember.group_id == target.group_id,
            active_on(GroupMember.joined_on, GroupMember.left_on, today),
        )
        students = students.where(Student.id.in_(members))
    student_ids = sorted(set((await session.execute(students)).scalars()))
    guardian_ids: list[int] = []
    if audience != AnnouncementAudience.STUDENTS and student_ids:
        rows = await session.execute(
            select(GuardianLink.guardian_id)
            .where(GuardianLink.student_id.in_(student_ids))
            .distinct()
        )
        guardian_ids = sorted(rows.scalars())
    if audience == AnnouncementAudience.GUARDIANS:
        student_ids = []
    return guardian_ids, student_ids


async def _classes_with_students(
    session: AsyncSession, school_id: int, today: date
) -> list[tuple[int, str, int]]:
    rows = await session.execute(
        select(SchoolClass.id, SchoolClass.name, SchoolClass.grade)
        .where(
            SchoolClass.school_id == school_id,
            SchoolClass.id.in_(
                select(Student.class_id).where(
                    Student.school_id == school_id, student_present(today)
                )
            ),
        )
        .order_by(SchoolClass.grade, SchoolClass.letter, SchoolClass.id)
    )
    return [(row.id, row.name, row.grade) for row in rows]


async def _taught(
    session: AsyncSession, who: Announcer, today: date
) -> tuple[set[int], list[tuple[int, str, int]]]:
    """Classes the announcer leads (and, with TAUGHT, teaches as a whole) and groups taught."""
    led = select(SchoolClass.id).where(SchoolClass.class_teacher_id == who.staff_id)
    classes = set((await session.execute(led)).scalars())
    if who.scope != PermissionScope.TAUGHT:
        return classes, []
    loaded = select(TeachingAssignment.class_id, TeachingAssignment.group_id).where(
        TeachingAssignment.staff_id == who.staff_id
    )
    timetabled = select(TimetableEntry.class_id, TimetableEntry.group_id).where(
        TimetableEntry.teacher_id == who.staff_id, timetabled_on(today)
    )
    group_ids: set[int] = set()
    for class_id, group_id in (await session.execute(loaded.union(timetabled))).all():
        if group_id is None:
            classes.add(class_id)
        else:
            group_ids.add(group_id)
    groups: list[tuple[int, str, int]] = []
    if group_ids:
        rows = await session.execute(
            select(Group.id, Group.name, Group.class_id)
            .where(Group.id.in_(group_ids))
            .order_by(Group.class_id, Group.name)
        )
        groups = [(row.id, row.name, row.class_id) for row in rows]
    return classes, groups
