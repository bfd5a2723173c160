"""Names by id, one ``IN`` query per kind: subjects, staff (as Фамилия И. О.), groups."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Group, Staff, Subject
from core.services.naming import short_name


def _ids(ids: Iterable[int | None]) -> set[int]:
    return {i for i in ids if i is not None}


async def subject_names(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, str]:
    rows = await session.execute(select(Subject.id, Subject.name).where(Subject.id.in_(_ids(ids))))
    return {row[0]: row[1] for row in rows}


async def staff_names(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, str]:
    rows = await session.execute(
        select(Staff.id, Staff.last_name, Staff.first_name, Staff.middle_name).where(
            Staff.id.in_(_ids(ids))
        )
    )
    return {row[0]: short_name(row[1], row[2], row[3]) for row in rows}


async def group_names(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, str]:
    rows = await session.execute(select(Group.id, Group.name).where(Group.id.in_(_ids(ids))))
    return {row[0]: row[1] for row in rows}
