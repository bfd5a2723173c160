"""The school calendar: which class a student is in on a date, school days, terms.

Student movement. When a student has ``Enrolment`` rows they are the whole history: the latest
row with ``happened_on <= date`` decides (enrolled/transferred → its class, left → not in the
school); before the first row the student was not in the school (a history starting with a
transfer leaves the earlier class unknown, so also "not in school"). Without rows the current
``Student.class_id`` holds from ``Student.enrolled_on`` on. ``Student.left_on`` is the first day
the student is gone, and it wins in both cases.

School days: a weekday within ``School.days_per_week`` inside the class's academic year and not
in a holiday whose grade range covers the class's grade. Ranges (``valid_to``, ``ends_on``) are
inclusive.

The class-calendar functions read no personal data, so they take no reader and write no audit
record; :func:`student_class_on` reads a student's placement and is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.policy import authorize
from core.models import Holiday, School, SchoolClass, Staff, Term
from core.reader import Reader
from core.services.class_data import (
    ClassInfo,
    HolidayInfo,
    holiday_for,
    load_class,
    load_classes,
    load_holidays,
)
from core.services.school_data import Placement, TermInfo, load_history, term_info

__all__ = [
    "ClassInfo",
    "HolidayInfo",
    "NextSchoolDay",
    "Placement",
    "TermInfo",
    "class_terms",
    "is_school_day",
    "next_school_day",
    "next_school_day_of",
    "next_school_days",
    "staff_next_day",
    "student_class_on",
    "term_on",
]

HolidayAt = Callable[[date], HolidayInfo | None]

# Long enough to cross a summer holiday; the academic year ends the search earlier anyway.
LOOKAHEAD_DAYS = 120


def school_day(info: ClassInfo, holidays: tuple[HolidayInfo, ...], day: date) -> bool:
    return (
        info.year_starts_on <= day <= info.year_ends_on
        and day.isoweekday() <= info.days_per_week
        and holiday_for(holidays, info.grade, day) is None
    )


async def is_school_day(session: AsyncSession, class_id: int, on: date) -> bool:
    info = await load_class(session, class_id)
    return school_day(info, await load_holidays(session, info.school_id, on, on), on)


async def next_school_day(session: AsyncSession, class_id: int, after: date) -> date | None:
    """The first school day after ``after`` in the class's academic year, or ``None``."""
    info = await load_class(session, class_id)
    last = min(after + timedelta(days=LOOKAHEAD_DAYS), info.year_ends_on)
    holidays = await load_holidays(session, info.school_id, after, last)
    day = after + timedelta(days=1)
    while day <= last:
        if school_day(info, holidays, day):
            return day
        day += timedelta(days=1)
    return None


@dataclass(frozen=True, slots=True)
class NextSchoolDay:
    """What a family means by "tomorrow" on ``after``: the first school day after it, and the
    holidays on the days skipped to reach it (a weekend is skipped without a name).

    ``day`` is ``None`` when the academic year (or the look-ahead) has no school day left.
    """

    after: date
    day: date | None
    holidays: tuple[str, ...] = ()  # names, in calendar order, each once

    @property
    def skips(self) -> bool:
        """The calendar day after ``after`` is not the school day answered for."""
        return self.day != self.after + timedelta(days=1)


def _next(
    after: date, last: date, is_school_day: Callable[[date], bool], holiday: HolidayAt
) -> NextSchoolDay:
    names: dict[str, None] = {}  # ordered and unique
    day = after + timedelta(days=1)
    while day <= last:
        if is_school_day(day):
            return NextSchoolDay(after, day, tuple(names))
        found = holiday(day)
        if found is not None:
            names[found.name] = None
        day += timedelta(days=1)
    return NextSchoolDay(after, None, tuple(names))


async def next_school_day_of(session: AsyncSession, class_id: int, after: date) -> NextSchoolDay:
    """:func:`next_school_day` with the holidays skipped on the way (two statements)."""
    info = await load_class(session, class_id)
    last = min(after + timedelta(days=LOOKAHEAD_DAYS), info.year_ends_on)
    holidays = await load_holidays(session, info.school_id, after, max(after, last))
    return _next(
        after,
        last,
        lambda day: school_day(info, holidays, day),
        lambda day: holiday_for(holidays, info.grade, day),
    )


