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
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.policy import authorize
from core.audit import record_read
from core.models import Staff
from core.reader import Reader
from core.services.calendar import LOOKAHEAD_DAYS, school_day
from core.services.class_data import (
    ClassInfo,
    HolidayInfo,
    holiday_for,
    load_class,
    load_classes,
    load_holidays,
)
from core.services.errors import NotFoundError
from core.services.groups import Memberships, load_memberships
from core.services.naming import short_name
from core.services.school_data import StudentHistory, load_history
from core.services.timetable_data import load_changes, load_entries, teacher_class_ids
from core.services.timetable_lessons import TimetableLesson, assemble, assemble_days
from core.services.timetable_moves import resolve_arrivals
from core.services.timetable_rules import Draft, build_day


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
    drafts = await _drafts(session, info, on)
    if student_id is not None:
        memberships = await load_memberships(session, student_id)
        drafts = [d for d in drafts if memberships.sees(d.group_id, on)]
    lessons = await assemble(session, drafts, {info.id: info}, on)
    return DayTimetable(on, info.id, info.name, None, lessons)


async def _drafts(session: AsyncSession, info: ClassInfo, on: date) -> list[Draft]:
    """The class's lessons of ``on`` (template and changes), before names and bells."""
    entries = await load_entries(session, {info.id}, on)
    changes = await resolve_arrivals(session, await load_changes(session, {info.id}, on), on)
    return build_day(on, entries, changes)


async def class_timetable(
    session: AsyncSession, class_id: int, on: date, reader: Reader
) -> DayTimetable:
    """Every lesson of the class on the date (all groups)."""
    return await _class_day(session, await load_class(session, class_id), on)


async def _readable_history(
    session: AsyncSession, student_id: int, on: date, reader: Reader
) -> StudentHistory:
    """The student's class history, once the reader may read their timetable on the date
    (audited as ``read_timetable``)."""
    await authorize(
        session,
        reader,
        Permission.TIMETABLE,
        student_id,
        action="read_timetable",
        details={"on": on.isoformat()},
        period=(on, on),
    )
    return await load_history(session, student_id)


async def student_timetable(
    session: AsyncSession, student_id: int, on: date, reader: Reader
) -> DayTimetable:
    """The student's lessons on the date: their class then, the whole class and their groups."""
    class_id = (await _readable_history(session, student_id, on, reader)).class_on(on)
    if class_id is None:
        return DayTimetable(on, None, None, None, ())
    return await _class_day(session, await load_class(session, class_id), on, student_id)


async def student_days_ahead(
    session: AsyncSession, student_id: int, today: date, reader: Reader, *, with_today: bool
) -> tuple[DayTimetable, DayTimetable | None]:
    """The student's timetable of ``today`` and of the next school day of today's class.

    What ``/changes`` (``with_today``) and ``/tomorrow`` (without: today's answer then carries
    the class and a holiday, no lessons) show, equal to :func:`student_timetable` of ``today``
    and of :func:`core.services.calendar.next_school_day` after it - with the student, the
    class, the holidays and the group memberships read once, the names once for both days.
    The second day is ``None`` when the student is not in school today or the academic year
    has no school day left. Both days are audited (``read_timetable``) as before; access is
    checked once: the same reader, student and permission on the same date decide alike.
    """
    history = await _readable_history(session, student_id, today, reader)
    class_id = history.class_on(today)
    if class_id is None:
        return DayTimetable(today, None, None, None, ()), None
    info = await load_class(session, class_id)
    last = min(today + timedelta(days=LOOKAHEAD_DAYS), info.year_ends_on)
    # One read covers today, the search for the next school day, and that day.
    holidays = await load_holidays(session, info.school_id, today, max(today, last))
    following = next(
        (
            day
            for day in (today + timedelta(days=n) for n in range(1, (last - today).days + 1))
            if school_day(info, holidays, day)
        ),
        None,
    )
    if following is not None:
        await record_read(
            session,
            reader,
            school_id=history.school_id,
            student_id=student_id,
            action="read_timetable",
            details={
                "on": following.isoformat(),
                "permission": Permission.TIMETABLE.value,
                "granted": True,
            },
        )
    infos = {class_id: info}
    plans: list[tuple[date, ClassInfo, HolidayInfo | None]] = []
    if with_today:
        plans.append((today, info, holiday_for(holidays, info.grade, today)))
    following_class = history.class_on(following) if following is not None else None
    if following is not None and following_class is not None:
        if following_class not in infos:
            # Moved to another class that day: its own class and school's holidays.
            infos[following_class] = await load_class(session, following_class)
        other = infos[following_class]
        other_holidays = (
            holidays
            if other.school_id == info.school_id
            else await load_holidays(session, other.school_id, following, following)
        )
        plans.append((following, other, holiday_for(other_holidays, other.grade, following)))
    memberships: Memberships | None = None
    drafted: list[tuple[date, list[Draft]]] = []
    for on, day_info, holiday in plans:
        if holiday is not None:
            continue
        drafts = await _drafts(session, day_info, on)
        if drafts:
            if memberships is None:
                memberships = await load_memberships(session, student_id)
            drafts = [d for d in drafts if memberships.sees(d.group_id, on)]
        drafted.append((on, drafts))
    assembled = dict(
        zip(
            [on for on, _drafts in drafted],
            await assemble_days(session, drafted, infos),
            strict=True,
        )
    )
    days = {
        on: DayTimetable(
            on,
            day_info.id,
            day_info.name,
            holiday.name if holiday else None,
            assembled.get(on, ()),
        )
        for on, day_info, holiday in plans
    }
    today_holiday = holiday_for(holidays, info.grade, today)
    first = days.get(today) or DayTimetable(
        today, info.id, info.name, today_holiday.name if today_holiday else None, ()
    )
    if following is None:
        return first, None
    if following_class is None:
        return first, DayTimetable(following, None, None, None, ())
    return first, days[following]


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
