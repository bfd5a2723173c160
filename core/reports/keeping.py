"""How a teacher keeps the journal: per class and subject of their load, over a period.

For each (class, subject) of :func:`core.reports.by_marks.teacher_load` that the reader may see:

* **lessons held**: the journal's lessons (``lessons`` rows) of that class and subject whose
  teacher is this staff member, dated from the period's first day to the report's day
  (``min(on, period end)``) - a lesson a substitute held is the substitute's, one the teacher
  held as a substitute in a class or subject outside their load is in no row; lessons of the
  class's groups count for the class;
* **with a topic**: those of them whose topic is not empty (blanks only count as empty);
  topic share % = with a topic · 100 / lessons held (half-up, :meth:`ReportRules.percent`);
* **pupils**: the class's pupils on the report's day (the class rule of the reports,
  :mod:`core.reports.roster`); when the teacher teaches the subject there to groups only (every
  lesson, teaching assignment and timetable slot of theirs names a group), only the members of
  those groups at some day of the period up to the report's day;
* **marks given**: the live marks (not deleted, any value) of those pupils in the subject, dated
  in the period up to the report's day, given by the teacher (``marks.teacher_id``; a mark with
  no teacher recorded counts for the teacher of its lesson);
* **marks per pupil per month** = marks given / pupils / months, where months = the calendar
  days from the period's first day to the report's day inclusive / 30.44 (the mean month,
  365.25 / 12 rounded); i.e. marks · 30.44 / (pupils · days), half-up to 2 places; ``None``
  without pupils or elapsed days;
* **days from lesson to mark**: over the marks given that are tied to a lesson and were entered
  in the bot (``external_id`` NULL or ``bot-...``), the day the mark was entered
  (``created_at`` in the school's time zone) minus the lesson's date; the median (the mean of
  the two middle values for an even count) and the maximum. Marks loaded by the import carry
  the time of the import, not of their entry in the school's journal, so they are left out;
* **fewer than 3 marks**: the pupils with fewer than 3 numeric marks (1-5) in the subject in the
  period up to the report's day, whoever gave them (a term mark needs marks).

Access: each class through :func:`core.reports.roster.grant` (``Permission.REPORTS``, audited
``read_report`` with ``details.report = "journal_keeping"``): the administration every class,
a teacher the classes they lead or teach whole (their own report), only their subjects in a
class they teach. Cost: per class the period and the grant (as every report); then one
statement each for the lessons, the groups, the group members (when needed), the marks, the
marks' entry days and the subjects' names, whatever the number of pupils, lessons and marks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.grading import round_half_up
from core.models import (
    GroupMember,
    Lesson,
    Mark,
    School,
    Staff,
    Subject,
    TeachingAssignment,
    TimetableEntry,
)
from core.reader import Reader
from core.reports.by_marks import teacher_load
from core.reports.period import ReportPeriod, resolve
from core.reports.roster import Pupil, grant
from core.reports.rules import ReportRules, load_rules
from core.reports.scope import year_on
from core.services.class_data import load_classes
from core.services.errors import NotFoundError
from core.services.naming import collation_key

MINIMUM_MARKS = 3  # a term mark needs at least three marks
DAYS_PER_MONTH = Decimal("30.44")
PER_MONTH_PLACES = 2
DETAILS = {"report": "journal_keeping"}


class NoClassesError(ValueError):
    """The teacher teaches no class in the year (their load is empty)."""


@dataclass(frozen=True, slots=True)
class KeepingRow:
    """One class and subject of the teacher's load (figures as in the module's docstring)."""

    class_id: int
    class_name: str
    subject_id: int
    subject: str
    starts_on: date  # the period's first day for this class
    until: date  # the report's day: min(on, period end)
    lessons: int
    with_topic: int
    topic_share: Decimal | None  # percent; None without lessons
    pupils: int
    marks: int
    marks_per_pupil_month: Decimal | None  # None without pupils or elapsed days
    entered: int  # marks the days to a mark are measured over
    days_median: Decimal | None  # None when no mark was entered in the bot
    days_max: int | None
    few_marks: tuple[Pupil, ...]  # fewer than MINIMUM_MARKS numeric marks, by name


@dataclass(frozen=True, slots=True)
class KeepingReport:
    staff_id: int
    period: ReportPeriod
    on: date  # the report's day asked for
    rules: ReportRules
    rows: tuple[KeepingRow, ...]  # by class name, then subject name
    minimum_marks: int = MINIMUM_MARKS


@dataclass(slots=True)
class _Pair:
    """A class's part of the report while it is being computed."""

    class_id: int
    class_name: str
    starts_on: date
    until: date
    roster: tuple[Pupil, ...]
    subjects: frozenset[int]

    @property
    def elapsed(self) -> int:
        return max(0, (self.until - self.starts_on).days + 1)


