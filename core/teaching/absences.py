"""Absence corrections: a teacher changes or removes an absence of a lesson, with a short reason.

Judged like every write to the lesson (its teacher or substitute on that day within the edit
window, or the administration), audited with the old and new code and the reason (as mark
corrections are), the row kept with ``deleted_at`` when the pupil was present after all.

The family hears of it as of a mark's correction, through ``absence_recorded`` events about the
same attendance row (no new kind): a change (Н ↔ ОП) carries ``previous`` and supersedes a push
still pending, so the family gets one push with the final code (after the first push went out,
a second one says the new code: "late for lesson 3"); a removal carries ``deleted`` and cancels
a pending push, and is never pushed itself (the notifier has no "absence withdrawn" message;
the diary shows the journal as it is). A code in a push or event is Н or ОП only: a class
teacher's reason (Б, У) reads as Н, because reasons are health data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import record_read
from core.models import Attendance, EventKind, GroupMember, Lesson, Student
from core.models.enums import AttendanceCode
from core.outbox import Outbox
from core.reader import Reader
from core.teaching.corrections import REASON_LIMIT, CorrectionError
from core.teaching.dto import LessonSlot, Refusal, WriteRefused
from core.teaching.lessons import ROLL_CODES, attendance_rows, open_sheet, pupils_of

__all__ = [
    "REASON_LIMIT",
    "AbsenceCorrected",
    "CorrectionError",
    "LessonAbsence",
    "absence_slot",
    "correct_absence",
    "lesson_absences",
]

_REASONS = (AttendanceCode.ILL, AttendanceCode.EXCUSED)


@dataclass(frozen=True, slots=True)
class AbsenceCorrected:
    student_id: int
    before: AttendanceCode
    after: AttendanceCode | None  # None: present after all (the row is removed)


@dataclass(frozen=True, slots=True)
class LessonAbsence:
    attendance_id: int
    student_id: int
    number: int  # the place in the class list
    name: str  # Фамилия Имя
    code: AttendanceCode  # the journal's code (the lesson's views show a reason as Н)


def pushed_code(code: AttendanceCode) -> AttendanceCode:
    """What a family may be told: late, or absent (never why)."""
    return AttendanceCode.LATE if code == AttendanceCode.LATE else AttendanceCode.ABSENT


async def correct_absence(
    session: AsyncSession,
    reader: Reader,
    attendance_id: int,
    new_code: AttendanceCode | None,
    reason: str,
    *,
    now: datetime,
    today: date,
    edit_days: int | None = None,
) -> AbsenceCorrected:
    """Make the absence ``new_code`` (Н or ОП; None: the pupil was present, the row removed).

    Raises :class:`CorrectionError` without a reason (or with a code a teacher does not set:
    reasons are the class teacher's), :class:`WriteRefused` when the row is gone or not of a
    lesson the reader may write to. Н on a row with a reason keeps the reason (as the
    roll-call does)."""
    why = " ".join(reason.split())
    if not why or len(why) > REASON_LIMIT:
        raise CorrectionError("reason")
    if new_code is not None and new_code not in ROLL_CODES:
        raise CorrectionError("value")
    row = (
        await session.execute(
            select(Attendance).where(
                Attendance.id == attendance_id, Attendance.deleted_at.is_(None)
            )
        )
    ).scalar_one_or_none()
    slot = await absence_slot(session, attendance_id) if row is not None else None
    if row is None or slot is None:
        raise WriteRefused(Refusal.NO_SUCH_LESSON)
    sheet = await open_sheet(
        session, reader, slot, today=today, edit_days=edit_days, action="correct_absence"
    )
    live = await attendance_rows(session, slot, sheet.lesson_id, [row.student_id])
    if row.student_id not in {p.student_id for p in sheet.pupils} or (
        live.get(row.student_id) is None or live[row.student_id].id != row.id
    ):
        raise WriteRefused(Refusal.NO_SUCH_LESSON)
    before = AttendanceCode(row.code)
    after = new_code
    if new_code == AttendanceCode.ABSENT and before in _REASONS:
        after = before  # the class teacher's reason refines the Н
    outbox = Outbox(sheet.school_id, now, silent_before=row.date)
    payload = {
        "date": row.date.isoformat(),
        "period": row.period,
        "subject_id": row.subject_id or sheet.subject_id,
    }
    if after is None:
        await session.execute(
            update(Attendance).where(Attendance.id == row.id).values(deleted_at=now)
        )
        outbox.add(
            EventKind.ABSENCE_RECORDED,
            about=row.date,
            object_type="attendance",
            object_id=row.id,
            student_id=row.student_id,
            payload={**payload, "code": str(pushed_code(before)), "deleted": True},
        )
    elif after != before:
        await session.execute(update(Attendance).where(Attendance.id == row.id).values(code=after))
        if pushed_code(after) != pushed_code(before):
            outbox.add(
                EventKind.ABSENCE_RECORDED,
                about=row.date,
                object_type="attendance",
                object_id=row.id,
                student_id=row.student_id,
                payload={
                    **payload,
                    "code": str(pushed_code(after)),
                    "previous": str(pushed_code(before)),
                },
            )
    await record_read(
        session,
        reader,
        school_id=sheet.school_id,
        student_id=row.student_id,
        action="absence_corrected",
        details={
            "attendance_id": row.id,
            "from": before.value,
            "to": after.value if after is not None else None,
            "reason": why,
        },
    )
    await outbox.flush(session)
    return AbsenceCorrected(row.student_id, before, after)


async def absence_slot(session: AsyncSession, attendance_id: int) -> LessonSlot | None:
    """The lesson a live absence belongs to (to judge before showing or writing): its journal
    lesson, else (an imported row naming only the period) the lesson of the pupil's class or
    group at that period. None for a whole-day absence or an unknown row."""
    found = (
        await session.execute(
            select(
                Attendance.student_id,
                Attendance.date,
                Attendance.period,
                Lesson.period.label("lesson_period"),
                Lesson.class_id,
                Lesson.group_id,
            )
            .outerjoin(Lesson, Lesson.id == Attendance.lesson_id)
            .where(Attendance.id == attendance_id, Attendance.deleted_at.is_(None))
        )
    ).one_or_none()
    if found is None:
        return None
    if found.class_id is not None:
        return LessonSlot(found.date, found.lesson_period, found.class_id, found.group_id)
    if found.period is None:
        return None
    class_id = await session.scalar(select(Student.class_id).where(Student.id == found.student_id))
    if class_id is None:
        return None
    groups = select(GroupMember.group_id).where(GroupMember.student_id == found.student_id)
    group_id = await session.scalar(
        select(Lesson.group_id)
        .where(
            Lesson.class_id == class_id,
            Lesson.date == found.date,
            Lesson.period == found.period,
            or_(Lesson.group_id.is_(None), Lesson.group_id.in_(groups)),
        )
        .order_by(Lesson.group_id.is_(None))
        .limit(1)
    )
    return LessonSlot(found.date, found.period, class_id, group_id)


async def lesson_absences(session: AsyncSession, lesson_id: int) -> tuple[LessonAbsence, ...]:
    """The lesson's live absences and late arrivals in class-list order (after a judged open);
    imported ones that name only the period included, as the lesson's sheet shows them."""
    lesson = await session.get(Lesson, lesson_id)
    if lesson is None:
        return ()
    slot = LessonSlot(lesson.date, lesson.period, lesson.class_id, lesson.group_id)
    pupils = await pupils_of(session, slot)
    rows = await attendance_rows(session, slot, lesson_id, [p.student_id for p in pupils])
    return tuple(
        LessonAbsence(
            rows[p.student_id].id,
            p.student_id,
            p.number,
            p.name,
            AttendanceCode(rows[p.student_id].code),
        )
        for p in pupils
        if p.student_id in rows
    )
