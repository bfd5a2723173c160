"""A school's effective permission matrix: the defaults overlaid by its own rows."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
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
    """Set one cell; flushed, never committed (the caller owns the transaction).

    One upsert on the cell's unique key ``(school_id, role, permission)``, so two grants of the
    same cell at once (two `journal roles grant` runs) both succeed and leave one row: the
    second waits for the first's row and overwrites its scope instead of failing on it.
    """
    values = {
        "school_id": school_id,
        "role": role,
        "permission": permission.value,
        "scope": scope,
    }
    dialect = session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(RolePermission)
    await session.execute(
        statement.values(values).on_conflict_do_update(
            index_elements=["school_id", "role", "permission"],
            set_={"scope": statement.excluded.scope},
        )
    )
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
