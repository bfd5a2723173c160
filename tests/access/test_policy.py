"""The access policy: every role and scope with a case that passes and one that is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import matrix
from core.access.permissions import Permission
from core.access.policy import AccessDenied, authorize, can_read
from core.models import AuditRecord, School
from core.models.enums import PermissionScope, Role
from core.reader import Reader
from core.services.diary import diary
from tests.access.world import TODAY, guardian_reader, staff_reader, student_id, student_reader
from tests.bot import school

M, P, A = Permission.MARKS, Permission.PEOPLE, Permission.ATTENDANCE


async def allowed(session: AsyncSession, reader: Reader, permission: Permission, key: str) -> bool:
    return await can_read(session, reader, permission, await student_id(session, key))


# (reader kind, reader key, permission, student, expected)
CASES = [
    ("guardian", "G1", M, "S1", True),  # own child
    ("guardian", "G1", M, "S2", True),  # own second child, in another class
    ("guardian", "G1", M, "S3", False),  # another family's child
    ("guardian", "G3", P, "S1", True),  # the second guardian of Анна
    ("student", "S3", M, "S3", True),  # self
    ("student", "S3", M, "S1", False),  # a classmate
    ("staff", "T1", M, "S1", True),  # teaches 7А
    ("staff", "T1", M, "S2", False),  # 5Б is not hers
    ("staff", "T1", P, "S1", True),  # leads 7А: people data of her class
    ("staff", "T3", M, "S1", True),  # teaches Анна's English group
    ("staff", "T3", M, "S3", False),  # Дмитрий is in 7А's other English group
    ("staff", "T3", P, "S1", False),  # teaches, does not lead: no people data
    ("staff", "T2", M, "S1", False),  # a teacher with no lessons in 7А
    ("staff", "T4", M, "S2", True),  # head teacher: the school
    ("staff", "T5", P, "S2", True),  # secretary: people data
    ("staff", "T5", M, "S2", False),  # ... but not marks
    ("staff", "T6", A, "S2", True),  # social pedagogue: attendance of anyone
    ("staff", "T6", M, "S2", False),  # ... marks only of students in her care
    ("staff", "T6", M, "S3", True),  # Дмитрий is in her care
    ("staff", "T7", M, "S1", False),  # left the school today
    ("staff", "T8", M, "S2", True),  # leads 5Б without teaching it: taught reaches her class
    ("staff", "T8", P, "S2", True),  # ... and people data of her class
    ("staff", "T8", M, "S1", False),  # ... but not 7А
    ("staff", "T9", M, "S3", True),  # admin: the school
    ("staff", "T9", P, "S1", True),
    ("staff", "T4", P, "S3", True),  # head teacher: people data of the school too
    ("staff", "T10", A, "S3", True),  # psychologist: attendance of anyone
    ("staff", "T10", M, "S1", True),  # ... marks of Анна, in her care
    ("staff", "T10", M, "S3", False),  # ... not of Дмитрий
    ("student", "S3", P, "S3", True),  # a student's own people data
    ("guardian", "G2", A, "S3", True),
    ("guardian", "G2", A, "S1", False),
]


@pytest.mark.parametrize(("kind", "key", "permission", "student", "expected"), CASES)
async def test_roles_and_scopes(
    session: AsyncSession,
    kind: str,
    key: str,
    permission: Permission,
    student: str,
    expected: bool,
) -> None:
    make = {"guardian": guardian_reader, "student": student_reader, "staff": staff_reader}[kind]
    reader = await make(session, key)
    assert await allowed(session, reader, permission, student) is expected


async def test_a_child_who_leaves_is_gone_from_the_family_on_that_date(
    session: AsyncSession,
) -> None:
    before = await guardian_reader(session, "G1", school.LEFT_ON - timedelta(days=1))
    on = await guardian_reader(session, "G1", school.LEFT_ON)
    assert await allowed(session, before, M, "S2")
    assert not await allowed(session, on, M, "S2")
    # The administration keeps the archive.
    assert await allowed(session, await staff_reader(session, "T4", school.LEFT_ON), M, "S2")


async def test_a_staff_member_who_left_loses_access_on_that_date(session: AsyncSession) -> None:
    yesterday = await staff_reader(session, "T7", TODAY - timedelta(days=1))
    assert await allowed(session, yesterday, M, "S1")
    assert not await allowed(session, await staff_reader(session, "T7"), M, "S1")


async def test_grant_revoke_and_reset_change_decisions(session: AsyncSession) -> None:
    teacher, secretary = await staff_reader(session, "T1"), await staff_reader(session, "T5")
    school_id = (await session.execute(select(School.id))).scalar_one()
    await matrix.revoke(session, school_id, Role.TEACHER, M)
    assert not await allowed(session, teacher, M, "S1")
    await matrix.grant(session, school_id, Role.SECRETARY, M, PermissionScope.SCHOOL)
    assert await allowed(session, secretary, M, "S2")
    assert await matrix.reset(session, school_id) == 2
    assert await allowed(session, teacher, M, "S1")
    assert not await allowed(session, secretary, M, "S2")


async def test_a_family_role_can_never_be_widened_to_the_school(session: AsyncSession) -> None:
    school_id = (await session.execute(select(School.id))).scalar_one()
    await matrix.grant(session, school_id, Role.GUARDIAN, M, PermissionScope.SCHOOL)
    assert not await allowed(session, await guardian_reader(session, "G1"), M, "S3")


async def test_every_decision_leaves_one_audit_record(session: AsyncSession) -> None:
    olga = await guardian_reader(session, "G1")
    anna, dmitry = await student_id(session, "S1"), await student_id(session, "S3")
    await authorize(session, olga, M, anna, action="read_diary")
    with pytest.raises(AccessDenied):
        await authorize(session, olga, M, dmitry, action="read_diary")
    rows = list((await session.execute(select(AuditRecord).order_by(AuditRecord.id))).scalars())
    assert [(r.student_id, r.action, (r.details or {})["granted"]) for r in rows] == [
        (anna, "read_diary", True),
        (dmitry, "read_diary", False),
    ]
    assert all(r.actor_account_id == 1 and r.actor_label == "telegram" for r in rows)
    assert all(r.at is not None for r in rows)


async def test_a_refused_read_through_a_service_raises_and_is_audited(
    session: AsyncSession,
) -> None:
    pavel = await guardian_reader(session, "G2")
    anna = await student_id(session, "S1")
    with pytest.raises(AccessDenied) as refused:
        await diary(session, anna, TODAY, TODAY, pavel)
    assert "Анна" not in str(refused.value)  # no personal data in the message
    last = (
        (await session.execute(select(AuditRecord).order_by(AuditRecord.id.desc())))
        .scalars()
        .first()
    )
    assert last is not None
    assert (last.action, last.student_id, (last.details or {})["granted"]) == (
        "read_diary",
        anna,
        False,
    )


async def test_a_reader_without_a_date_is_a_programming_error(session: AsyncSession) -> None:
    with pytest.raises(ValueError, match="today"):
        await can_read(session, Reader("telegram", account_id=1), M, 1)
