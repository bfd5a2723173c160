"""A student's sub-group memberships over time (``GroupMember.joined_on``/``left_on``).

``joined_on`` is the first day in the group and ``left_on`` the first day out of it (the same
convention as ``Student.left_on``); either may be empty for "always".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import GroupMember


@dataclass(frozen=True, slots=True)
class Membership:
    group_id: int
    joined_on: date | None
    left_on: date | None

    def active_on(self, day: date) -> bool:
        return (self.joined_on is None or self.joined_on <= day) and (
            self.left_on is None or day < self.left_on
        )


@dataclass(frozen=True, slots=True)
class Memberships:
    items: tuple[Membership, ...]

    def groups_on(self, day: date) -> frozenset[int]:
        return frozenset(m.group_id for m in self.items if m.active_on(day))

    def sees(self, group_id: int | None, day: date) -> bool:
        """Whether the student takes a lesson of ``group_id`` (``None``: the whole class)."""
        return group_id is None or any(
            m.group_id == group_id and m.active_on(day) for m in self.items
        )


async def load_memberships(session: AsyncSession, student_id: int) -> Memberships:
    rows = await session.execute(
        select(GroupMember.group_id, GroupMember.joined_on, GroupMember.left_on).where(
            GroupMember.student_id == student_id
        )
    )
    return Memberships(tuple(Membership(*row) for row in rows))
