"""Reading a whole class at once (a class summary): one check, an audit row per student."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.facts import held_scopes, timetabled_on
from core.access.permissions import Permission
from core.access.policy import AccessDenied, reader_today, scope_of
from core.audit import record_read
from core.models import AuditRecord, SchoolClass, Student, TeachingAssignment, TimetableEntry
from core.models.enums import PermissionScope
from core.reader import Reader


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
    (TAUGHT also when they teach the whole class, not only a group of it); families read
    children one by one, never a class. Returns the class's students on the date; each gets
    its own audit record, written in one statement; a refusal leaves one record. At most five
    statements: the class, the roles and matrix, whether the reader teaches the whole class,
    the students, the audit rows.
    """
    on = reader_today(reader, today)
    row = (
        await session.execute(
            select(SchoolClass.school_id, SchoolClass.class_teacher_id).where(
                SchoolClass.id == class_id
            )
        )
    ).one_or_none()
    school_id = row.school_id if row else None
    granted = row is not None and (
        reader.system
        or await _reaches_class(
            session, reader, permission, class_id, row.school_id, row.class_teacher_id, on
        )
    )
    details = {"permission": permission.value, "class_id": class_id, "granted": granted}
    if not granted:
        await record_read(
            session, reader, school_id=school_id, student_id=None, action=action, details=details
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
                    "school_id": school_id,
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
    school_id: int,
    class_teacher_id: int | None,
    on: date,
) -> bool:
    if reader.staff_id is None:
        return False
    held = await held_scopes(session, reader, permission, (school_id,), on)
    roles = held.staff_roles.get(school_id, frozenset())
    scopes = {scope_of(held, school_id, role, permission) for role in roles}
    if PermissionScope.SCHOOL in scopes:
        return True
    leads = class_teacher_id == reader.staff_id
    if leads and scopes & {PermissionScope.CLASS, PermissionScope.TAUGHT}:
        return True
    if PermissionScope.TAUGHT not in scopes:
        return False
    whole_class = select(TimetableEntry.id).where(
        TimetableEntry.teacher_id == reader.staff_id,
        TimetableEntry.class_id == class_id,
        TimetableEntry.group_id.is_(None),
        timetabled_on(on),
    )
    loaded = select(TeachingAssignment.id).where(
        TeachingAssignment.staff_id == reader.staff_id,
        TeachingAssignment.class_id == class_id,
        TeachingAssignment.group_id.is_(None),
    )
    return bool(await session.scalar(select(or_(exists(whole_class), exists(loaded)))))
