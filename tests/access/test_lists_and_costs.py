"""Lists of students, whole classes, mixed readers, unknown ids, and what a check costs."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.access import matrix
from core.access.classes import authorize_class
from core.access.permissions import Permission
from core.access.policy import AccessDenied, authorize, can_read, readable
from core.models import AuditRecord, Guardian, School, SchoolClass
from core.models.enums import PermissionScope, Role
from core.reader import Reader
from core.services.diary import diary
from tests.access.world import TODAY, guardian_reader, staff_id, staff_reader, student_id
from tests.services.test_audit_and_statements import counting

M, A = Permission.MARKS, Permission.ATTENDANCE
UNKNOWN = 987_654


async def ids(session: AsyncSession, *keys: str) -> tuple[int, ...]:
    return tuple([await student_id(session, key) for key in keys])


async def audit(session: AsyncSession) -> list[AuditRecord]:
    return list((await session.scalars(select(AuditRecord).order_by(AuditRecord.id))).all())


async def class_id(session: AsyncSession, key: str) -> int:
    found: int = (
        await session.execute(select(SchoolClass.id).where(SchoolClass.external_id == key))
    ).scalar_one()
    return found


async def test_readable_picks_the_reachable_students_of_a_list(session: AsyncSession) -> None:
    anna, boris, dmitry = await ids(session, "S1", "S2", "S3")
    everyone = (anna, boris, dmitry, UNKNOWN)
    olga = await guardian_reader(session, "G1")
    assert await readable(session, olga, M, everyone) == {anna, boris}
    assert await readable(session, await staff_reader(session, "T3"), M, everyone) == {anna}
    assert await readable(session, await staff_reader(session, "T6"), M, everyone) == {dmitry}
    assert await readable(session, await staff_reader(session, "T6"), A, everyone) == {
        anna,
        boris,
        dmitry,
    }
    assert await readable(session, olga, M, ()) == frozenset()
    assert await audit(session) == []  # lists are not audited; each shown read is


async def test_a_check_costs_two_statements_however_many_roles_or_students(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    anna, boris, dmitry = await ids(session, "S1", "S2", "S3")
    # A changed cell, so the matrix statement has rows to return.
    await matrix.grant(
        session,
        (await session.scalar(select(School.id))) or 0,
        Role.TEACHER,
        M,
        PermissionScope.TAUGHT,
    )
    head = await staff_reader(session, "T4")  # head teacher and teacher: two roles
    both = Reader(
        "telegram",
        account_id=9,
        guardian_ids=(await guardian_id(session, "G2"),),
        student_id=dmitry,
        staff_id=await staff_id(session, "T1"),
        today=TODAY,
    )
    await can_read(session, head, M, anna)  # warm the connection up
    for reader in (head, both, await guardian_reader(session, "G1")):
        with counting(engine) as one:
            await can_read(session, reader, M, anna)
        with counting(engine) as three:
            await readable(session, reader, M, (anna, boris, dmitry))
        assert len(one) == len(three) == 2, (reader, one, three)
    with counting(engine) as checked:
        await authorize(session, head, M, anna, action="read_diary")
    assert len(checked) == 3  # the two reads and the audit insert
    with counting(engine) as operator:
        await authorize(session, Reader.operator("cli"), M, anna, action="read_diary")
    assert len(operator) == 2  # the student's school, and the audit insert


async def guardian_id(session: AsyncSession, key: str) -> int:
    found: int = (
        await session.execute(select(Guardian.id).where(Guardian.external_id == key))
    ).scalar_one()
    return found


async def test_a_family_role_never_borrows_the_same_persons_staff_record(
    session: AsyncSession,
) -> None:
    # A parent of Дмитрий who also leads 5Б, with teachers' marks revoked: a guardian's cell
    # changed to "class" must not reach 5Б through her staff record.
    school_id = (await session.scalar(select(School.id))) or 0
    await matrix.revoke(session, school_id, Role.TEACHER, M)
    await matrix.grant(session, school_id, Role.GUARDIAN, M, PermissionScope.CLASS)
    boris, dmitry = await ids(session, "S2", "S3")
    parent_and_teacher = Reader(
        "telegram",
        account_id=7,
        guardian_ids=(await guardian_id(session, "G2"),),
        staff_id=await staff_id(session, "T8"),
        today=TODAY,
    )
    assert not await can_read(session, parent_and_teacher, M, boris)
    await matrix.reset(session, school_id, Role.GUARDIAN)
    assert await can_read(session, parent_and_teacher, M, dmitry)  # her own child
    assert not await can_read(session, parent_and_teacher, M, boris)  # teachers: revoked
    assert await matrix.reset(session, school_id, Role.TEACHER, M) == 1
    assert await can_read(session, parent_and_teacher, M, boris)  # she leads 5Б


async def test_an_unknown_student_is_refused_like_anyone_elses_child(
    session: AsyncSession,
) -> None:
    olga = await guardian_reader(session, "G1")
    with pytest.raises(AccessDenied) as refused:
        await diary(session, UNKNOWN, TODAY, TODAY, olga)
    assert refused.value.student_id == UNKNOWN
    record = (await audit(session))[-1]
    assert (record.student_id, record.school_id, (record.details or {})["granted"]) == (
        UNKNOWN,
        None,
        False,
    )


async def test_the_operator_is_allowed_and_audited(session: AsyncSession) -> None:
    dmitry = await student_id(session, "S3")
    await authorize(session, Reader.operator("cli"), A, dmitry, action="read_attendance")
    record = (await audit(session))[-1]
    assert (record.actor_label, record.actor_account_id, record.student_id) == (
        "cli",
        None,
        dmitry,
    )
    assert record.details == {"permission": "attendance", "granted": True}


async def test_a_whole_class_for_its_class_teacher_and_nobody_else(
    session: AsyncSession,
) -> None:
    c7a, c5b = await class_id(session, "C7A"), await class_id(session, "C5B")
    anna, boris, dmitry = await ids(session, "S1", "S2", "S3")
    teacher = await staff_reader(session, "T1")
    assert await authorize_class(session, teacher, M, c7a, action="read_class_summary") == (
        anna,
        dmitry,
    )
    rows = await audit(session)
    assert [(r.student_id, r.actor_staff_id, r.action) for r in rows] == [
        (anna, teacher.staff_id, "read_class_summary"),
        (dmitry, teacher.staff_id, "read_class_summary"),
    ]
    leads_only = await staff_reader(session, "T8")
    assert await authorize_class(session, leads_only, M, c5b, action="x") == (boris,)
    refused = [
        (await staff_reader(session, "T3"), c7a),  # teaches one group of 7А only
        (await staff_reader(session, "T7"), c7a),  # left
        (leads_only, c7a),
        (await guardian_reader(session, "G1"), c5b),  # families read children, not classes
    ]
    for reader, klass in refused:
        before = len(await audit(session))
        with pytest.raises(AccessDenied) as denied:
            await authorize_class(session, reader, M, klass, action="read_class_summary")
        assert denied.value.class_id == klass
        after = await audit(session)
        assert len(after) == before + 1
        assert (after[-1].student_id, (after[-1].details or {})["granted"]) == (None, False)
    assert await authorize_class(session, await staff_reader(session, "T4"), M, c7a, action="x")
