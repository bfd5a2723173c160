"""Who may see or write a thread, judged on every call from the database (never from a button).

- The staff member a thread is addressed to answers it (while they have not left the school).
- The family side: the asker (a guardian or the student themself), and - once the staff member
  answered "to all guardians" - every guardian of the child; each only while the access policy
  lets them write about the child (``Permission.ASK``: their own child who has not left).
- The administration reads every thread about a student it reaches with ``Permission.THREADS``
  (SCHOOL by default for the head teacher and the admin), and answers none.

Anyone else gets NOT_FOUND: a thread number tells a stranger nothing. Every decision leaves an
audit record naming the thread and the student (``journal audit``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.policy import AccessDenied, authorize, readable
from core.audit import record_read
from core.linking.people import staff_present
from core.messaging.dto import Side
from core.messaging.errors import MessagingRefused, Refusal
from core.models import GuardianLink, MessageThread, Staff
from core.reader import Reader


@dataclass(frozen=True, slots=True)
class Asker:
    """The family member who writes: a guardian of the child, or the student themself."""

    guardian_id: int | None
    student_id: int | None


async def asker_for(
    session: AsyncSession, reader: Reader, student_id: int, today: date
) -> Asker | None:
    """As whom the reader writes about ``student_id``, or None when they may not.

    Not audited: the write that follows is (``authorize`` with ``Permission.ASK``)."""
    if student_id not in await readable(session, reader, Permission.ASK, (student_id,), today):
        return None
    if reader.student_id == student_id:
        return Asker(guardian_id=None, student_id=student_id)
    if not reader.guardian_ids:
        return None
    guardian = await session.scalar(
        select(GuardianLink.guardian_id)
        .where(
            GuardianLink.student_id == student_id,
            GuardianLink.guardian_id.in_(reader.guardian_ids),
        )
        .order_by(GuardianLink.guardian_id)
        .limit(1)
    )
    return Asker(guardian_id=guardian, student_id=None) if guardian is not None else None


async def load_thread(session: AsyncSession, thread_id: int) -> MessageThread:
    thread = await session.get(MessageThread, thread_id)
    if thread is None:
        raise MessagingRefused(Refusal.NOT_FOUND)
    return thread


async def side_of(
    session: AsyncSession,
    reader: Reader,
    thread: MessageThread,
    *,
    action: str,
    today: date,
    details: dict[str, Any] | None = None,
) -> Side:
    """The reader's part in ``thread``, audited as ``action``; NOT_FOUND when they have none."""
    about = {"thread_id": thread.id, **(details or {})}
    if reader.staff_id is not None and reader.staff_id == thread.staff_id:
        present = await session.scalar(
            select(exists().where(Staff.id == thread.staff_id, staff_present(today)))
        )
        if present:
            await _record(session, reader, thread, action, about)
            return Side.STAFF
    if await _family_member(session, reader, thread):
        try:
            await authorize(
                session,
                reader,
                Permission.ASK,
                thread.student_id or 0,
                action=action,
                today=today,
                details=about,
            )
        except AccessDenied:
            raise MessagingRefused(Refusal.NOT_FOUND) from None
        return Side.FAMILY
    if thread.student_id is not None and (reader.staff_id is not None or reader.system):
        try:
            await authorize(
                session,
                reader,
                Permission.THREADS,
                thread.student_id,
                action=action,
                today=today,
                details=about,
            )
        except AccessDenied:
            raise MessagingRefused(Refusal.NOT_FOUND) from None
        return Side.ADMIN
    await _record(session, reader, thread, action, {**about, "granted": False})
    raise MessagingRefused(Refusal.NOT_FOUND)


async def _family_member(session: AsyncSession, reader: Reader, thread: MessageThread) -> bool:
    if thread.asker_student_id is not None and thread.asker_student_id == reader.student_id:
        return True
    if not reader.guardian_ids:
        return False
    if thread.asker_guardian_id in reader.guardian_ids:
        return True
    if not thread.shared_with_guardians or thread.student_id is None:
        return False
    return bool(
        await session.scalar(
            select(
                exists().where(
                    GuardianLink.student_id == thread.student_id,
                    GuardianLink.guardian_id.in_(reader.guardian_ids),
                )
            )
        )
    )


async def _record(
    session: AsyncSession,
    reader: Reader,
    thread: MessageThread,
    action: str,
    details: dict[str, Any],
) -> None:
    await record_read(
        session,
        reader,
        school_id=thread.school_id,
        student_id=thread.student_id,
        action=action,
        details=details,
    )
