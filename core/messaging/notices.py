"""What a delivered piece of mail says, read when the notifier sends it (like every push).

A staff member's notice of a question names the child, the class, the subject, the asker and
the thread, not the question itself: the text opens with "Open" (that is what "read" means
to the asker). A family member's notice carries the staff member's answer in full, with its
files. Announcements carry their text and files; the sender's report its figures.

Four to eight statements for any number of notices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.messaging.announcements import build_report, target_label
from core.messaging.dto import Addressee, AnnouncementReport, Attachment
from core.messaging.reading import (
    UNKNOWN,
    as_attachment,
    attachments_of,
    class_names,
    family_names,
)
from core.models import (
    Announcement,
    MessageAttachment,
    MessageThread,
    Staff,
    ThreadMessage,
)
from core.models.enums import AnnouncementAudience, AnnouncementTarget, AuthorKind, EventKind
from core.services.lookups import staff_names, subject_names
from core.services.naming import short_name


@dataclass(frozen=True, slots=True)
class ThreadNotice:
    thread_id: int
    message_id: int
    to_staff: bool  # a family message for the staff member (else an answer for the family)
    first: bool  # the question that opened the thread
    child: str
    class_name: str | None
    subject: str | None
    addressed_as: Addressee
    asker: str
    staff: str
    text: str
    attachments: tuple[Attachment, ...]
    to_all_guardians: bool


@dataclass(frozen=True, slots=True)
class AnnouncementNotice:
    announcement_id: int
    author: str
    target: AnnouncementTarget
    label: str
    audience: AnnouncementAudience
    text: str
    attachments: tuple[Attachment, ...]
    ask_ack: bool
    urgent: bool


@dataclass(frozen=True, slots=True)
class ReportedNotice:
    thread_id: int
    child: str
    class_name: str | None
    staff: str
    asker: str


Notice = ThreadNotice | AnnouncementNotice | AnnouncementReport | ReportedNotice


async def notices(
    session: AsyncSession, wanted: Sequence[tuple[EventKind, int]]
) -> dict[tuple[EventKind, int], Notice]:
    """(event kind, object id) → what it says; missing when its object is gone."""
    found: dict[tuple[EventKind, int], Notice] = {}
    messages = {i for kind, i in wanted if kind == EventKind.THREAD_MESSAGE}
    reported = {i for kind, i in wanted if kind == EventKind.THREAD_REPORTED}
    announced = {i for kind, i in wanted if kind == EventKind.ANNOUNCEMENT}
    reports = {i for kind, i in wanted if kind == EventKind.ANNOUNCEMENT_REPORT}
    for message_id, notice in (await _thread_notices(session, messages)).items():
        found[(EventKind.THREAD_MESSAGE, message_id)] = notice
    for thread_id, reported_notice in (await _reported(session, reported)).items():
        found[(EventKind.THREAD_REPORTED, thread_id)] = reported_notice
    for announcement_id, announcement in (await _announcements(session, announced)).items():
        found[(EventKind.ANNOUNCEMENT, announcement_id)] = announcement
    for announcement_id in sorted(reports):
        row = await session.get(Announcement, announcement_id)
        if row is not None:
            found[(EventKind.ANNOUNCEMENT_REPORT, announcement_id)] = await build_report(
                session, row
            )
    return found


async def _thread_notices(session: AsyncSession, message_ids: set[int]) -> dict[int, ThreadNotice]:
    if not message_ids:
        return {}
    rows = (
        await session.execute(
            select(ThreadMessage, MessageThread)
            .join(MessageThread, MessageThread.id == ThreadMessage.thread_id)
            .where(ThreadMessage.id.in_(message_ids))
        )
    ).all()
    threads = [thread for _message, thread in rows]
    firsts = await _first_messages(session, {t.id for t in threads})
    files = await attachments_of(session, message_ids)
    people = await family_names(
        session,
        guardians=[t.asker_guardian_id for t in threads],
        students=[s for t in threads for s in (t.student_id, t.asker_student_id)],
    )
    staff = await staff_names(session, [t.staff_id for t in threads])
    subjects = await subject_names(session, [t.subject_id for t in threads])
    classes = await class_names(session, {t.student_id for t in threads if t.student_id})
    found: dict[int, ThreadNotice] = {}
    for message, thread in rows:
        asker_key = (
            ("guardian", thread.asker_guardian_id)
            if thread.asker_guardian_id is not None
            else ("student", thread.asker_student_id or 0)
        )
        found[message.id] = ThreadNotice(
            thread_id=thread.id,
            message_id=message.id,
            to_staff=message.author_kind == AuthorKind.FAMILY,
            first=firsts.get(thread.id) == message.id,
            child=people.get(("student", thread.student_id or 0), UNKNOWN),
            class_name=classes.get(thread.student_id or 0),
            subject=subjects.get(thread.subject_id or 0),
            addressed_as=Addressee(thread.addressed_as),
            asker=people.get(asker_key, UNKNOWN),
            staff=staff.get(thread.staff_id, UNKNOWN),
            text=message.text,
            attachments=files.get(message.id, ()),
            to_all_guardians=message.to_all_guardians,
        )
    return found


async def _first_messages(session: AsyncSession, thread_ids: set[int]) -> dict[int, int]:

    rows = await session.execute(
        select(ThreadMessage.thread_id, func.min(ThreadMessage.id))
        .where(ThreadMessage.thread_id.in_(thread_ids))
        .group_by(ThreadMessage.thread_id)
    )
    return {thread_id: first for thread_id, first in rows}


async def _reported(session: AsyncSession, thread_ids: set[int]) -> dict[int, ReportedNotice]:
    if not thread_ids:
        return {}
    threads = list(
        (
            await session.execute(select(MessageThread).where(MessageThread.id.in_(thread_ids)))
        ).scalars()
    )
    people = await family_names(
        session,
        guardians=[t.asker_guardian_id for t in threads],
        students=[s for t in threads for s in (t.student_id, t.asker_student_id)],
    )
    staff = await staff_names(session, [t.staff_id for t in threads])
    classes = await class_names(session, {t.student_id for t in threads if t.student_id})
    return {
        t.id: ReportedNotice(
            thread_id=t.id,
            child=people.get(("student", t.student_id or 0), UNKNOWN),
            class_name=classes.get(t.student_id or 0),
            staff=staff.get(t.staff_id, UNKNOWN),
            asker=people.get(
                ("guardian", t.asker_guardian_id)
                if t.asker_guardian_id is not None
                else ("student", t.asker_student_id or 0),
                UNKNOWN,
            ),
        )
        for t in threads
    }


async def _announcements(
    session: AsyncSession, announcement_ids: set[int]
) -> dict[int, AnnouncementNotice]:
    if not announcement_ids:
        return {}
    rows = (
        await session.execute(
            select(Announcement, Staff.last_name, Staff.first_name, Staff.middle_name)
            .join(Staff, Staff.id == Announcement.author_staff_id)
            .where(Announcement.id.in_(announcement_ids))
        )
    ).all()
    files = await session.execute(
        select(MessageAttachment)
        .where(MessageAttachment.announcement_id.in_(announcement_ids))
        .order_by(MessageAttachment.announcement_id, MessageAttachment.position)
    )
    by_announcement: dict[int, list[Attachment]] = {}
    for attachment in files.scalars():
        by_announcement.setdefault(attachment.announcement_id or 0, []).append(
            as_attachment(attachment)
        )
    found: dict[int, AnnouncementNotice] = {}
    for row, last, first, middle in rows:
        found[row.id] = AnnouncementNotice(
            announcement_id=row.id,
            author=short_name(last, first, middle),
            target=AnnouncementTarget(row.target),
            label=await target_label(session, row),
            audience=AnnouncementAudience(row.audience),
            text=row.text,
            attachments=tuple(by_announcement.get(row.id, ())),
            ask_ack=row.ask_ack,
            urgent=row.urgent,
        )
    return found
