"""``/inbox``: a person's threads not closed, newest first, a page at a time.

Staff see the threads addressed to them; a family member the threads they asked and those an
answer "to all guardians" shared with them, about children they may still write about. Listing
shows titles, so each thread listed is audited (``thread_list``, one statement for the page).
Six statements a page for staff, nine for a family (their children and the access check
add three), whatever the number of threads.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.policy import readable
from core.messaging.dto import InboxPage, Side, ThreadSummary
from core.messaging.reading import UNKNOWN, family_names
from core.messaging.records import audit_threads
from core.models import GuardianLink, MessageThread, ThreadMessage
from core.models.enums import AuthorKind, ThreadStatus
from core.reader import Reader
from core.services.lookups import staff_names

PAGE_SIZE = 8


def has_family_side(reader: Reader) -> bool:
    return bool(reader.guardian_ids or reader.student_id)


async def inbox(
    session: AsyncSession, reader: Reader, side: Side, page: int, today: date
) -> InboxPage:
    if side == Side.STAFF and reader.staff_id is not None:
        mine = MessageThread.staff_id == reader.staff_id
    elif side == Side.FAMILY and has_family_side(reader):
        mine = await _family_threads(session, reader, today)
    else:
        return InboxPage((), 0, 0, 0, side)
    where = and_(mine, MessageThread.status != ThreadStatus.CLOSED)
    total = int(await session.scalar(select(func.count(MessageThread.id)).where(where)) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    other = AuthorKind.FAMILY if side == Side.STAFF else AuthorKind.STAFF
    unread = exists().where(
        ThreadMessage.thread_id == MessageThread.id,
        ThreadMessage.author_kind == other,
        ThreadMessage.read_at.is_(None),
    )
    mine_unread = exists().where(
        ThreadMessage.thread_id == MessageThread.id,
        ThreadMessage.author_kind != other,
        ThreadMessage.read_at.is_(None),
    )
    rows = (
        await session.execute(
            select(MessageThread, unread.label("unread"), mine_unread.label("waiting"))
            .where(where)
            .order_by(MessageThread.last_message_at.desc(), MessageThread.id.desc())
            .offset(page * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    ).all()
    threads = [row[0] for row in rows]
    people = await family_names(
        session,
        guardians=[t.asker_guardian_id for t in threads],
        students=[s for t in threads for s in (t.student_id, t.asker_student_id)],
    )
    staff = await staff_names(session, [t.staff_id for t in threads])
    items = tuple(
        ThreadSummary(
            id=thread.id,
            status=ThreadStatus(thread.status),
            child=people.get(("student", thread.student_id or 0), UNKNOWN),
            counterpart=_asker(thread, people)
            if side == Side.STAFF
            else staff.get(thread.staff_id, UNKNOWN),
            title=thread.subject,
            last_message_at=thread.last_message_at,
            unread=bool(unread_flag),
            waiting_for_read=bool(waiting) and side == Side.FAMILY,
        )
        for thread, unread_flag, waiting in rows
    )
    await audit_threads(
        session, reader, [(t.id, t.school_id, t.student_id) for t in threads], "thread_list"
    )
    return InboxPage(items, page, pages, total, side)


async def _family_threads(
    session: AsyncSession, reader: Reader, today: date
) -> ColumnElement[bool]:
    asked: list[ColumnElement[bool]] = []
    if reader.student_id is not None:
        asked.append(MessageThread.asker_student_id == reader.student_id)
    if reader.guardian_ids:
        asked.append(MessageThread.asker_guardian_id.in_(reader.guardian_ids))
        shared = exists().where(
            GuardianLink.student_id == MessageThread.student_id,
            GuardianLink.guardian_id.in_(reader.guardian_ids),
        )
        asked.append(and_(MessageThread.shared_with_guardians.is_(True), shared))
    # Children the reader may no longer write about (left the school, link removed) drop out.
    children = await _children(session, reader)
    allowed = await readable(session, reader, Permission.ASK, children, today)
    return and_(or_(*asked), MessageThread.student_id.in_(allowed))


async def _children(session: AsyncSession, reader: Reader) -> set[int]:
    found = {reader.student_id} if reader.student_id is not None else set()
    if reader.guardian_ids:
        rows = await session.execute(
            select(GuardianLink.student_id).where(GuardianLink.guardian_id.in_(reader.guardian_ids))
        )
        found |= set(rows.scalars())
    return found


def _asker(thread: MessageThread, people: dict[tuple[str, int], str]) -> str:
    if thread.asker_guardian_id is not None:
        return people.get(("guardian", thread.asker_guardian_id), UNKNOWN)
    return people.get(("student", thread.asker_student_id or 0), UNKNOWN)
