"""Who a push about a student may reach: the policy's own decision, for many students at once.

A push shows a student's data to whoever receives it, so its recipients are the readers the
policy would let read it: each account linked to the student themself (STUDENT role) or to one
of their guardians (GUARDIAN role), judged by :func:`core.access.policy.reaches` under the
school's matrix cell for the permission (a school that turned ``marks`` off for guardians gets
no mark pushes to guardians). Families only: staff are told about their own lessons elsewhere.

Two statements for any number of students: the linked accounts with what the scopes ask of them
(guardian link, left the school), and the schools' changed cells for the permission.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.facts import HeldScopes, StudentFacts
from core.access.permissions import Permission
from core.access.policy import reaches, scope_of
from core.models import AccountLink, GuardianLink, RolePermission, Student
from core.models.enums import Role
from core.reader import Reader


@dataclass(frozen=True, slots=True)
class FamilyRecipient:
    account_id: int
    student_id: int
    role: Role  # how the account reaches the student: GUARDIAN or STUDENT


async def family_recipients(
    session: AsyncSession, permission: Permission, student_ids: Collection[int], today: date
) -> list[FamilyRecipient]:
    """The accounts that may read ``permission`` of each student on ``today``."""
    ids = set(student_ids)
    if not ids:
        return []
    own = select(
        AccountLink.account_id,
        AccountLink.student_id.label("student_id"),
        literal(Role.STUDENT.value).label("role"),
    ).where(AccountLink.student_id.in_(ids))
    guarded = (
        select(
            AccountLink.account_id,
            GuardianLink.student_id.label("student_id"),
            literal(Role.GUARDIAN.value).label("role"),
        )
        .join(GuardianLink, GuardianLink.guardian_id == AccountLink.guardian_id)
        .where(GuardianLink.student_id.in_(ids))
    )
    links = union_all(own, guarded).subquery()
    rows = (
        await session.execute(
            select(
                links.c.account_id,
                links.c.student_id,
                links.c.role,
                Student.school_id,
                Student.left_on,
            )
            .join(Student, Student.id == links.c.student_id)
            .order_by(links.c.account_id, links.c.student_id)
        )
    ).all()
    if not rows:
        return []
    held = await _family_cells(session, permission, {row.school_id for row in rows})
    found: list[FamilyRecipient] = []
    seen: set[tuple[int, int]] = set()
    for row in rows:
        role = Role(row.role)
        reader = Reader(
            label="notifier",
            account_id=row.account_id,
            student_id=row.student_id if role == Role.STUDENT else None,
            guardian_ids=(0,) if role == Role.GUARDIAN else (),  # the link itself was the join
            today=today,
        )
        facts = StudentFacts(
            id=row.student_id,
            school_id=row.school_id,
            left=row.left_on is not None and row.left_on <= today,
            linked=role == Role.GUARDIAN,
        )
        scope = scope_of(held, row.school_id, role, permission)
        key = (row.account_id, row.student_id)
        if key not in seen and reaches(reader, role, scope, facts):
            seen.add(key)
            found.append(FamilyRecipient(row.account_id, row.student_id, role))
    return found


async def _family_cells(
    session: AsyncSession, permission: Permission, school_ids: set[int]
) -> HeldScopes:
    rows = await session.execute(
        select(RolePermission.school_id, RolePermission.role, RolePermission.scope).where(
            RolePermission.school_id.in_(school_ids),
            RolePermission.permission == permission.value,
            RolePermission.role.in_((Role.GUARDIAN, Role.STUDENT)),
        )
    )
    return HeldScopes(
        staff_roles={},
        overrides={(school_id, Role(role)): scope for school_id, role, scope in rows},
    )
