"""The effective timetable of a student, a class or a teacher on a date.

Template plus the day's changes (:mod:`core.services.timetable_rules`), holidays (a holiday
covering the class's grade → no lessons, the holiday named) and bells (the class's own on
that date: by shift, grade, weekday and dates, see :mod:`core.services.bells`).
A student sees the lessons of the whole class and of the groups they belong to on that date,
in the class they were in on that date (student movement); a class view shows every lesson;
a teacher sees the lessons they teach after the changes (their substitutions in, the lessons
they are replaced in out; their cancelled lessons stay, flagged). Cancelled and moved-away
lessons stay in the answer with ``cancelled=True`` so a view can strike them through.

Only the student's timetable is personal data and audited (``read_timetable``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.policy import authorize
from core.models import Staff
from core.reader import Reader
from core.services.class_data import ClassInfo, holiday_for, load_class, load_classes, load_holidays
from core.services.errors import NotFoundError
from core.services.groups import load_memberships
from core.services.naming import short_name
from core.services.school_data import load_history
from core.services.timetable_data import load_changes, load_entries, teacher_class_ids
from core.services.timetable_lessons import TimetableLesson, assemble
from core.services.timetable_moves import resolve_arrivals
from core.services.timetable_rules import build_day


@dataclass(frozen=True, slots=True)
class DayTimetable:
    date: date
    class_id: int | None  # None: the student was not in the school on that date
    class_name: str | None
    holiday: str | None
    lessons: tuple[TimetableLesson, ...]

    @property
    def in_school(self) -> bool:
        return self.class_id is not None


@dataclass(frozen=True, slots=True)
class TeacherDay:
    date: date
    staff_id: int
    teacher: str
    lessons: tuple[TimetableLesson, ...]


async def _class_day(
    session: AsyncSession, info: ClassInfo, on: date, student_id: int | None = None
) -> DayTimetable:
    holidays = await load_holidays(session, info.school_id, on, on)
    holiday = holiday_for(holidays, info.grade, on)
    if holiday is not None:
        return DayTimetable(on, info.id, info.name, holiday.name, ())
    entries = await load_entries(session, {info.id}, on)
    changes = await resolve_arrivals(session, await load_changes(session, {info.id}, on), on)
    drafts = build_day(on, entries, changes)
    if student_id is not None:
        memberships = await load_memberships(session, student_id)
        drafts = [d for d in drafts if memberships.sees(d.group_id, on)]
    lessons = await assemble(session, drafts, {info.id: info}, on)
    return DayTimetable(on, info.id, info.name, None, lessons)


async def class_timetable(
    session: AsyncSession, class_id: int, on: date, reader: Reader
) -> DayTimetable:
    """Every lesson of the class on the date (all groups)."""
    return await _class_day(session, await load_class(session, class_id), on)


async def student_timetable(
    session: AsyncSession, student_id: int, on: date, reader: Reader
) -> DayTimetable:
    """The student's lessons on the date: their class then, the whole class and their groups."""
    await authorize(
        session,
        reader,
        Permission.TIMETABLE,
        student_id,
        action="read_timetable",
        details={"on": on.isoformat()},
    )
    history = await load_history(session, student_id)
    class_id = history.class_on(on)
    if class_id is None:
        return DayTimetable(on, None, None, None, ())
    return await _class_day(session, await load_class(session, class_id), on, student_id)


async def teacher_timetable(
    session: AsyncSession, staff_id: int, on: date, reader: Reader
) -> TeacherDay:
    """The lessons the teacher gives on the date, across classes, changes applied."""
    staff = (
        await session.execute(
            select(Staff.school_id, Staff.last_name, Staff.first_name, Staff.middle_name).where(
                Staff.id == staff_id
            )
        )
    ).one_or_none()
    if staff is None:
        raise NotFoundError("staff", staff_id)
    class_ids = await teacher_class_ids(session, staff_id, on)
    classes = await load_classes(session, class_ids)
    holidays = await load_holidays(session, staff[0], on, on)
    working = {c.id for c in classes.values() if holiday_for(holidays, c.grade, on) is None}
    entries = await load_entries(session, working, on)
    changes = await resolve_arrivals(session, await load_changes(session, working, on), on)
    drafts = build_day(on, entries, changes)
    mine = [d for d in drafts if d.teacher_id == staff_id]
    lessons = await assemble(session, mine, classes, on)
    return TeacherDay(on, staff_id, short_name(staff[1], staff[2], staff[3]), lessons)