async def journal_keeping(
    session: AsyncSession,
    staff_id: int,
    period: ReportPeriod,
    reader: Reader,
    *,
    on: date,
    load: Mapping[int, frozenset[int]] | None = None,
    rules: ReportRules | None = None,
) -> KeepingReport:
    """The teacher's journal keeping over the classes and subjects of their load.

    ``load`` is :func:`teacher_load` of the year running on the period's end (a range) or on
    ``on``; pass it when already known. Raises :class:`NoClassesError` (a ``ValueError``) when
    the teacher has no classes,
    :class:`NotFoundError` for an unknown staff member and ``AccessDenied`` when a class is
    refused (see :func:`core.reports.roster.grant`). Never commits.
    """
    row = (
        await session.execute(
            select(Staff.school_id, School.timezone)
            .join(School, School.id == Staff.school_id)
            .where(Staff.id == staff_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError("staff", staff_id)
    school_id, timezone = row
    if load is None:
        year = await year_on(session, school_id, period.ends_on or on)
        load = await teacher_load(session, staff_id, year)
    if not load:
        raise NoClassesError("no classes to report on")
    if rules is None:
        rules = await load_rules(session, school_id)
    infos = await load_classes(session, set(load))
    pairs: list[_Pair] = []
    for class_id in sorted(infos):
        span = await resolve(session, period, infos[class_id])
        until = min(on, span.ends_on)
        allowed = await grant(session, reader, class_id, until, details=dict(DETAILS))
        subjects = load[class_id]
        if allowed.subject_ids is not None:
            subjects = subjects & allowed.subject_ids
        pairs.append(
            _Pair(class_id, infos[class_id].name, span.starts_on, until, allowed.pupils, subjects)
        )
    pairs = [p for p in pairs if p.subjects]
    if not pairs:
        return KeepingReport(staff_id, period, on, rules, ())
    lessons = await _lessons(session, staff_id, pairs)
    groups = await _groups(session, staff_id, pairs, lessons)
    members = await _members(session, groups)
    pupils = _pupils(pairs, groups, members)
    given, numeric = await _marks(session, staff_id, pairs, pupils)
    delays = await _delays(session, staff_id, pairs, pupils, ZoneInfo(timezone))
    names = await _subject_names(session, {s for p in pairs for s in p.subjects})
    rows = []
    for pair in pairs:
        for subject_id in pair.subjects:
            key = (pair.class_id, subject_id)
            held, topics = lessons.get(key, (0, 0))
            covered = pupils[key]
            marks = sum(given.get((p.id, subject_id), 0) for p in covered)
            days = sorted(delays.get(key, ()))
            rows.append(
                KeepingRow(
                    pair.class_id,
                    pair.class_name,
                    subject_id,
                    names.get(subject_id, ""),
                    pair.starts_on,
                    pair.until,
                    held,
                    topics,
                    rules.percent(topics, held),
                    len(covered),
                    marks,
                    per_pupil_month(marks, len(covered), pair.elapsed),
                    len(days),
                    median(days),
                    days[-1] if days else None,
                    tuple(p for p in covered if numeric.get((p.id, subject_id), 0) < MINIMUM_MARKS),
                )
            )
    rows.sort(key=lambda r: (collation_key(r.class_name), collation_key(r.subject), r.subject_id))
    return KeepingReport(staff_id, period, on, rules, tuple(rows))


def per_pupil_month(marks: int, pupils: int, days: int) -> Decimal | None:
    """marks · 30.44 / (pupils · days), half-up to 2 places (pure)."""
    if pupils <= 0 or days <= 0:
        return None
    return round_half_up(Decimal(marks) * DAYS_PER_MONTH / (pupils * days), PER_MONTH_PLACES)


def median(values: Sequence[int]) -> Decimal | None:
    """The middle of sorted ``values``; the mean of the two middle ones for an even count."""
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return Decimal(values[middle])
    return Decimal(values[middle - 1] + values[middle]) / 2


# Statements ------------------------------------------------------------------------------


async def _lessons(
    session: AsyncSession, staff_id: int, pairs: Sequence[_Pair]
) -> dict[tuple[int, int], tuple[int, int]]:
    """(class, subject) → (lessons held, with a topic); one grouped statement."""
    topic = case((func.length(func.trim(func.coalesce(Lesson.topic, ""))) > 0, 1), else_=0)
    by_class = [
        and_(
            Lesson.class_id == p.class_id,
            Lesson.date >= p.starts_on,
            Lesson.date <= p.until,
            Lesson.subject_id.in_(sorted(p.subjects)),
        )
        for p in pairs
    ]
    rows = await session.execute(
        select(Lesson.class_id, Lesson.subject_id, func.count(), func.sum(topic))
        .where(Lesson.teacher_id == staff_id, or_(*by_class))
        .group_by(Lesson.class_id, Lesson.subject_id)
    )
    return {(c, s): (int(n), int(t or 0)) for c, s, n, t in rows}


async def _groups(
    session: AsyncSession,
    staff_id: int,
    pairs: Sequence[_Pair],
    lessons: Mapping[tuple[int, int], tuple[int, int]],
) -> dict[tuple[int, int], set[int | None]]:
    """(class, subject) → the groups the teacher teaches it to (None: the whole class): their
    lessons of the period, teaching assignments and timetable slots; one statement."""
    classes = [p.class_id for p in pairs]
    by_class = [
        and_(
            Lesson.class_id == p.class_id,
            Lesson.date >= p.starts_on,
            Lesson.date <= p.until,
        )
        for p in pairs
    ]
    found = union_all(
        select(Lesson.class_id, Lesson.subject_id, Lesson.group_id)
        .where(Lesson.teacher_id == staff_id, or_(*by_class))
        .distinct(),
        select(
            TeachingAssignment.class_id, TeachingAssignment.subject_id, TeachingAssignment.group_id
        ).where(TeachingAssignment.staff_id == staff_id, TeachingAssignment.class_id.in_(classes)),
        select(TimetableEntry.class_id, TimetableEntry.subject_id, TimetableEntry.group_id).where(
            TimetableEntry.teacher_id == staff_id, TimetableEntry.class_id.in_(classes)
        ),
    )
    groups: dict[tuple[int, int], set[int | None]] = {}
    for class_id, subject_id, group_id in await session.execute(found):
        groups.setdefault((class_id, subject_id), set()).add(group_id)
    return groups


async def _members(
    session: AsyncSession, groups: Mapping[tuple[int, int], set[int | None]]
) -> dict[int, list[tuple[int, date | None, date | None]]]:
    """group → [(pupil, joined, left)] for the groups of pairs taught to groups only."""
    wanted = sorted(
        {g for found in groups.values() if None not in found for g in found if g is not None}
    )
    if not wanted:
        return {}
    rows = await session.execute(
        select(
            GroupMember.group_id, GroupMember.student_id, GroupMember.joined_on, GroupMember.left_on
        ).where(GroupMember.group_id.in_(wanted))
    )
    members: dict[int, list[tuple[int, date | None, date | None]]] = {}
    for group_id, student_id, joined, left in rows:
        members.setdefault(group_id, []).append((student_id, joined, left))
    return members


def _pupils(
    pairs: Sequence[_Pair],
    groups: Mapping[tuple[int, int], set[int | None]],
    members: Mapping[int, list[tuple[int, date | None, date | None]]],
) -> dict[tuple[int, int], tuple[Pupil, ...]]:
    """(class, subject) → its pupils: the class's, or the members of its groups in the period."""
    found: dict[tuple[int, int], tuple[Pupil, ...]] = {}
    for pair in pairs:
        for subject_id in pair.subjects:
            taught = groups.get((pair.class_id, subject_id), {None})
            if None in taught:
                found[(pair.class_id, subject_id)] = pair.roster
                continue
            inside = {
                student
                for group_id in taught
                if group_id is not None
                for student, joined, left in members.get(group_id, ())
                if (joined is None or joined <= pair.until)
                and (left is None or left > pair.starts_on)
            }
            found[(pair.class_id, subject_id)] = tuple(p for p in pair.roster if p.id in inside)
    return found


def _by_pupil(
    pairs: Sequence[_Pair], pupils: Mapping[tuple[int, int], tuple[Pupil, ...]]
) -> list[ColumnElement[bool]]:
    """A mark of a covered pupil, in a subject of their row, dated in their class's period."""
    found = []
    for pair in pairs:
        for subject_id in sorted(pair.subjects):
            ids = sorted(p.id for p in pupils[(pair.class_id, subject_id)])
            if ids:
                found.append(
                    and_(
                        Mark.subject_id == subject_id,
                        Mark.student_id.in_(ids),
                        Mark.date >= pair.starts_on,
                        Mark.date <= pair.until,
                    )
                )
    return found


def _given_by(staff_id: int) -> ColumnElement[bool]:
    return or_(
        Mark.teacher_id == staff_id, and_(Mark.teacher_id.is_(None), Lesson.teacher_id == staff_id)
    )


async def _marks(
    session: AsyncSession,
    staff_id: int,
    pairs: Sequence[_Pair],
    pupils: Mapping[tuple[int, int], tuple[Pupil, ...]],
) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]]:
    """(pupil, subject) → marks the teacher gave, and numeric marks anybody gave; one
    grouped statement."""
    conditions = _by_pupil(pairs, pupils)
    if not conditions:
        return {}, {}
    mine = case((_given_by(staff_id), 1), else_=0)
    rows = await session.execute(
        select(Mark.student_id, Mark.subject_id, func.sum(mine), func.count(Mark.numeric_value))
        .outerjoin(Lesson, Lesson.id == Mark.lesson_id)
        .where(Mark.deleted_at.is_(None), or_(*conditions))
        .group_by(Mark.student_id, Mark.subject_id)
    )
    given: dict[tuple[int, int], int] = {}
    numeric: dict[tuple[int, int], int] = {}
    for student_id, subject_id, by_teacher, numbers in rows:
        given[(student_id, subject_id)] = int(by_teacher or 0)
        numeric[(student_id, subject_id)] = int(numbers or 0)
    return given, numeric


async def _delays(
    session: AsyncSession,
    staff_id: int,
    pairs: Sequence[_Pair],
    pupils: Mapping[tuple[int, int], tuple[Pupil, ...]],
    zone: ZoneInfo,
) -> dict[tuple[int, int], list[int]]:
    """(class, subject) → days from the lesson to the mark, for the teacher's marks tied to a
    lesson and entered in the bot; one statement (a row per such mark)."""
    conditions = _by_pupil(pairs, pupils)
    if not conditions:
        return {}
    rows = await session.execute(
        select(Mark.student_id, Mark.subject_id, Mark.created_at, Lesson.date)
        .join(Lesson, Lesson.id == Mark.lesson_id)
        .where(
            Mark.deleted_at.is_(None),
            or_(Mark.external_id.is_(None), Mark.external_id.like("bot-%")),
            _given_by(staff_id),
            or_(*conditions),
        )
    )
    row_of = {
        (p.id, subject_id): pair.class_id
        for pair in pairs
        for subject_id in pair.subjects
        for p in pupils[(pair.class_id, subject_id)]
    }
    found: dict[tuple[int, int], list[int]] = {}
    for student_id, subject_id, created, lesson_day in rows:
        class_id = row_of.get((student_id, subject_id))
        if class_id is None:
            continue
        entered = created.astimezone(zone).date()
        found.setdefault((class_id, subject_id), []).append((entered - lesson_day).days)
    return found


async def _subject_names(session: AsyncSession, subject_ids: set[int]) -> dict[int, str]:
    rows = await session.execute(
        select(Subject.id, Subject.name).where(Subject.id.in_(sorted(subject_ids)))
    )
    return {sid: name for sid, name in rows}
