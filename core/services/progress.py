"""A student's progress over the term: each subject's running average at the end of every week.

The term is the one of the class the student is in on ``on`` that contains ``on`` - or, in the
holidays after it, the last term that has started (the chart of the term just ended). The
weeks are the term's Mondays up to ``on``'s week. A subject's point for a week is the weighted
average (:func:`core.grading.weighted_average`, the school's rounding) of all its term marks
dated up to that week's Sunday (never past the term's end), given for the weeks in which the
subject got a numeric mark - the average changes only then. The last point is the figure the
diary shows for the term; the suggested mark uses the school's thresholds. Subjects with no
numeric mark this term are left out; subjects are ordered by name in Russian collation.

The class line (the class's pooled running average per subject, as ``/class`` computes it: the
numeric marks of every pupil now in the class) is shown only where the school allows it:
:class:`ProgressRules`, from ``schools.progress_class_average`` (off by default) by
:func:`load_progress_rules` or :func:`student_progress_rules`.

The student and the class's terms are looked up first for dates only (which term); then the
check with the marks permission over the term's dates up to ``on``'s week
(:func:`core.access.windows.authorize_span`, audited as ``read_progress``): a class teacher
after a pupil's transfer charts only the pupil's days in their class. Then the student's marks,
and one statement more for the class line when the rules allow it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.windows import authorize_span
from core.grading import Thresholds, suggested_mark, weighted_average
from core.models import Mark, School, Student, Subject, WorkType
from core.reader import Reader
from core.services.calendar import class_terms
from core.services.errors import NotFoundError
from core.services.naming import collation_key
from core.services.school_data import TermInfo, known_history, load_history

_WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class ProgressRules:
    """What the school lets families see beside their child's line.

    ``class_average``: the class's average per subject as a faint line
    (``schools.progress_class_average``, off by default).
    """

    class_average: bool = False


DEFAULT_RULES = ProgressRules()


async def load_progress_rules(session: AsyncSession, school_id: int) -> ProgressRules:
    """The school's rules for /progress (one statement)."""
    allowed = (
        await session.execute(select(School.progress_class_average).where(School.id == school_id))
    ).scalar_one_or_none()
    if allowed is None:
        raise NotFoundError("school", school_id)
    return ProgressRules(class_average=bool(allowed))


async def student_progress_rules(session: AsyncSession, student_id: int) -> ProgressRules:
    """The rules of the student's school (one statement): what a chat's /progress passes.

    Only the school's setting is read, nothing of the student's data: the access check is
    :func:`progress`'s.
    """
    allowed = (
        await session.execute(
            select(School.progress_class_average)
            .join(Student, Student.school_id == School.id)
            .where(Student.id == student_id)
        )
    ).scalar_one_or_none()
    if allowed is None:
        raise NotFoundError("student", student_id)
    return ProgressRules(class_average=bool(allowed))


@dataclass(frozen=True, slots=True)
class WeekPoint:
    week: date  # the Monday
    average: Decimal  # the running average at the end of that week


@dataclass(frozen=True, slots=True)
class SubjectProgress:
    subject_id: int
    subject: str
    points: tuple[WeekPoint, ...]  # the weeks with a numeric mark, in order; never empty
    class_points: tuple[WeekPoint, ...]  # empty unless the rules show the class line
    suggested_mark: int | None

    @property
    def average(self) -> Decimal:
        """The current term average (the last week's)."""
        return self.points[-1].average


@dataclass(frozen=True, slots=True)
class Progress:
    student_id: int
    term: TermInfo | None  # None: the student is in no class, or no term has started
    weeks: tuple[date, ...]  # the term's Mondays up to the asked day's week
    thresholds: Thresholds
    subjects: tuple[SubjectProgress, ...]


