"""Who types in the console: a person of the school, found by the school's own id.

Without a choice the console plays a guardian with the most children (a family with siblings
shows the most of the bot). The persona's Telegram user id is derived from the person, so the
same persona is the same "Telegram user" across console runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Guardian, GuardianLink, Staff, Student
from core.models.enums import Role

# Keeps console user ids apart from each other per kind, and far below real Telegram ids.
_ID_BASE = {"guardian": 1_000_000, "student": 2_000_000, "staff": 3_000_000}


@dataclass(frozen=True)
class Persona:
    kind: str  # "guardian" | "student" | "staff"
    person_id: int
    external_id: str
    first_name: str
    last_name: str
    phone: str | None

    @property
    def user_id(self) -> int:
        return _ID_BASE[self.kind] + self.person_id

    @property
    def invite_role(self) -> Role | None:
        return {"guardian": Role.GUARDIAN, "student": Role.STUDENT}.get(self.kind)


class PersonaNotFoundError(LookupError):
    pass


async def find_persona(session: AsyncSession, external_id: str | None) -> Persona:
    if external_id is None:
        return await _default_guardian(session)
    models: tuple[tuple[str, type[Guardian | Student | Staff]], ...] = (
        ("guardian", Guardian),
        ("student", Student),
        ("staff", Staff),
    )
    for kind, model in models:
        person: Any = (
            await session.execute(select(model).where(model.external_id == external_id))
        ).scalar_one_or_none()
        if person is not None:
            return Persona(
                kind, person.id, external_id, person.first_name, person.last_name, person.phone
            )
    raise PersonaNotFoundError(external_id)


async def _default_guardian(session: AsyncSession) -> Persona:
    children = func.count(GuardianLink.student_id)
    row = (
        await session.execute(
            select(Guardian)
            .join(GuardianLink, GuardianLink.guardian_id == Guardian.id)
            .group_by(Guardian.id)
            .order_by(children.desc(), Guardian.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    if row is None:
        raise PersonaNotFoundError("a guardian")
    return Persona(
        "guardian",
        row.id,
        row.external_id or f"#{row.id}",
        row.first_name,
        row.last_name,
        row.phone,
    )
