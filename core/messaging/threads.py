"""Questions, answers and follow-ups: the writes of the mail, each in the caller's transaction.

Every write checks access first (:mod:`core.messaging.access`), then the limits, then writes
the message, its files, its outbox event (the notifier delivers it) and an audit record
together; a refusal writes only its audit record, never half a message. The handler's session
commits at the end of the update.

Statuses: a family message opens the thread (``open``); a staff answer or "Mark as answered"
makes it ``answered``; "Close" ends it (no more messages from either side). Threads are never
deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import record_read
from core.linking.people import staff_present
from core.messaging.access import Asker, asker_for, load_thread, side_of
from core.messaging.drafts import check_message
from core.messaging.dto import Attachment, Receipt, Side, ThreadView
from core.messaging.errors import MessagingRefused, Refusal
from core.messaging.events import emit
from core.messaging.hours import opening_after
from core.messaging.limits import check_limits
from core.messaging.reading import thread_view
from core.messaging.recipients import find_option, recipient_options
from core.messaging.records import add_attachments
from core.messaging.rules import MessagingRules
from core.models import (
    AccountLink,
    MessageMute,
    MessageThread,
    Staff,
    Student,
    ThreadMessage,
)
from core.models.enums import AuthorKind, EventKind, Messenger, ThreadStatus
from core.reader import Reader
from core.services.lookups import staff_names

TITLE_LENGTH = 80
MUTE_DAYS = (1, 7, 30)


def _today(now: datetime, rules: MessagingRules) -> date:
    return now.astimezone(rules.timezone).date()


async def ask(
    session: AsyncSession,
    reader: Reader,
    rules: MessagingRules,
    *,
    student_id: int,
    staff_id: int,
    addressed_as: str,
    subject_id: int | None,
    text: str | None,
    attachments: Sequence[Attachment] = (),
    messenger: Messenger,
    now: datetime,
) -> Receipt:
    """A new question about ``student_id`` to a person on offer for that child."""
    today = _today(now, rules)
    # Access first: a stranger learns nothing about the child from a content refusal, and
    # every refused attempt is on record.
    asker = await asker_for(session, reader, student_id, today)
    option = None
    if asker is not None:
        options = await recipient_options(session, student_id, today)
        option = find_option(options, staff_id, addressed_as, subject_id)
    school_id = await session.scalar(select(Student.school_id).where(Student.id == student_id))
    details = {"staff_id": staff_id, "addressed_as": addressed_as[:32]}
    if asker is None or option is None or school_id is None:
        await _audit(session, reader, school_id, student_id, "thread_write", details, False)
        raise MessagingRefused(Refusal.NOT_ALLOWED)
    body = check_message(text, attachments, rules)
    await check_limits(session, rules, asker, staff_id, now, new_thread=True)
    thread = MessageThread(
        school_id=school_id,
        account_id=reader.account_id,
        student_id=student_id,
        staff_id=staff_id,
        subject=_title(body, attachments),
        status=ThreadStatus.OPEN,
        asker_guardian_id=asker.guardian_id,
        asker_student_id=asker.student_id,
        subject_id=option.subject_id,
        addressed_as=option.addressed_as.value,
        last_message_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(thread)
    await session.flush()
    message = await _add_message(
        session, thread, reader, asker, body, attachments, messenger, now, to_all=False
    )
    await _audit(
        session,
        reader,
        school_id,
        student_id,
        "thread_write",
        {**details, "thread_id": thread.id, "message_id": message.id},
        True,
    )
    return await _family_receipt(session, thread, message, rules, now)


async def post(
    session: AsyncSession,
    reader: Reader,
    rules: MessagingRules,
    *,
    thread_id: int,
    text: str | None,
    attachments: Sequence[Attachment] = (),
    messenger: Messenger,
    now: datetime,
    to_all_guardians: bool = False,
) -> Receipt:
    """A follow-up from the family side, or the staff member's answer."""
    today = _today(now, rules)
    body = check_message(text, attachments, rules)
    thread, side = await _judged(session, reader, rules, thread_id, now, "thread_write")
    if side == Side.ADMIN:
        raise MessagingRefused(Refusal.NOT_ALLOWED)
    if thread.status == ThreadStatus.CLOSED:
        raise MessagingRefused(Refusal.CLOSED)
    if side == Side.FAMILY:
        asker = await asker_for(session, reader, thread.student_id or 0, today)
        if asker is None:
            raise MessagingRefused(Refusal.NOT_FOUND)
        await check_limits(session, rules, asker, thread.staff_id, now, new_thread=False)
        message = await _add_message(
            session, thread, reader, asker, body, attachments, messenger, now, to_all=False
        )
        thread.status = ThreadStatus.OPEN
        await session.flush()
        return await _family_receipt(session, thread, message, rules, now)
    await _mark_read(session, thread.id, AuthorKind.FAMILY, now)
    message = await _add_message(
        session, thread, reader, None, body, attachments, messenger, now, to_all=to_all_guardians
    )
    thread.status = ThreadStatus.ANSWERED
    if to_all_guardians:
        thread.shared_with_guardians = True
    await session.flush()
    return Receipt(thread.id, message.id, "", None)


