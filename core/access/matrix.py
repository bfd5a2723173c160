"""A school's effective permission matrix: the defaults overlaid by its own rows."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import DEFAULT_MATRIX, Permission
from core.models import RolePermission
from core.models.enums import PermissionScope, Role

Matrix = dict[tuple[Role, Permission], PermissionScope]


def default_matrix() -> Matrix:
    return {
        (role, permission): scope
        for role, row in DEFAULT_MATRIX.items()
        for permission, scope in row.items()
    }


async def overrides(session: AsyncSession, school_id: int) -> Matrix:
    rows = await session.execute(
        select(RolePermission.role, RolePermission.permission, RolePermission.scope).where(
            RolePermission.school_id == school_id
        )
    )
    found: Matrix = {}
    for role, permission, scope in rows:
        if permission in Permission._value2member_map_:  # a retired permission is ignored
            found[(Role(role), Permission(permission))] = PermissionScope(scope)
    return found


async def load_matrix(session: AsyncSession, school_id: int) -> Matrix:
    return default_matrix() | await overrides(session, school_id)


async def grant(
    session: AsyncSession,
    school_id: int,
    role: Role,
    permission: Permission,
    scope: PermissionScope,
) -> None:
    """Set one cell; flushed, never committed (the caller owns the transaction)."""
    row = (
        await session.execute(
            select(RolePermission).where(
                RolePermission.school_id == school_id,
                RolePermission.role == role,
                RolePermission.permission == permission.value,
            )
        )
    ).scalar_one_or_none()
    if row is None:
        session.add(
            RolePermission(school_id=school_id, role=role, permission=permission.value, scope=scope)
        )
    else:
        row.scope = scope
    await session.flush()


async def revoke(session: AsyncSession, school_id: int, role: Role, permission: Permission) -> None:
    await grant(session, school_id, role, permission, PermissionScope.NONE)


async def reset(
    session: AsyncSession,
    school_id: int,
    role: Role | None = None,
    permission: Permission | None = None,
) -> int:
    """Back to the regulation's defaults; returns how many cells had been changed."""
    query = delete(RolePermission).where(RolePermission.school_id == school_id)
    if role is not None:
        query = query.where(RolePermission.role == role)
    if permission is not None:
        query = query.where(RolePermission.permission == permission.value)
    result = await session.execute(query)
    await session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
