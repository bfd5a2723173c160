"""Homework of a student: due on a date, or per subject over a range, with attachments.

A student gets the general homework of the class they were in on the due date, for the whole
class or a group they belonged to on that date, plus every individual task given to them
(``individual=True``). Deleted homework never appears. The access check comes first (two
statements, one for a system reader, and the audit record ``read_homework``; it grants the
reader's window of the range, :func:`core.access.windows.authorize_span`), then four (the
student, their groups, the homework, its attachments).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.windows import authorize_span
from core.models import Group, Homework, HomeworkAttachment, Staff, Subject
from core.reader import Reader
from core.services.groups import load_memberships
from core.services.naming import collation_key, short_name
from core.services.school_data import load_history


@dataclass(frozen=True, slots=True)
class Attachment:
    file_name: str
    content_type: str | None
    size_bytes: int | None
    url: str | None  # a link the school gave
    storage_path: str | None  # or a file the bot keeps


@dataclass(frozen=True, slots=True)
class HomeworkItem:
    id: int
    subject_id: int
    subject: str
    text: str
    assigned_on: date
    due_on: date
    teacher: str | None  # Фамилия И. О.
    group: str | None
    individual: bool
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True, slots=True)
class HomeworkSubject:
    subject_id: int
    subject: str
    items: tuple[HomeworkItem, ...]  # by due date


async def _homework(
    session: AsyncSession,
    student_id: int,
    start: date,
    end: date,
    reader: Reader,
    subject_id: int | None,
) -> list[HomeworkItem]:
    allowed = await authorize_span(
        session,
        reader,
        Permission.HOMEWORK,
        student_id,
        start,
        end,
        action="read_homework",
        details={"subject_id": subject_id},
    )
    start, end = allowed.start, allowed.end  # the reader's window (a transfer limits it)
    history = await load_history(session, student_id)
    memberships = await load_memberships(session, student_id)
    class_on = {
        day: klass if allowed.covers(day) else None
        for day, klass in history.classes_by_day(start, end).items()
    }
    classes = {c for c in class_on.values() if c is not None}
    query = (
        select(Homework, Subject.name, Staff.last_name, Staff.first_name, Staff.middle_name)
        .add_columns(Group.name)
        .join(Subject, Subject.id == Homework.subject_id)
        .outerjoin(Staff, Staff.id == Homework.teacher_id)
        .outerjoin(Group, Group.id == Homework.group_id)
        .where(
            Homework.deleted_at.is_(None),
            Homework.due_on.between(start, end),
            or_(
                and_(Homework.class_id.in_(classes), Homework.student_id.is_(None)),
                Homework.student_id == student_id,
            ),
        )
        .order_by(Homework.due_on, Homework.id)
    )
    if subject_id is not None:
        query = query.where(Homework.subject_id == subject_id)
    rows = [
        row
        for row in (await session.execute(query))
        if (row[0].student_id == student_id and allowed.covers(row[0].due_on))
        or (
            class_on[row[0].due_on] == row[0].class_id
            and memberships.sees(row[0].group_id, row[0].due_on)
        )
    ]
    attachments: dict[int, list[Attachment]] = {row[0].id: [] for row in rows}
    if attachments:
        for a in await session.scalars(
            select(HomeworkAttachment)
            .where(HomeworkAttachment.homework_id.in_(attachments))
            .order_by(HomeworkAttachment.id)
        ):
            attachments[a.homework_id].append(
                Attachment(a.file_name, a.content_type, a.size_bytes, a.url, a.storage_path)
            )
    return [
        HomeworkItem(
            id=hw.id,
            subject_id=hw.subject_id,
            subject=subject,
            text=hw.text,
            assigned_on=hw.assigned_on,
            due_on=hw.due_on,
            teacher=short_name(last, first, middle) if last is not None else None,
            group=group,
            individual=hw.student_id is not None,
            attachments=tuple(attachments[hw.id]),
        )
        for hw, subject, last, first, middle, group in rows
    ]


async def homework_due(
    session: AsyncSession, student_id: int, on: date, reader: Reader
) -> tuple[HomeworkItem, ...]:
    """Homework due on ``on``, by subject name."""
    items = await _homework(session, student_id, on, on, reader, None)
    return tuple(sorted(items, key=lambda i: (collation_key(i.subject), i.individual, i.id)))


async def homework_by_subject(
    session: AsyncSession,
    student_id: int,
    start: date,
    end: date,
    reader: Reader,
    *,
    subject_id: int | None = None,
) -> tuple[HomeworkSubject, ...]:
    """Homework due in ``start..end`` grouped per subject (by name), each by due date."""
    per_subject: dict[int, list[HomeworkItem]] = {}
    for item in await _homework(session, student_id, start, end, reader, subject_id):
        per_subject.setdefault(item.subject_id, []).append(item)
    return tuple(
        HomeworkSubject(sid, items[0].subject, tuple(items))
        for sid, items in sorted(
            per_subject.items(), key=lambda kv: (collation_key(kv[1][0].subject), kv[0])
        )
    )