async def open_thread(
    session: AsyncSession, reader: Reader, rules: MessagingRules, thread_id: int, now: datetime
) -> ThreadView:
    """The thread for its reader; opening it marks the other side's messages read."""
    thread, side = await _judged(session, reader, rules, thread_id, now, "thread_read")
    if side == Side.STAFF:
        await _mark_read(session, thread.id, AuthorKind.FAMILY, now)
    elif side == Side.FAMILY:
        await _mark_read(session, thread.id, AuthorKind.STAFF, now)
    return await thread_view(session, thread, side, now)


async def set_status(
    session: AsyncSession,
    reader: Reader,
    rules: MessagingRules,
    thread_id: int,
    status: ThreadStatus,
    now: datetime,
) -> ThreadView:
    """ "Mark as answered" or "Close", by the staff member the thread is addressed to."""
    thread, side = await _judged(
        session, reader, rules, thread_id, now, "thread_status", {"status": status.value}
    )
    if side != Side.STAFF:
        raise MessagingRefused(Refusal.NOT_ALLOWED)
    if thread.status == ThreadStatus.CLOSED:
        raise MessagingRefused(Refusal.CLOSED)
    await _mark_read(session, thread.id, AuthorKind.FAMILY, now)
    thread.status = status
    thread.updated_at = now
    if status == ThreadStatus.CLOSED:
        thread.closed_at = now
        thread.closed_by_staff_id = reader.staff_id
    await session.flush()
    return await thread_view(session, thread, side, now)


async def mute_asker(
    session: AsyncSession,
    reader: Reader,
    rules: MessagingRules,
    thread_id: int,
    days: int,
    now: datetime,
) -> datetime:
    """The staff member takes no messages from the thread's asker for ``days`` days; returns
    until when. The administration sees mutes in the thread and in ``journal messages``."""
    if days not in MUTE_DAYS:
        raise MessagingRefused(Refusal.NOT_ALLOWED)
    thread, side = await _judged(
        session, reader, rules, thread_id, now, "thread_mute", {"days": days}
    )
    if side != Side.STAFF or (thread.asker_guardian_id is None and thread.asker_student_id is None):
        raise MessagingRefused(Refusal.NOT_ALLOWED)
    until = now + timedelta(days=days)
    session.add(
        MessageMute(
            school_id=thread.school_id,
            staff_id=thread.staff_id,
            guardian_id=thread.asker_guardian_id,
            student_id=thread.asker_student_id,
            thread_id=thread.id,
            until=until,
            created_at=now,
        )
    )
    await session.flush()
    return until


