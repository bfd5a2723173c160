"""A thread as its reader sees it: names, messages oldest first, files. At most eight statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.messaging.access import Asker
from core.messaging.dto import Addressee, Attachment, MessageView, Side, ThreadView
from core.messaging.limits import muted_until
from core.models import (
    Guardian,
    MessageAttachment,
    MessageThread,
    SchoolClass,
    Student,
    ThreadMessage,
)
from core.models.enums import AttachmentKind, AuthorKind, Messenger, ThreadStatus
from core.services.lookups import staff_names, subject_names

# Shown where a person's record is gone (deleted by an import); the thread stays on record.
UNKNOWN = "—"


async def thread_view(
    session: AsyncSession, thread: MessageThread, side: Side, now: datetime
) -> ThreadView:
    rows = list(
        (
            await session.execute(
                select(ThreadMessage)
                .where(ThreadMessage.thread_id == thread.id)
                .order_by(ThreadMessage.created_at, ThreadMessage.id)
            )
        ).scalars()
    )
    files = await attachments_of(session, [row.id for row in rows])
    people = await family_names(
        session,
        guardians=[thread.asker_guardian_id, *(r.author_guardian_id for r in rows)],
        students=[thread.student_id, thread.asker_student_id, *(r.author_student_id for r in rows)],
    )
    staff = await staff_names(session, [thread.staff_id, *(r.author_staff_id for r in rows)])
    subject = (await subject_names(session, [thread.subject_id])).get(thread.subject_id or 0)
    classes = await class_names(session, {thread.student_id} if thread.student_id else set())
    class_name = classes.get(thread.student_id or 0)
    asker = Asker(thread.asker_guardian_id, thread.asker_student_id)
    messages = tuple(
        MessageView(
            id=row.id,
            author_kind=AuthorKind(row.author_kind),
            author=_author(row, people, staff),
            text=row.text,
            created_at=row.created_at,
            read_at=row.read_at,
            to_all_guardians=row.to_all_guardians,
            attachments=files.get(row.id, ()),
        )
        for row in rows
    )
    return ThreadView(
        id=thread.id,
        side=side,
        status=ThreadStatus(thread.status),
        child=people.get(("student", thread.student_id or 0), UNKNOWN),
        class_name=class_name,
        staff=staff.get(thread.staff_id, UNKNOWN),
        addressed_as=Addressee(thread.addressed_as),
        subject=subject,
        asker=_asker_name(thread, people),
        title=thread.subject,
        shared_with_guardians=thread.shared_with_guardians,
        created_at=thread.created_at,
        messages=messages,
        muted_until=await muted_until(session, thread.staff_id, asker, now)
        if side != Side.FAMILY
        else None,
        reported=thread.reported_at is not None,
    )


async def attachments_of(
    session: AsyncSession, message_ids: Collection[int]
) -> dict[int, tuple[Attachment, ...]]:
    if not message_ids:
        return {}
    rows = await session.execute(
        select(MessageAttachment)
        .where(MessageAttachment.message_id.in_(set(message_ids)))
        .order_by(MessageAttachment.message_id, MessageAttachment.position)
    )
    found: defaultdict[int, list[Attachment]] = defaultdict(list)
    for row in rows.scalars():
        found[row.message_id or 0].append(as_attachment(row))
    return {key: tuple(value) for key, value in found.items()}


def as_attachment(row: MessageAttachment) -> Attachment:
    return Attachment(
        kind=AttachmentKind(row.kind),
        file_key=row.file_key,
        file_name=row.file_name,
        mime_type=row.mime_type,
        size=row.size,
        messenger=Messenger(row.messenger),
    )


async def family_names(
    session: AsyncSession, *, guardians: Iterable[int | None], students: Iterable[int | None]
) -> dict[tuple[str, int], str]:
    """("guardian" | "student", id) → "Имя Фамилия", two statements at most."""
    found: dict[tuple[str, int], str] = {}
    guardian_ids = {g for g in guardians if g is not None}
    student_ids = {s for s in students if s is not None}
    if guardian_ids:
        rows = await session.execute(
            select(Guardian.id, Guardian.first_name, Guardian.last_name).where(
                Guardian.id.in_(guardian_ids)
            )
        )
        found.update({("guardian", i): f"{first} {last}" for i, first, last in rows})
    if student_ids:
        rows = await session.execute(
            select(Student.id, Student.first_name, Student.last_name).where(
                Student.id.in_(student_ids)
            )
        )
        found.update({("student", i): f"{first} {last}" for i, first, last in rows})
    return found


def _author(row: ThreadMessage, people: dict[tuple[str, int], str], staff: dict[int, str]) -> str:
    if row.author_kind == AuthorKind.STAFF:
        return staff.get(row.author_staff_id or 0, UNKNOWN)
    if row.author_guardian_id is not None:
        return people.get(("guardian", row.author_guardian_id), UNKNOWN)
    return people.get(("student", row.author_student_id or 0), UNKNOWN)


def _asker_name(thread: MessageThread, people: dict[tuple[str, int], str]) -> str:
    if thread.asker_guardian_id is not None:
        return people.get(("guardian", thread.asker_guardian_id), UNKNOWN)
    return people.get(("student", thread.asker_student_id or 0), UNKNOWN)


async def class_names(session: AsyncSession, student_ids: set[int]) -> dict[int, str]:
    """Student → the name of the class they are in now ("7А"); one statement."""
    if not student_ids:
        return {}
    rows = await session.execute(
        select(Student.id, SchoolClass.name)
        .join(SchoolClass, SchoolClass.id == Student.class_id)
        .where(Student.id.in_(student_ids))
    )
    return {student_id: name for student_id, name in rows}
