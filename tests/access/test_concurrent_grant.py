"""`journal roles grant` run twice at once: both succeed and one row is left.

Two sessions grant the same cell while the first one's row is not yet committed: the second
must wait for it and overwrite the scope, not fail on the unique key (as a read-then-insert
did).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.access import matrix
from core.access.permissions import Permission
from core.models import RolePermission, School
from core.models.enums import PermissionScope, Role


async def _school_id(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        found: int = (await session.execute(select(School.id))).scalar_one()
    return found


async def test_two_concurrent_grants_of_one_cell_both_succeed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    school_id = await _school_id(sessions)
    first_in = asyncio.Event()

    async def first() -> None:
        async with sessions() as session:
            await matrix.grant(
                session, school_id, Role.SECRETARY, Permission.ATTENDANCE, PermissionScope.CLASS
            )
            first_in.set()
            await asyncio.sleep(0.3)  # the second grant is under way meanwhile
            await session.commit()

    async def second() -> None:
        await first_in.wait()
        async with sessions() as session:
            await matrix.grant(
                session, school_id, Role.SECRETARY, Permission.ATTENDANCE, PermissionScope.SCHOOL
            )
            await session.commit()

    await asyncio.wait_for(asyncio.gather(first(), second()), timeout=30)
    async with sessions() as session:
        rows = (
            await session.execute(
                select(RolePermission.scope, func.count())
                .where(
                    RolePermission.school_id == school_id,
                    RolePermission.role == Role.SECRETARY,
                    RolePermission.permission == Permission.ATTENDANCE.value,
                )
                .group_by(RolePermission.scope)
            )
        ).all()
    assert [(PermissionScope(scope), count) for scope, count in rows] == [
        (PermissionScope.SCHOOL, 1)  # the later grant wins, in one row
    ]


async def test_granting_the_same_cell_twice_in_a_row_changes_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    school_id = await _school_id(sessions)
    for scope in (PermissionScope.SCHOOL, PermissionScope.NONE, PermissionScope.NONE):
        async with sessions() as session:
            await matrix.grant(session, school_id, Role.SECRETARY, Permission.MARKS, scope)
            await session.commit()
    async with sessions() as session:
        found = await matrix.overrides(session, school_id)
        count = await session.scalar(
            select(func.count())
            .select_from(RolePermission)
            .where(RolePermission.school_id == school_id)
        )
    assert found == {(Role.SECRETARY, Permission.MARKS): PermissionScope.NONE}
    assert count == 1