async def report(
    session: AsyncSession, reader: Reader, rules: MessagingRules, thread_id: int, now: datetime
) -> None:
    """A participant sends the thread to the administration, once."""
    thread, side = await _judged(session, reader, rules, thread_id, now, "thread_report")
    if side == Side.ADMIN:
        raise MessagingRefused(Refusal.NOT_ALLOWED)
    if thread.reported_at is not None:
        raise MessagingRefused(Refusal.ALREADY_REPORTED)
    thread.reported_at = now
    thread.reported_by_account_id = reader.account_id
    await emit(
        session,
        school_id=thread.school_id,
        kind=EventKind.THREAD_REPORTED,
        object_type="message_threads",
        object_id=thread.id,
        student_id=thread.student_id,
        now=now,
        payload={"by": side.value},
    )


async def _judged(
    session: AsyncSession,
    reader: Reader,
    rules: MessagingRules,
    thread_id: int,
    now: datetime,
    action: str,
    details: dict[str, Any] | None = None,
) -> tuple[MessageThread, Side]:
    """The thread and the reader's part in it, the decision audited as ``action``."""
    thread = await load_thread(session, thread_id)
    side = await side_of(
        session, reader, thread, action=action, today=_today(now, rules), details=details
    )
    return thread, side


async def _add_message(
    session: AsyncSession,
    thread: MessageThread,
    reader: Reader,
    asker: Asker | None,
    text: str,
    attachments: Sequence[Attachment],
    messenger: Messenger,
    now: datetime,
    *,
    to_all: bool,
) -> ThreadMessage:
    family = asker is not None
    message = ThreadMessage(
        thread_id=thread.id,
        author_kind=AuthorKind.FAMILY if family else AuthorKind.STAFF,
        author_account_id=reader.account_id,
        author_staff_id=None if family else reader.staff_id,
        author_guardian_id=asker.guardian_id if asker else None,
        author_student_id=asker.student_id if asker else None,
        text=text,
        to_all_guardians=to_all,
        created_at=now,
    )
    session.add(message)
    await session.flush()
    add_attachments(session, attachments, messenger, message_id=message.id)
    thread.last_message_at = now
    thread.updated_at = now
    await emit(
        session,
        school_id=thread.school_id,
        kind=EventKind.THREAD_MESSAGE,
        object_type="thread_messages",
        object_id=message.id,
        student_id=thread.student_id,
        now=now,
        payload={"thread_id": thread.id, "author": message.author_kind.value, "to_all": to_all},
    )
    return message


async def _mark_read(
    session: AsyncSession, thread_id: int, author: AuthorKind, now: datetime
) -> None:
    await session.execute(
        update(ThreadMessage)
        .where(
            ThreadMessage.thread_id == thread_id,
            ThreadMessage.author_kind == author,
            ThreadMessage.read_at.is_(None),
        )
        .values(read_at=now)
    )


async def _family_receipt(
    session: AsyncSession,
    thread: MessageThread,
    message: ThreadMessage,
    rules: MessagingRules,
    now: datetime,
) -> Receipt:
    today = _today(now, rules)
    name = (await staff_names(session, [thread.staff_id])).get(thread.staff_id, "")
    linked = bool(
        await session.scalar(
            select(
                exists().where(
                    AccountLink.staff_id == thread.staff_id,
                    AccountLink.staff_id == Staff.id,
                    staff_present(today),
                )
            )
        )
    )
    deliver_at = await opening_after(
        session, thread.staff_id, thread.school_id, now, rules.timezone
    )
    return Receipt(thread.id, message.id, name, deliver_at, recipient_linked=linked)


def _title(text: str, attachments: Sequence[Attachment]) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    if not first and attachments:
        first = attachments[0].file_name or attachments[0].kind.value
    return first if len(first) <= TITLE_LENGTH else first[: TITLE_LENGTH - 1] + "…"


async def _audit(
    session: AsyncSession,
    reader: Reader,
    school_id: int | None,
    student_id: int | None,
    action: str,
    details: dict[str, object],
    granted: bool,
) -> None:
    await record_read(
        session,
        reader,
        school_id=school_id,
        student_id=student_id,
        action=action,
        details={**details, "permission": "ask", "granted": granted},
    )
