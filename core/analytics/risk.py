"""Early warning: which pupils are at risk in which subject on a day (regulation §13.5).

A pupil is at risk in a subject of the term containing the day when (:class:`RiskKind`):

* ``FAILING`` - the projected term mark is 2: the term's weighted average of the marks dated up
  to the day, compared with the school's thresholds (:func:`core.grading.suggested_mark`, the
  diary's and the what-if's arithmetic); or н/а: no numeric mark at all while less than
  ``RiskRules.weeks_left`` of the term remains (a term mark needs marks);
* ``FALLING`` - that average fell by ``RiskRules.fall`` or more since ``RiskRules.fall_window``
  ago (the average as of then, of the term's marks dated up to then); not asked while then lies
  before the term began;
* ``MISSED_CONTROL`` - a control-work lesson the pupil attended without a mark for it. A
  control-work lesson is a lesson of the class (of the pupil's group) in which at least one pupil
  got a mark of a control work type (``WorkType.is_control``); attended means no absence recorded
  for it (a late arrival is attendance). A pupil absent from a control work is not this case:
  their absence is counted by ``ABSENCES``;
* ``FEW_MARKS`` - one or two numeric marks while less than ``RiskRules.weeks_left`` of the term
  remains (none at all is the н/а of ``FAILING``);
* ``ABSENCES`` - lessons missed (every code but late) above ``RiskRules.absence_share`` of the
  subject's lessons the pupil had so far in the term, once there were at least
  ``RiskRules.min_lessons`` of them. Never the reason of an absence: it is not even read.

Pupils are the class's current pupils (not left by the day); the lessons a pupil had are the
class's lessons since they were enrolled, a group's for the group's members only (membership
dates are not asked: a pupil who changed groups mid-term counts in the group they are in now).
Statements: two for the school (its thresholds; its classes with the term containing the day),
then five per class whatever its size (pupils, lessons, group members, marks with their
work types, absences), each on an index: ``lessons (class_id, date)``, ``marks (student_id,
date)``, ``attendance (student_id, date)``.

School settings (columns of ``schools``, the exchange `school` table, read by
:func:`load_risk_rules`): ``fall`` (``risk_average_fall``, 0.50), ``absence_share``
(``risk_absence_percent``, 30 %: schools differ, 30 % to 50 %) and ``min_marks``
(``risk_min_marks``, 3); the rest are the regulation's own wording and stay defaults.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.grading import Thresholds, WeightedMark, suggested_mark, weighted_average
from core.models import (
    Attendance,
    Group,
    GroupMember,
    Lesson,
    Mark,
    School,
    SchoolClass,
    Student,
    Term,
    WorkType,
)
from core.models.enums import AttendanceCode, RiskKind
from core.services.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class RiskRules:
    fall: Decimal = Decimal("0.50")
    fall_window: timedelta = timedelta(days=21)
    min_marks: int = 3
    weeks_left: timedelta = timedelta(weeks=3)
    absence_share: Decimal = Decimal("0.30")
    min_lessons: int = 4  # a share of fewer lessons says nothing yet


DEFAULT_RULES = RiskRules()


async def load_risk_rules(session: AsyncSession, school_id: int) -> RiskRules:
    """The school's rules (one statement): its settings, the defaults for the rest."""
    row = (
        await session.execute(
            select(
                School.risk_average_fall, School.risk_absence_percent, School.risk_min_marks
            ).where(School.id == school_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError("school", school_id)
    return replace(
        DEFAULT_RULES,
        fall=Decimal(row[0]),
        absence_share=Decimal(int(row[1])) / 100,
        min_marks=int(row[2]),
    )


@dataclass(frozen=True, slots=True)
class Risk:
    student_id: int
    subject_id: int
    class_id: int
    term_id: int
    kind: RiskKind
    detail: str | None  # "2.40", "н/а", "4.10→3.50", "3/8", a lesson's date


@dataclass(frozen=True, slots=True)
class ClassTerm:
    class_id: int
    term_id: int
    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class _Lesson:
    id: int
    subject_id: int
    group_id: int | None
    date: date
    period: int


@dataclass(frozen=True, slots=True)
class _Mark:
    subject_id: int
    lesson_id: int | None
    date: date
    numeric_value: int | None
    weight: Decimal
    is_control: bool


async def detect_school(
    session: AsyncSession, school_id: int, day: date, rules: RiskRules = DEFAULT_RULES
) -> list[Risk]:
    """Every risk case of the school's classes whose term contains ``day``."""
    school = (
        await session.execute(
            select(School.threshold_5, School.threshold_4, School.threshold_3).where(
                School.id == school_id
            )
        )
    ).one()
    thresholds = Thresholds(school[0], school[1], school[2])
    rows = await session.execute(
        select(SchoolClass.id, Term.id, Term.starts_on, Term.ends_on)
        .join(
            Term,
            (Term.academic_year_id == SchoolClass.academic_year_id)
            & (Term.kind == SchoolClass.term_kind),
        )
        .where(SchoolClass.school_id == school_id, Term.starts_on <= day, Term.ends_on >= day)
        .order_by(SchoolClass.id)
    )
    found: list[Risk] = []
    for row in rows.all():
        term = ClassTerm(row[0], row[1], row[2], row[3])
        found.extend(await detect_class(session, term, day, thresholds, rules))
    return found


async def detect_class(
    session: AsyncSession,
    term: ClassTerm,
    day: date,
    thresholds: Thresholds,
    rules: RiskRules = DEFAULT_RULES,
) -> list[Risk]:
    enrolled: dict[int, date | None] = {
        row[0]: row[1]
        for row in await session.execute(
            select(Student.id, Student.enrolled_on)
            .where(
                Student.class_id == term.class_id,
                or_(Student.left_on.is_(None), Student.left_on > day),
            )
            .order_by(Student.id)
        )
    }
    pupils = list(enrolled)
    if not pupils:
        return []
    lessons = [
        _Lesson(*row)
        for row in await session.execute(
            select(Lesson.id, Lesson.subject_id, Lesson.group_id, Lesson.date, Lesson.period).where(
                Lesson.class_id == term.class_id, Lesson.date.between(term.starts_on, day)
            )
        )
    ]
    members: dict[int, set[int]] = defaultdict(set)
    for group_id, student_id in await session.execute(
        select(GroupMember.group_id, GroupMember.student_id)
        .join(Group, Group.id == GroupMember.group_id)
        .where(Group.class_id == term.class_id)
    ):
        members[group_id].add(student_id)
    marks: dict[int, list[_Mark]] = defaultdict(list)
    for row in await session.execute(
        select(
            Mark.student_id,
            Mark.subject_id,
            Mark.lesson_id,
            Mark.date,
            Mark.numeric_value,
            WorkType.weight,
            WorkType.is_control,
        )
        .outerjoin(WorkType, WorkType.id == Mark.work_type_id)
        .where(
            Mark.student_id.in_(pupils),
            Mark.date.between(term.starts_on, day),
            Mark.deleted_at.is_(None),
        )
    ):
        marks[row[0]].append(
            _Mark(row[1], row[2], row[3], row[4], row[5] or Decimal(1), bool(row[6]))
        )
    absences = (
        await session.execute(
            select(
                Attendance.student_id, Attendance.lesson_id, Attendance.date, Attendance.period
            ).where(
                Attendance.student_id.in_(pupils),
                Attendance.date.between(term.starts_on, day),
                Attendance.deleted_at.is_(None),
                Attendance.code != AttendanceCode.LATE,
            )
        )
    ).all()
    missed: dict[int, list[tuple[int | None, date, int | None]]] = defaultdict(list)
    for student_id, lesson_id, when, period in absences:
        missed[student_id].append((lesson_id, when, period))
    control_lessons = {
        m.lesson_id
        for pupil_marks in marks.values()
        for m in pupil_marks
        if m.is_control and m.lesson_id is not None
    }
    found: list[Risk] = []
    for pupil in pupils:
        since = enrolled[pupil] or term.starts_on
        had = [
            lesson
            for lesson in lessons
            if lesson.date >= since
            and (lesson.group_id is None or pupil in members.get(lesson.group_id, set()))
        ]
        absent = _absent_lessons(had, missed.get(pupil, []))
        found.extend(
            _pupil_risks(
                pupil,
                term,
                day,
                had,
                absent,
                marks.get(pupil, []),
                control_lessons,
                thresholds,
                rules,
            )
        )
    return found


def _absent_lessons(
    had: Sequence[_Lesson], missed: Sequence[tuple[int | None, date, int | None]]
) -> set[int]:
    """The lessons a pupil missed: an absence of a lesson, of a period, or of a whole day."""
    ids = {lesson.id for lesson in had}
    absent: set[int] = set()
    for lesson_id, when, period in missed:
        if lesson_id is not None and lesson_id in ids:
            absent.add(lesson_id)
            continue
        absent |= {
            lesson.id
            for lesson in had
            if lesson.date == when and (period is None or lesson.period == period)
        }
    return absent


def _pupil_risks(
    pupil: int,
    term: ClassTerm,
    day: date,
    had: Sequence[_Lesson],
    absent: set[int],
    marks: Sequence[_Mark],
    control_lessons: set[int],
    thresholds: Thresholds,
    rules: RiskRules,
) -> list[Risk]:
    def risk(subject_id: int, kind: RiskKind, detail: str | None) -> Risk:
        return Risk(pupil, subject_id, term.class_id, term.term_id, kind, detail)

    ending = term.ends_on - day < rules.weeks_left
    then = day - rules.fall_window
    by_subject: dict[int, list[_Mark]] = defaultdict(list)
    for mark in marks:
        by_subject[mark.subject_id].append(mark)
    lessons_of: dict[int, list[_Lesson]] = defaultdict(list)
    for lesson in had:
        lessons_of[lesson.subject_id].append(lesson)
    found: list[Risk] = []
    for subject_id in sorted(set(by_subject) | set(lessons_of)):
        subject_marks = by_subject.get(subject_id, [])
        counted: list[WeightedMark] = [(m.numeric_value, m.weight) for m in subject_marks]
        average = weighted_average(counted)
        numeric = sum(1 for m in subject_marks if m.numeric_value is not None)
        if suggested_mark(average, thresholds) == 2:
            found.append(risk(subject_id, RiskKind.FAILING, str(average)))
        elif average is None and ending:
            found.append(risk(subject_id, RiskKind.FAILING, "н/а"))
        if then >= term.starts_on and average is not None:
            before = weighted_average(
                [(m.numeric_value, m.weight) for m in subject_marks if m.date <= then]
            )
            if before is not None and before - average >= rules.fall:
                found.append(risk(subject_id, RiskKind.FALLING, f"{before}→{average}"))
        marked = {m.lesson_id for m in subject_marks}
        for lesson in sorted(lessons_of.get(subject_id, []), key=lambda x: (x.date, x.period)):
            if lesson.id in control_lessons and lesson.id not in absent and lesson.id not in marked:
                found.append(risk(subject_id, RiskKind.MISSED_CONTROL, lesson.date.isoformat()))
                break  # one case a term: the first such work names it
        if ending and 0 < numeric < rules.min_marks:
            found.append(risk(subject_id, RiskKind.FEW_MARKS, str(numeric)))
        subject_lessons = lessons_of.get(subject_id, [])
        missed = sum(1 for lesson in subject_lessons if lesson.id in absent)
        if len(subject_lessons) >= rules.min_lessons and Decimal(
            missed
        ) > rules.absence_share * len(subject_lessons):
            found.append(risk(subject_id, RiskKind.ABSENCES, f"{missed}/{len(subject_lessons)}"))
    return found
