"""Making verified links, shared by invite codes and phone numbers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking.dto import LinkOutcome, LinkResult
from core.linking.people import PersonRef, children_of, roles_of_staff
from core.linking.trail import audit
from core.messaging.waiting import deliver_waiting
from core.models import AccountLink
from core.models.enums import LinkMethod, Messenger, Role

_COLUMN = {"guardian": "guardian_id", "student": "student_id", "staff": "staff_id"}


async def _existing(session: AsyncSession, account_id: int) -> set[tuple[str, int]]:
    rows = await session.execute(
        select(AccountLink.guardian_id, AccountLink.student_id, AccountLink.staff_id).where(
            AccountLink.account_id == account_id
        )
    )
    found: set[tuple[str, int]] = set()
    for guardian_id, student_id, staff_id in rows:
        for kind, person_id in (
            ("guardian", guardian_id),
            ("student", student_id),
            ("staff", staff_id),
        ):
            if person_id is not None:
                found.add((kind, person_id))
    return found


async def describe(
    session: AsyncSession,
    account_id: int,
    people: Sequence[PersonRef],
    outcome: LinkOutcome,
    today: date,
) -> LinkResult:
    """What ``people`` let the account see: children, and the roles they bring."""
    guardian_ids = [p.person_id for p in people if p.kind == "guardian"]
    student_ids = [p.person_id for p in people if p.kind == "student"]
    staff_ids = [p.person_id for p in people if p.kind == "staff"]
    roles: list[Role] = []
    if guardian_ids:
        roles.append(Role.GUARDIAN)
    if student_ids:
        roles.append(Role.STUDENT)
    roles.extend(await roles_of_staff(session, staff_ids))
    children = await children_of(
        session, guardian_ids=guardian_ids, student_ids=student_ids, today=today
    )
    return LinkResult(outcome=outcome, account_id=account_id, children=children, roles=tuple(roles))


async def link_people(
    session: AsyncSession,
    *,
    account_id: int,
    messenger: Messenger,
    people: Sequence[PersonRef],
    method: LinkMethod,
    now: datetime,
    today: date,
    invite_id: int | None = None,
) -> LinkResult:
    """Link the account to each of ``people`` not linked yet, and audit what it opened.

    LINKED describes the new links only; ALREADY (nothing new) describes all of ``people``, so
    the bot can still say what the account sees through them.
    """
    existing = await _existing(session, account_id)
    new = [p for p in people if (p.kind, p.person_id) not in existing]
    if not new:
        return await describe(session, account_id, people, LinkOutcome.ALREADY, today)
    for person in new:
        session.add(
            AccountLink(
                account_id=account_id,
                method=method,
                invite_id=invite_id,
                linked_at=now,
                **{_COLUMN[person.kind]: person.person_id},
            )
        )
    result = await describe(session, account_id, new, LinkOutcome.LINKED, today)
    schools = {p.school_id for p in new}
    audit(
        session,
        action=f"link_{method.value}",
        now=now,
        account_id=account_id,
        label=messenger.value,
        school_id=schools.pop() if len(schools) == 1 else None,
        object_type="invite_codes" if invite_id is not None else None,
        object_id=invite_id,
        details={
            "student_ids": [child.student_id for child in result.children],
            "guardian_ids": [p.person_id for p in new if p.kind == "guardian"],
            "staff_ids": [p.person_id for p in new if p.kind == "staff"],
        },
    )
    await session.flush()
    # Questions that waited for a staff member without an account reach them now.
    await deliver_waiting(session, account_id, [p.person_id for p in new if p.kind == "staff"], now)
    return result
