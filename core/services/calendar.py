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

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.policy import authorize
from core.models import SchoolClass, Term
from core.reader import Reader
from core.services.class_data import (
    ClassInfo,
    HolidayInfo,
    holiday_for,
    load_class,
    load_holidays,
)
from core.services.school_data import Placement, TermInfo, load_history, term_info

__all__ = [
    "ClassInfo",
    "HolidayInfo",
    "Placement",
    "TermInfo",
    "class_terms",
    "is_school_day",
    "next_school_day",
    "student_class_on",
    "term_on",
]

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