async def staff_next_day(session: AsyncSession, staff_id: int, after: date) -> NextSchoolDay:
    """A teacher's "tomorrow": the next school day of their school as a whole, a weekday of its
    week that no holiday of every grade covers (a holiday of some grades only is a school day
    for the others). Two statements; no personal data read."""
    school = (
        await session.execute(
            select(School.id, School.days_per_week)
            .join(Staff, Staff.school_id == School.id)
            .where(Staff.id == staff_id)
        )
    ).one_or_none()
    if school is None:
        return NextSchoolDay(after, after + timedelta(days=1))
    school_id, week = school.id, school.days_per_week or 5
    last = after + timedelta(days=LOOKAHEAD_DAYS)
    everyone = tuple(
        h
        for h in await load_holidays(session, school_id, after, last)
        if h.grade_from is None and h.grade_to is None
    )

    def holiday(day: date) -> HolidayInfo | None:
        return next((h for h in everyone if h.starts_on <= day <= h.ends_on), None)

    return _next(
        after, last, lambda day: day.isoweekday() <= week and holiday(day) is None, holiday
    )


async def next_school_days(
    session: AsyncSession, class_ids: Iterable[int], after: date, until: date
) -> dict[int, date | None]:
    """Class → its first school day in ``after+1 .. until`` (``None``: none by then).

    For many classes at once (the notifier's batch): two statements whatever their number."""
    infos = await load_classes(session, set(class_ids))
    if not infos or until <= after:
        return dict.fromkeys(infos)
    rows = await session.execute(
        select(
            Holiday.school_id,
            Holiday.name,
            Holiday.starts_on,
            Holiday.ends_on,
            Holiday.grade_from,
            Holiday.grade_to,
        )
        .where(
            Holiday.school_id.in_({info.school_id for info in infos.values()}),
            Holiday.starts_on <= until,
            Holiday.ends_on > after,
        )
        .order_by(Holiday.starts_on, Holiday.id)
    )
    by_school: dict[int, list[HolidayInfo]] = {}
    for row in rows:
        by_school.setdefault(row.school_id, []).append(
            HolidayInfo(row.name, row.starts_on, row.ends_on, row.grade_from, row.grade_to)
        )
    return {
        class_id: _first_school_day(info, tuple(by_school.get(info.school_id, ())), after, until)
        for class_id, info in infos.items()
    }


def _first_school_day(
    info: ClassInfo, holidays: tuple[HolidayInfo, ...], after: date, until: date
) -> date | None:
    return _next(after, until, lambda day: school_day(info, holidays, day), lambda day: None).day


async def class_terms(session: AsyncSession, class_id: int) -> tuple[TermInfo, ...]:
    """The class's terms (quarters or halves, by its term kind) in its academic year, in order."""
    rows = await session.scalars(
        select(Term)
        .join(
            SchoolClass,
            (SchoolClass.academic_year_id == Term.academic_year_id)
            & (SchoolClass.term_kind == Term.kind),
        )
        .where(SchoolClass.id == class_id)
        .order_by(Term.number)
    )
    return tuple(term_info(term) for term in rows)


async def term_on(session: AsyncSession, class_id: int, on: date) -> TermInfo | None:
    """The class's term containing ``on`` (``None`` in the holidays between terms)."""
    return next((t for t in await class_terms(session, class_id) if t.contains(on)), None)


async def student_class_on(
    session: AsyncSession, student_id: int, on: date, reader: Reader
) -> Placement:
    """The class a student was in on a date (student movement), audited as ``read_placement``."""
    await authorize(
        session,
        reader,
        Permission.TIMETABLE,
        student_id,
        action="read_placement",
        details={"on": on.isoformat()},
        period=(on, on),
    )
    history = await load_history(session, student_id)
    class_id = history.class_on(on)
    name = None
    if class_id is not None:
        name = await session.scalar(select(SchoolClass.name).where(SchoolClass.id == class_id))
    return Placement(student_id=student_id, on=on, class_id=class_id, class_name=name)


async def term_bounds(
    session: AsyncSession, student_id: int, day: date, step: int = 0
) -> tuple[date, date] | None:
    """Start and end of the term containing ``day`` (or the last one before it), moved by
    ``step`` terms, in the class the student was in on ``day``. Dates only, not audited: the
    caller reads the marks through an audited service.
    """
    class_id = (await load_history(session, student_id)).class_on(day)
    if class_id is None:
        return None
    terms = await class_terms(session, class_id)
    started = [n for n, term in enumerate(terms) if term.starts_on <= day]
    if not started:
        index = 0 if step > 0 else None
        if index is None:
            return None
        step -= 1
    else:
        index = started[-1]
    index += step
    if not 0 <= index < len(terms):
        return None
    return terms[index].starts_on, terms[index].ends_on
