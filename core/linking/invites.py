"""Issuing and revoking invite codes for the school's people (the `journal invites` commands)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.i18n import N_
from core.linking.codes import code_hash, new_code
from core.linking.dto import IssuedInvite
from core.linking.targets import (
    InviteTargetError,
    Target,
    class_targets,
    in_name_order,
    kind_for,
    person_targets,
    resolve_school,
)
from core.linking.trail import audit
from core.models import InviteCode
from core.models.enums import Role

DEFAULT_TTL = timedelta(days=30)

__all__ = ["DEFAULT_TTL", "InviteTargetError", "issue_invites", "revoke_invites"]


async def _targets(
    session: AsyncSession,
    *,
    school_id: int,
    today: date | None,
    class_name: str | None,
    person: str | None,
    role: Role | None,
) -> list[Target]:
    if (class_name is None) == (person is None):
        raise InviteTargetError(N_("give either a class or a person"))
    if person is not None:
        return await person_targets(session, school_id, person, kind_for(role), today)
    wanted = class_name or ""
    return await class_targets(session, school_id, wanted, kind_for(role) or "guardian", today)


async def issue_invites(
    session: AsyncSession,
    *,
    now: datetime,
    today: date,
    class_name: str | None = None,
    person: str | None = None,
    role: Role | None = None,
    ttl: timedelta = DEFAULT_TTL,
    school: str | None = None,
) -> list[IssuedInvite]:
    """One fresh code per person: the class's guardians (default), students or class teacher
    (``role`` STUDENT, or any staff role), or the one person with the school's id ``person``.

    Earlier codes stay valid; ``revoke_invites`` ends them. Only the codes' hashes are stored:
    the returned objects are the one place the plain codes exist.
    """
    if ttl <= timedelta(0):
        raise InviteTargetError(N_("the validity must be at least one day"))
    school_id = await resolve_school(session, school)
    targets = in_name_order(
        await _targets(
            session,
            school_id=school_id,
            today=today,
            class_name=class_name,
            person=person,
            role=role,
        )
    )
    issued: list[tuple[Target, InviteCode, str]] = []
    for target in targets:
        code = new_code()
        invite = InviteCode(
            school_id=school_id,
            code_hash=code_hash(code),
            role=target.role,
            created_at=now,
            expires_at=now + ttl,
            **{f"{target.kind}_id": target.person_id},
        )
        session.add(invite)
        issued.append((target, invite, code))
    await session.flush()
    audit(
        session,
        action="invites_issued",
        now=now,
        account_id=None,
        label="operator",
        school_id=school_id,
        details={"invite_ids": [invite.id for _, invite, _ in issued]},
    )
    await session.flush()
    return [
        IssuedInvite(
            invite_id=invite.id,
            role=target.role,
            person_kind=target.kind,
            person_id=target.person_id,
            person_external_id=target.external_id,
            person_name=target.name,
            students=target.students,
            code=code,
            expires_at=invite.expires_at,
            class_names=target.class_names,
        )
        for target, invite, code in issued
    ]


async def revoke_invites(
    session: AsyncSession,
    *,
    now: datetime,
    class_name: str | None = None,
    person: str | None = None,
    role: Role | None = None,
    school: str | None = None,
) -> int:
    """Revoke the unused, unexpired codes of the same people ``issue_invites`` would choose
    (including students who have left since); returns how many were revoked."""
    school_id = await resolve_school(session, school)
    targets = await _targets(
        session, school_id=school_id, today=None, class_name=class_name, person=person, role=role
    )
    if not targets:
        return 0
    by_kind = {
        kind: [t.person_id for t in targets if t.kind == kind]
        for kind in ("guardian", "student", "staff")
    }
    result = await session.execute(
        update(InviteCode)
        .where(
            InviteCode.school_id == school_id,
            InviteCode.used_at.is_(None),
            InviteCode.revoked_at.is_(None),
            InviteCode.expires_at > now,
            or_(
                InviteCode.guardian_id.in_(by_kind["guardian"]),
                InviteCode.student_id.in_(by_kind["student"]),
                InviteCode.staff_id.in_(by_kind["staff"]),
            ),
        )
        .values(revoked_at=now)
    )
    count: int = result.rowcount  # type: ignore[attr-defined]
    audit(
        session,
        action="invites_revoked",
        now=now,
        account_id=None,
        label="operator",
        school_id=school_id,
        details={"count": count},
    )
    await session.flush()
    return count
