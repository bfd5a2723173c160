"""Homework a teacher sets at a lesson: its text and files, for the class or named pupils.

Judged like every write (:func:`core.teaching.lessons.open_sheet`, audited as
``assign_homework``); named pupils must be on the lesson's list that day. One ``Homework`` row
for the whole class (or the lesson's group), or one per named pupil (an individual task,
``student_id`` set), each with its files and a ``homework_added`` outbox event, so families
are pushed the same way as for imported homework.

The due date, when the teacher does not choose one, is the next lesson of the same subject for
that class or group after the lesson's day - the timetable with its changes, holidays and
cancellations, looked at up to :data:`LOOKAHEAD_DAYS` ahead - else the next school day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from core.files import StoredFile
from core.models import Homework, HomeworkAttachment
from core.models.enums import EventKind
from core.outbox import Outbox
from core.reader import Reader
from core.services.calendar import next_school_day, school_day
from core.services.class_data import load_class, load_holidays
from core.services.timetable_data import load_changes, load_entries
from core.services.timetable_moves import resolve_arrivals
from core.services.timetable_rules import build_day
from core.teaching.dto import LessonSlot
from core.teaching.lessons import new_external_id, open_sheet

TEXT_LIMIT = 2000
FILES_LIMIT = 10
LOOKAHEAD_DAYS = 14
DUE_HORIZON_DAYS = 120  # a due date further than this after the lesson is a forged one


class Problem(StrEnum):
    EMPTY = "empty"  # neither text nor files
    TOO_LONG = "too_long"  # text over TEXT_LIMIT
    TOO_MANY_FILES = "too_many_files"
    NOT_IN_LESSON = "not_in_lesson"  # a named pupil is not on the lesson's list
    BAD_DUE = "bad_due"  # not after the lesson, or absurdly far


class HomeworkInputError(ValueError):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class HomeworkSaved:
    homework_ids: tuple[int, ...]
    due_on: date
    pupils: int  # 0: the whole class or group
    files: int


def clean_text(text: str) -> str:
    """The text as stored: trimmed lines, no run of blank lines."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept)


def check_input(text: str, files: int) -> str:
    """The clean text, or :class:`HomeworkInputError` (so a handler can say it early too)."""
    clean = clean_text(text)
    if len(clean) > TEXT_LIMIT:
        raise HomeworkInputError(Problem.TOO_LONG)
    if files > FILES_LIMIT:
        raise HomeworkInputError(Problem.TOO_MANY_FILES)
    if not clean and not files:
        raise HomeworkInputError(Problem.EMPTY)
    return clean


async def next_lessons(
    session: AsyncSession, slot: LessonSlot, subject_id: int, *, count: int = 3
) -> tuple[date, ...]:
    """The days of the next ``count`` lessons of the subject for the slot's class or group,
    after the slot's day and within :data:`LOOKAHEAD_DAYS` (about three statements a day)."""
    info = await load_class(session, slot.class_id)
    last = slot.day + timedelta(days=LOOKAHEAD_DAYS)
    holidays = await load_holidays(session, info.school_id, slot.day, last)
    found: list[date] = []
    day = slot.day
    while len(found) < count and day < last:
        day += timedelta(days=1)
        if not school_day(info, holidays, day):
            continue
        entries = await load_entries(session, {slot.class_id}, day)
        changes = await resolve_arrivals(
            session, await load_changes(session, {slot.class_id}, day), day
        )
        if any(
            draft.subject_id == subject_id
            and draft.group_id == slot.group_id
            and not draft.cancelled
            for draft in build_day(day, entries, changes)
        ):
            found.append(day)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class DueChoices:
    days: tuple[date, ...]  # never empty; the default first
    lessons: bool  # the days are the next lessons of the subject (else the next school day)


async def due_choices(
    session: AsyncSession, slot: LessonSlot, subject_id: int, *, count: int = 3
) -> DueChoices:
    """The due dates to offer, the default first: the next lessons, else the next school day."""
    found = await next_lessons(session, slot, subject_id, count=count)
    if found:
        return DueChoices(found, lessons=True)
    fallback = await next_school_day(session, slot.class_id, slot.day)
    return DueChoices((fallback or slot.day + timedelta(days=1),), lessons=False)


async def assign_homework(
    session: AsyncSession,
    reader: Reader,
    slot: LessonSlot,
    text: str,
    files: Sequence[StoredFile],
    *,
    pupils: Sequence[int] | None,
    due: date | None,
    now: datetime,
    today: date,
    edit_days: int | None = None,
) -> HomeworkSaved:
    """Set homework at the lesson ``slot`` names; ``pupils`` are student ids (None: everyone)."""
    clean = check_input(text, len(files))
    sheet = await open_sheet(
        session, reader, slot, today=today, edit_days=edit_days, action="assign_homework"
    )
    on_list = {pupil.student_id for pupil in sheet.pupils}
    named = list(dict.fromkeys(pupils)) if pupils is not None else None
    if named is not None and (not named or any(p not in on_list for p in named)):
        raise HomeworkInputError(Problem.NOT_IN_LESSON)
    if due is None:
        due = (await due_choices(session, slot, sheet.subject_id, count=1)).days[0]
    elif not slot.day < due <= slot.day + timedelta(days=DUE_HORIZON_DAYS):
        raise HomeworkInputError(Problem.BAD_DUE)
    rows = [
        Homework(
            school_id=sheet.school_id,
            external_id=new_external_id("homework"),
            lesson_id=sheet.lesson_id,
            class_id=slot.class_id,
            group_id=slot.group_id,
            subject_id=sheet.subject_id,
            teacher_id=reader.staff_id,
            student_id=student_id,
            assigned_on=slot.day,
            due_on=due,
            text=clean,
        )
        for student_id in (named if named is not None else [None])
    ]
    session.add_all(rows)
    await session.flush()
    session.add_all(
        HomeworkAttachment(
            homework_id=row.id,
            file_name=file.file_name,
            content_type=file.content_type,
            size_bytes=file.size_bytes,
            storage_path=file.storage_path,
        )
        for row in rows
        for file in files
    )
    # Homework already due (set late for a past lesson) is recorded, never pushed.
    outbox = Outbox(sheet.school_id, now, silent_before=today)
    for row in rows:
        outbox.add(
            EventKind.HOMEWORK_ADDED,
            about=due,
            object_type="homework",
            object_id=row.id,
            student_id=row.student_id,
            class_id=row.class_id,
            group_id=row.group_id,
            payload={"subject_id": row.subject_id, "due": due.isoformat()},
        )
    await outbox.flush(session)
    return HomeworkSaved(tuple(row.id for row in rows), due, len(named) if named else 0, len(files))
