"""Linking by the user's own phone number, as the school has it on record."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.exchange.values import BadValue, parse_phone
from core.linking import attempts
from core.linking.accounts import account_id_of, ensure_account
from core.linking.dto import LinkOutcome, LinkResult
from core.linking.links import link_people
from core.linking.people import PersonKind, PersonRef, staff_present, student_present
from core.models import Guardian, Staff, Student
from core.models.enums import LinkMethod, Messenger


async def people_with_phone(session: AsyncSession, phone: str, today: date) -> list[PersonRef]:
    """Guardians, present students and present staff whose number is ``phone`` (E.164)."""
    rows = await session.execute(
        union_all(
            select(literal("guardian"), Guardian.id, Guardian.school_id).where(
                Guardian.phone == phone
            ),
            select(literal("student"), Student.id, Student.school_id).where(
                Student.phone == phone, student_present(today)
            ),
            select(literal("staff"), Staff.id, Staff.school_id).where(
                Staff.phone == phone, staff_present(today)
            ),
        )
    )
    kinds: dict[str, PersonKind] = {"guardian": "guardian", "student": "student", "staff": "staff"}
    found = [PersonRef(kinds[kind], person_id, school_id) for kind, person_id, school_id in rows]
    return sorted(found, key=lambda p: (p.kind, p.person_id))


async def link_by_phone(
    session: AsyncSession,
    messenger: Messenger,
    user_key: str,
    chat_key: str,
    phone: str,
    now: datetime,
    today: date,
    *,
    bot: str = "",
    school_id: int | None = None,
) -> LinkResult:
    """Link every record with the user's phone number; the bot has checked it is their own.

    A number nobody has is NOT_FOUND and counts toward the same lockout as wrong codes. On a
    school's own bot (``school_id``) only that school's records are linked; a number only other
    schools have is OTHER_SCHOOL (not a failure: the number is the user's own).
    """
    account_id = await account_id_of(session, messenger, user_key, bot)
    until = await attempts.locked_until(session, messenger, user_key, now)
    if until is not None:
        attempts.record_lockout(
            session, messenger, account_id=account_id, method="phone", until=until, now=now
        )
        await session.flush()
        return LinkResult(LinkOutcome.LOCKED, account_id=account_id, locked_until=until)
    try:
        people = await people_with_phone(session, parse_phone(phone), today)
    except BadValue:
        people = []
    if not people:
        left = await attempts.record_failure(
            session, messenger, user_key, account_id=account_id, method="phone", now=now
        )
        return LinkResult(LinkOutcome.NOT_FOUND, account_id=account_id, failures_left=left)
    if school_id is not None:
        people = [person for person in people if person.school_id == school_id]
        if not people:
            return LinkResult(LinkOutcome.OTHER_SCHOOL, account_id=account_id)
    account_id = await ensure_account(session, messenger, user_key, chat_key, now, bot=bot)
    return await link_people(
        session,
        account_id=account_id,
        messenger=messenger,
        people=people,
        method=LinkMethod.PHONE,
        now=now,
        today=today,
    )