async def progress(
    session: AsyncSession,
    student_id: int,
    on: date,
    reader: Reader,
    *,
    rules: ProgressRules = DEFAULT_RULES,
) -> Progress:
    """The running averages of the term of ``on`` (see the module's docstring)."""
    # Only dates are worked out before the check (the term of ``on``); nothing is shown unless
    # it grants, and an unknown id is refused like any other.
    known = await known_history(session, student_id)
    class_id = known.class_on(on) if known else None
    terms = await class_terms(session, class_id) if class_id is not None else ()
    started = [t for t in terms if t.starts_on <= on]
    details = {"on": on.isoformat(), "class_average": rules.class_average}
    if known is None or class_id is None or not started:
        await authorize_span(
            session,
            reader,
            Permission.MARKS,
            student_id,
            on,
            on,
            action="read_progress",
            details=details,
        )
        history = known or await load_history(session, student_id)
        return Progress(student_id, None, (), history.thresholds, ())
    history = known
    term = started[-1]
    last_day = min(on, term.ends_on)
    first_monday = _monday(term.starts_on)
    weeks = tuple(
        first_monday + _WEEK * n for n in range((_monday(last_day) - first_monday).days // 7 + 1)
    )
    high = min(weeks[-1] + timedelta(days=6), term.ends_on)
    # The term's marks the reader may count: a class teacher after a pupil's transfer charts
    # the pupil's days in their class only.
    allowed = await authorize_span(
        session,
        reader,
        Permission.MARKS,
        student_id,
        term.starts_on,
        high,
        action="read_progress",
        details=details,
    )
    own = await _marks(session, Mark.student_id == student_id, allowed.start, allowed.end)
    if allowed.limited:
        own = {
            sid: (name, [m for m in marks if allowed.covers(m[0])])
            for sid, (name, marks) in own.items()
        }
    class_marks: dict[int, tuple[str, list[_Dated]]] = {}
    if rules.class_average:
        pupils = select(Student.id).where(
            Student.class_id == class_id,
            or_(Student.left_on.is_(None), Student.left_on > last_day),
        )
        class_marks = await _marks(session, Mark.student_id.in_(pupils), term.starts_on, high)
    subjects = []
    for subject_id, (name, marks) in sorted(
        own.items(), key=lambda kv: (collation_key(kv[1][0]), kv[0])
    ):
        points = running_averages(marks)
        if not points:
            continue
        subjects.append(
            SubjectProgress(
                subject_id,
                name,
                points,
                running_averages(class_marks[subject_id][1] if subject_id in class_marks else ()),
                suggested_mark(points[-1].average, history.thresholds),
            )
        )
    return Progress(student_id, term, weeks, history.thresholds, tuple(subjects))


# (date, numeric value or None, weight)
_Dated = tuple[date, int | None, Decimal]


def running_averages(marks: Iterable[_Dated]) -> tuple[WeekPoint, ...]:
    """The weighted average of all marks up to each week's end, for weeks with a numeric mark."""
    by_week: dict[date, list[_Dated]] = {}
    for mark in sorted(marks, key=lambda m: m[0]):
        by_week.setdefault(_monday(mark[0]), []).append(mark)
    seen: list[tuple[int | None, Decimal]] = []
    points = []
    for week, found in by_week.items():
        seen.extend((value, weight) for _, value, weight in found)
        if all(value is None for _, value, _ in found):
            continue
        average = weighted_average(seen)
        if average is not None:
            points.append(WeekPoint(week, average))
    return tuple(points)


async def _marks(
    session: AsyncSession, who: ColumnElement[bool], low: date, high: date
) -> dict[int, tuple[str, list[_Dated]]]:
    rows = await session.execute(
        select(
            Mark.subject_id.label("subject_id"),
            Subject.name.label("subject"),
            Mark.date.label("day"),
            Mark.numeric_value.label("value"),
            WorkType.weight.label("weight"),
        )
        .join(Subject, Subject.id == Mark.subject_id)
        .outerjoin(WorkType, WorkType.id == Mark.work_type_id)
        .where(who, Mark.date.between(low, high), Mark.deleted_at.is_(None))
    )
    found: dict[int, tuple[str, list[_Dated]]] = {}
    for row in rows:
        found.setdefault(row.subject_id, (row.subject, []))[1].append(
            (row.day, row.value, row.weight or Decimal(1))
        )
    return found


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
