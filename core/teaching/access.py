"""Who may write to a lesson: judged on every write, from the database, never from a button.

The ``keep_journal`` cell of the school's matrix decides. TAUGHT (teachers): the lessons the
reader gives on that day after the day's changes — a substitute writes to the lesson they
cover, the absent teacher does not — and only within the school's edit window
(``schools.edit_days``, 7 by default, back from today; never ahead). SCHOOL (head teacher,
administration): any lesson the class's timetable has that day, however old. Every decision,
granted or refused, leaves an audit record.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.facts import held_scopes
from core.access.permissions import Permission
from core.access.policy import scope_of
from core.audit import record_read
from core.models import School, Staff
from core.models.enums import PermissionScope
from core.reader import Reader
from core.services.class_data import load_class
from core.services.errors import NotFoundError
from core.services.timetable import class_timetable, teacher_timetable
from core.services.timetable_lessons import TimetableLesson
from core.teaching.dto import LessonSlot, Refusal, WriteRefused

DEFAULT_EDIT_DAYS = 7  # the schools table's default (``edit_days``)


async def edit_window(session: AsyncSession, school_id: int) -> int:
    """How many days back the school lets teachers write lessons from the chat."""
    found = await session.scalar(select(School.edit_days).where(School.id == school_id))
    return DEFAULT_EDIT_DAYS if found is None else int(found)


async def staff_edit_window(session: AsyncSession, staff_id: int) -> int:
    """The edit window of the school a staff member works at (for a teacher's day picker)."""
    found = await session.scalar(
        select(School.edit_days)
        .join(Staff, Staff.school_id == School.id)
        .where(Staff.id == staff_id)
    )
    return DEFAULT_EDIT_DAYS if found is None else int(found)


async def write_scope(
    session: AsyncSession, reader: Reader, school_id: int, today: date
) -> PermissionScope:
    """The widest ``keep_journal`` scope the reader's staff roles give in the school."""
    if reader.staff_id is None:
        return PermissionScope.NONE
    held = await held_scopes(session, reader, Permission.KEEP_JOURNAL, (school_id,), today)
    scopes = {
        scope_of(held, school_id, role, Permission.KEEP_JOURNAL)
        for role in held.staff_roles.get(school_id, frozenset())
    }
    for scope in (PermissionScope.SCHOOL, PermissionScope.TAUGHT):
        if scope in scopes:
            return scope
    return PermissionScope.NONE


async def authorize_write(
    session: AsyncSession,
    reader: Reader,
    slot: LessonSlot,
    *,
    today: date,
    action: str,
    edit_days: int | None = None,
) -> TimetableLesson:
    """The lesson ``slot`` names, if the reader may write to it; else :class:`WriteRefused`."""
    try:
        info = await load_class(session, slot.class_id)
    except NotFoundError:
        raise WriteRefused(Refusal.NO_SUCH_LESSON) from None
    scope = await write_scope(session, reader, info.school_id, today)
    lesson: TimetableLesson | None = None
    refusal: Refusal | None = None
    if slot.day > today:
        refusal = Refusal.OUTSIDE_WINDOW
    elif scope == PermissionScope.SCHOOL:
        found = await class_timetable(session, slot.class_id, slot.day, reader)
        lesson = _find(found.lessons, slot)
        refusal = None if lesson is not None else Refusal.NO_SUCH_LESSON
    elif scope == PermissionScope.TAUGHT and reader.staff_id is not None:
        if edit_days is None:
            edit_days = await edit_window(session, info.school_id)
        if slot.day < today - timedelta(days=edit_days):
            refusal = Refusal.OUTSIDE_WINDOW
        else:
            mine = await teacher_timetable(session, reader.staff_id, slot.day, reader)
            lesson = _find(mine.lessons, slot)
            refusal = None if lesson is not None else Refusal.NOT_YOURS
    else:
        refusal = Refusal.NOT_YOURS
    await record_read(
        session,
        reader,
        school_id=info.school_id,
        student_id=None,
        action=action,
        details={
            "permission": Permission.KEEP_JOURNAL.value,
            "granted": refusal is None,
            "day": slot.day.isoformat(),
            "period": slot.period,
            "class_id": slot.class_id,
            "group_id": slot.group_id,
            **({"refusal": refusal.value} if refusal else {}),
        },
    )
    if refusal is not None or lesson is None:
        raise WriteRefused(refusal or Refusal.NO_SUCH_LESSON)
    return lesson


def _find(lessons: tuple[TimetableLesson, ...], slot: LessonSlot) -> TimetableLesson | None:
    for lesson in lessons:
        if (
            lesson.period == slot.period
            and lesson.class_id == slot.class_id
            and lesson.group_id == slot.group_id
            and not lesson.cancelled
        ):
            return lesson
    return None
