"""Corrections: a teacher changes or deletes a mark of a lesson, with a short reason.

Judged like every write (the lesson's teacher within the edit window, or the administration),
audited with the old and new value and the reason, and told to the family through the outbox
(``mark_changed`` / ``mark_deleted``), whose coalescing folds a correction made soon after the
mark into the one push still pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import record_read
from core.exchange.values import BadValue, parse_mark
from core.models import EventKind, Lesson, Mark
from core.outbox import Outbox
from core.reader import Reader
from core.teaching.access import authorize_write
from core.teaching.dto import LessonSlot, Refusal, WriteRefused

REASON_LIMIT = 200


class CorrectionError(ValueError):
    """No reason given (or too long), or the new value is not a mark."""


@dataclass(frozen=True, slots=True)
class Corrected:
    student_id: int
    before: str
    after: str | None  # None: deleted


async def correct_mark(
    session: AsyncSession,
    reader: Reader,
    mark_id: int,
    new_value: str | None,
    reason: str,
    *,
    now: datetime,
    today: date,
    edit_days: int | None = None,
) -> Corrected:
    """Change the mark to ``new_value`` (None deletes it); the reason is required."""
    why = " ".join(reason.split())
    if not why or len(why) > REASON_LIMIT:
        raise CorrectionError("reason")
    value, numeric = None, None
    if new_value is not None:
        try:
            value, numeric = parse_mark(new_value)
        except BadValue:
            raise CorrectionError("value") from None
    found = (
        await session.execute(
            select(Mark, Lesson)
            .join(Lesson, Lesson.id == Mark.lesson_id)
            .where(Mark.id == mark_id, Mark.deleted_at.is_(None))
        )
    ).one_or_none()
    if found is None:
        raise WriteRefused(Refusal.NO_SUCH_LESSON)
    mark, lesson = found
    slot = LessonSlot(lesson.date, lesson.period, lesson.class_id, lesson.group_id)
    await authorize_write(
        session, reader, slot, today=today, action="correct_mark", edit_days=edit_days
    )
    before = mark.value
    outbox = Outbox(mark.school_id, now, silent_before=mark.date)
    payload = {"subject_id": mark.subject_id, "date": mark.date.isoformat()}
    if value is None:
        await session.execute(update(Mark).where(Mark.id == mark.id).values(deleted_at=now))
        outbox.add(
            EventKind.MARK_DELETED,
            about=mark.date,
            object_type="marks",
            object_id=mark.id,
            student_id=mark.student_id,
            payload={**payload, "value": before},
        )
    elif value != before:
        await session.execute(
            update(Mark).where(Mark.id == mark.id).values(value=value, numeric_value=numeric)
        )
        outbox.add(
            EventKind.MARK_CHANGED,
            about=mark.date,
            object_type="marks",
            object_id=mark.id,
            student_id=mark.student_id,
            payload={
                **payload,
                "value": value,
                "previous": before,
                "work_type_id": mark.work_type_id,
            },
        )
    await record_read(
        session,
        reader,
        school_id=mark.school_id,
        student_id=mark.student_id,
        action="mark_corrected",
        details={"mark_id": mark.id, "from": before, "to": value, "reason": why},
    )
    await outbox.flush(session)
    return Corrected(mark.student_id, before, value)


async def lesson_marks(session: AsyncSession, lesson_id: int) -> tuple[tuple[int, int, str], ...]:
    """The lesson's marks as (mark id, student id, value), oldest first (after a judged open)."""
    rows = await session.execute(
        select(Mark.id, Mark.student_id, Mark.value)
        .where(Mark.lesson_id == lesson_id, Mark.deleted_at.is_(None))
        .order_by(Mark.id)
    )
    return tuple((row.id, row.student_id, row.value) for row in rows)


async def mark_of(session: AsyncSession, mark_id: int) -> tuple[LessonSlot, int, str] | None:
    """The lesson a live mark belongs to, its student and value (to judge before showing)."""
    found = (
        await session.execute(
            select(
                Lesson.date,
                Lesson.period,
                Lesson.class_id,
                Lesson.group_id,
                Mark.student_id,
                Mark.value,
            )
            .join(Lesson, Lesson.id == Mark.lesson_id)
            .where(Mark.id == mark_id, Mark.deleted_at.is_(None))
        )
    ).one_or_none()
    if found is None:
        return None
    day, period, class_id, group_id, student_id, value = found
    return LessonSlot(day, period, class_id, group_id), student_id, value
