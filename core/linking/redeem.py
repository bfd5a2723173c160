"""Redeeming a one-time invite code, with a brake on guessing."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking import attempts
from core.linking.accounts import account_id_of, ensure_account
from core.linking.codes import code_hash, has_code_shape
from core.linking.dto import LinkOutcome, LinkResult
from core.linking.links import describe, link_people
from core.linking.people import PersonRef, staff_present, student_present
from core.models import InviteCode, Staff, Student
from core.models.enums import LinkMethod, Messenger

MAX_FAILURES = attempts.MAX_FAILURES
FAILURE_WINDOW = attempts.FAILURE_WINDOW
locked_until = attempts.locked_until

__all__ = [
    "FAILURE_WINDOW",
    "MAX_FAILURES",
    "locked_until",
    "looks_like_code",
    "redeem_code",
]


def looks_like_code(text: str) -> bool:
    """Whether pasted text is worth trying as a code (a cheap shape check, no database)."""
    return has_code_shape(text.strip())


def _person(invite: InviteCode) -> PersonRef:
    if invite.guardian_id is not None:
        return PersonRef("guardian", invite.guardian_id, invite.school_id)
    if invite.student_id is not None:
        return PersonRef("student", invite.student_id, invite.school_id)
    if invite.staff_id is not None:
        return PersonRef("staff", invite.staff_id, invite.school_id)
    raise ValueError("an invite code without a person")  # the one_person constraint forbids it


async def _still_there(session: AsyncSession, person: PersonRef, today: date) -> bool:
    """A code for a student or staff member who has left opens nothing: it is invalid."""
    if person.kind == "student":
        query = select(Student.id).where(Student.id == person.person_id, student_present(today))
    elif person.kind == "staff":
        query = select(Staff.id).where(Staff.id == person.person_id, staff_present(today))
    else:
        return True
    return (await session.execute(query)).first() is not None


async def redeem_code(
    session: AsyncSession,
    messenger: Messenger,
    user_key: str,
    chat_key: str,
    code: str,
    now: datetime,
    today: date,
    *,
    bot: str = "",
    school_id: int | None = None,
) -> LinkResult:
    """Link the user's account (at ``bot``) to the code's person, if the code is good and they
    are not locked.

    An unknown, used, revoked or expired code is INVALID alike (no oracle) and counts as a
    failure; the account that used a code gets ALREADY when it tries that code again. On a
    school's own bot (``school_id``) a good code of another school is OTHER_SCHOOL and stays
    unused: the family sends it to that school's bot.
    """
    account_id = await account_id_of(session, messenger, user_key, bot)
    until = await locked_until(session, messenger, user_key, now)
    if until is not None:
        attempts.record_lockout(
            session, messenger, account_id=account_id, method="invite", until=until, now=now
        )
        await session.flush()
        return LinkResult(LinkOutcome.LOCKED, account_id=account_id, locked_until=until)

    code = code.strip()
    invite = None
    if has_code_shape(code):
        invite = (
            await session.execute(select(InviteCode).where(InviteCode.code_hash == code_hash(code)))
        ).scalar_one_or_none()
    if invite is not None and account_id is not None and invite.used_by_account_id == account_id:
        return await describe(session, account_id, [_person(invite)], LinkOutcome.ALREADY, today)
    if (
        invite is None
        or invite.used_at is not None
        or invite.revoked_at is not None
        or invite.expires_at <= now
        or not await _still_there(session, _person(invite), today)
    ):
        return await _fail(session, messenger, user_key, account_id, now)

    if school_id is not None and invite.school_id != school_id:
        return LinkResult(LinkOutcome.OTHER_SCHOOL, account_id=account_id)
    # Claim the code with a conditional UPDATE: of two concurrent redeems, one wins.
    claimed = await session.execute(
        update(InviteCode)
        .where(InviteCode.id == invite.id, InviteCode.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return await _fail(session, messenger, user_key, account_id, now)
    account_id = await ensure_account(session, messenger, user_key, chat_key, now, bot=bot)
    await session.execute(
        update(InviteCode).where(InviteCode.id == invite.id).values(used_by_account_id=account_id)
    )
    return await link_people(
        session,
        account_id=account_id,
        messenger=messenger,
        people=[_person(invite)],
        method=LinkMethod.INVITE,
        now=now,
        today=today,
        invite_id=invite.id,
    )


async def _fail(
    session: AsyncSession,
    messenger: Messenger,
    user_key: str,
    account_id: int | None,
    now: datetime,
) -> LinkResult:
    left = await attempts.record_failure(
        session, messenger, user_key, account_id=account_id, method="invite", now=now
    )
    return LinkResult(LinkOutcome.INVALID, account_id=account_id, failures_left=left)
