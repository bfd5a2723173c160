"""The weekly summary a family receives on Sunday evening: one child's week, marks and attendance.

The week runs Monday to Sunday (``week_start`` must be a Monday). Per subject: the week's marks
by date, and the TERM's weighted average as of the week's Sunday beside the one as of the
previous Sunday, so that a family sees which way each subject moved. The term is the one
containing the Sunday or, when the Sunday falls in the holidays, the last term begun before it
(a term that ends on a Friday still has its last week summed up). Marks dated after the Sunday
never count, so a summary rebuilt later still tells that week's story. The previous average is
``None`` when the previous Sunday lies before the term (in an earlier term, or in the holidays
before this one); the trend is 0 then. Subjects without marks in the week and without a change
are left out. Non-numeric marks are listed but never enter an average (:mod:`core.grading`).

Attendance: lessons missed (every code but late), of them without a valid reason (``Н``), and
late arrivals. Never a reason or comment: they are health data, the attendance service is asked
without them, and these DTOs have no field that could carry one.

Every read goes through the audited services: the attendance first (``read_attendance``,
permission ATTENDANCE), then the marks (``read_diary``, permission MARKS); either refusal raises
:class:`~core.access.policy.AccessDenied` (and is recorded). The first statement of all is the
first access check. Statements per child, however many subjects and marks (each access check is
three for a family or staff reader, two for a system reader): the attendance 5 (2 more when the
week holds a whole-day absence, to count its lessons), the term's dates 2 (not audited, dates
only, as the ``/term`` handler does), the diary 6, the child's first name 1 - 14 for a family
reader, 12 for the notifier's system reader. The student's history is loaded three times and the
class's terms twice by these services: loading them once, with the first name, would save four.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.grading import weighted_average
from core.models import Student
from core.reader import Reader
from core.services.attendance import attendance
from core.services.calendar import term_bounds
from core.services.diary import DiarySubject, diary


@dataclass(frozen=True, slots=True)
class WeeklySubject:
    subject: str
    marks: tuple[str, ...]  # the week's marks by date, as given ("5", "зач")
    average: Decimal | None  # the term's weighted average as of the week's Sunday
    previous_average: Decimal | None  # ... as of the previous Sunday; None: before the term

    @property
    def trend(self) -> int:
        """+1 when the average went up since the previous Sunday, -1 down, 0 otherwise."""
        if self.average is None or self.previous_average is None:
            return 0
        return (self.average > self.previous_average) - (self.average < self.previous_average)


@dataclass(frozen=True, slots=True)
class WeeklyChild:
    student_id: int
    first_name: str
    week_start: date  # the Monday
    week_end: date  # the Sunday
    subjects: tuple[WeeklySubject, ...]  # in Russian collation by name
    lessons_missed: int  # absent, ill or excused, in lessons
    missed_unexcused: int  # of them absent without a valid reason (Н)
    late: int  # late arrivals (ОП)


def _week_subject(
    subject: DiarySubject, term: tuple[date, date] | None, week_start: date
) -> WeeklySubject | None:
    """The week of one subject, from its diary marks ``min(term start, week_start)..Sunday``."""
    marks = tuple(m.value for m in subject.marks if m.date >= week_start)
    average: Decimal | None = None
    previous: Decimal | None = None
    if term is not None:
        starts_on, ends_on = term
        counted = [
            (m.date, (m.numeric_value, m.weight))
            for m in subject.marks
            if starts_on <= m.date <= ends_on
        ]
        average = weighted_average(mark for _, mark in counted)
        # None when the previous Sunday is before the term: no mark of the term is that early.
        previous = weighted_average(mark for day, mark in counted if day < week_start)
    if not marks and average == previous:
        return None
    return WeeklySubject(subject.subject, marks, average, previous)


async def weekly_summary(
    session: AsyncSession, reader: Reader, student_id: int, week_start: date
) -> WeeklyChild:
    """One child's week ``week_start`` (a Monday) .. Sunday, checked and audited."""
    if week_start.weekday() != 0:
        raise ValueError(f"a week starts on a Monday, not on {week_start.isoformat()}")
    week_end = week_start + timedelta(days=6)
    report = await attendance(session, student_id, week_start, week_end, reader)
    # Only dates are worked out here; the marks are read through the checked diary below.
    term = await term_bounds(session, student_id, week_end)
    first_day = min(week_start, term[0]) if term is not None else week_start
    found = await diary(session, student_id, first_day, week_end, reader)
    first_name = (
        await session.execute(select(Student.first_name).where(Student.id == student_id))
    ).scalar_one()
    subjects = (_week_subject(subject, term, week_start) for subject in found.subjects)
    totals = report.totals
    return WeeklyChild(
        student_id=student_id,
        first_name=first_name,
        week_start=week_start,
        week_end=week_end,
        subjects=tuple(subject for subject in subjects if subject is not None),
        lessons_missed=totals.lessons_missed,
        missed_unexcused=totals.absent,
        late=totals.late,
    )
