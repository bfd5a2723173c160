"""The calendar-thematic plan (КТП, regulation §14.2) in a teacher's hands: how far each plan has
got, the next topic of a lesson, and a lesson's topic taken from its plan with one tap.

A course's plan is the :class:`LessonPlan` of its class (or group) and subject. A plan item is
*taken* by a lesson of that course when the lesson was given it from the plan
(``Lesson.plan_item_id``) or when the lesson's topic is the item's text (spaces and case do not
matter), so plans loaded mid-year and topics typed by hand count too.

The *next* topic is the first item after the last one taken. Items skipped on the way are not
offered again: a teacher who took topic 7 after 5 moved on deliberately (or typed 6 in other
words), and a plan loaded in November whose September topics no lesson of this term's journal
carries starts where the lessons are, not at topic 1.

*Behind*: items whose planned date has passed and which no lesson has taken; in a plan without
planned dates, the lessons given so far this year beyond the items taken.

A teacher's plans are those of the current academic year that name them as the plan's
teacher, and — for plans that name nobody — those of the courses their timetable gives them
today. Reading one's plans is audited like the other staff reads (``read_plan``); taking a topic
is judged and audited by :func:`core.teaching.lessons.open_sheet` like every write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import ColumnElement

from core.audit import record_read
from core.models import (
    AcademicYear,
    Group,
    Lesson,
    LessonPlan,
    LessonPlanItem,
    SchoolClass,
    Staff,
    Subject,
    TimetableEntry,
)
from core.reader import Reader
from core.teaching.dto import LessonSlot
from core.teaching.lessons import open_sheet
from core.teaching.topics import TOPIC_LIMIT

Course = tuple[int, int | None, int]  # class, group, subject


@dataclass(frozen=True, slots=True)
class PlanTopic:
    """One planned lesson of a plan."""

    item_id: int
    plan_id: int
    number: int  # the lesson's number in the plan, from 1
    topic: str
    hours: int
    planned_on: date | None
    homework: str | None


@dataclass(frozen=True, slots=True)
class PlanProgress:
    """How far one plan has got by ``today``."""

    plan_id: int
    class_id: int
    class_name: str
    group_id: int | None
    group: str | None
    subject_id: int
    subject: str
    topics: int  # items in the plan
    covered: int  # items a lesson has taken
    given: int  # lessons of the course in the journal this year, up to today
    behind: int
    next_topic: PlanTopic | None


class NotStaffError(PermissionError):
    """Plans are read by their teachers (and the operator's tools), nobody else."""


class PlanItemMismatchError(ValueError):
    """The plan item is not of the lesson's class, group and subject (a stale or forged tap)."""


def same_topic(text: str) -> str:
    """A topic as compared: spaces collapsed, case and ё/е ignored."""
    return " ".join(text.split()).casefold().replace("ё", "е")


async def plan_progress(
    session: AsyncSession, reader: Reader, staff_id: int, today: date
) -> tuple[PlanProgress, ...]:
    """Every plan of the teacher, by class, group and subject name; raises NotStaffError for a
    reader who is not that teacher (nor an operator's tool)."""
    if not reader.system and (reader.staff_id is None or reader.staff_id != staff_id):
        raise NotStaffError(staff_id)
    school_id = (
        await session.execute(select(Staff.school_id).where(Staff.id == staff_id))
    ).scalar_one_or_none()
    if school_id is None:
        raise NotStaffError(staff_id)
    year = (
        await session.execute(
            select(AcademicYear.id, AcademicYear.starts_on)
            .where(AcademicYear.school_id == school_id, AcademicYear.starts_on <= today)
            .order_by(AcademicYear.starts_on.desc())
            .limit(1)
        )
    ).first()
    plans = await _plans_of(session, school_id, staff_id, year.id, today) if year else []
    await record_read(
        session,
        reader,
        school_id=school_id,
        student_id=None,
        action="read_plan",
        details={"staff_id": staff_id, "plans": len(plans)},
    )
    if year is None or not plans:
        return ()
    items = await _items(session, [plan.id for plan in plans])
    lessons = await _lessons(session, [_course(plan) for plan in plans], year.starts_on, today)
    found: list[PlanProgress] = []
    for plan in plans:
        course = lessons.get(_course(plan), [])
        own = items.get(plan.id, [])
        taken = _taken(own, course)
        due = [item.item_id for item in own if item.planned_on and item.planned_on < today]
        if any(item.planned_on for item in own):
            behind = len(set(due) - taken)
        else:
            behind = max(0, len(course) - len(taken))
        found.append(
            PlanProgress(
                plan_id=plan.id,
                class_id=plan.class_id,
                class_name=plan.class_name,
                group_id=plan.group_id,
                group=plan.group,
                subject_id=plan.subject_id,
                subject=plan.subject,
                topics=len(own),
                covered=len(taken),
                given=len(course),
                behind=behind,
                next_topic=_next(own, taken),
            )
        )
    return tuple(found)


async def next_topic(session: AsyncSession, lesson_id: int) -> PlanTopic | None:
    """The topic the plan of the lesson's course offers it: the first item after the last one
    other lessons of the course have taken (the lesson's own choice does not count, so the offer
    stays put while the lesson is edited). None without a plan or past its end."""
    lesson = (
        await session.execute(
            select(
                Lesson.school_id,
                Lesson.class_id,
                Lesson.group_id,
                Lesson.subject_id,
                Lesson.teacher_id,
            ).where(Lesson.id == lesson_id)
        )
    ).first()
    if lesson is None:
        return None
    group = _is(LessonPlan.group_id, lesson.group_id)
    plan_id = (
        await session.execute(
            select(LessonPlan.id)
            .where(
                LessonPlan.school_id == lesson.school_id,
                LessonPlan.class_id == lesson.class_id,
                group,
                LessonPlan.subject_id == lesson.subject_id,
            )
            .order_by((LessonPlan.teacher_id == lesson.teacher_id).desc(), LessonPlan.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    if plan_id is None:
        return None
    items = (await _items(session, [plan_id])).get(plan_id, [])
    others = await session.execute(
        select(Lesson.topic, Lesson.plan_item_id)
        .where(
            Lesson.class_id == lesson.class_id,
            _is(Lesson.group_id, lesson.group_id),
            Lesson.subject_id == lesson.subject_id,
            Lesson.id != lesson_id,
        )
        .order_by(Lesson.date, Lesson.period)
    )
    return _next(items, _taken(items, [(row.topic, row.plan_item_id) for row in others]))


async def take_plan_topic(
    session: AsyncSession,
    reader: Reader,
    slot: LessonSlot,
    item_id: int,
    *,
    today: date,
    edit_days: int | None = None,
) -> str:
    """Give the lesson the plan item's topic (judged and audited like every write); the topic
    as stored. The item is checked against the lesson, never trusted: one of another class,
    group or subject raises :class:`PlanItemMismatchError`."""
    sheet = await open_sheet(
        session, reader, slot, today=today, edit_days=edit_days, action="save_topic"
    )
    item = (
        await session.execute(
            select(LessonPlanItem.topic)
            .join(LessonPlan, LessonPlan.id == LessonPlanItem.plan_id)
            .where(
                LessonPlanItem.id == item_id,
                LessonPlan.school_id == sheet.school_id,
                LessonPlan.class_id == slot.class_id,
                _is(LessonPlan.group_id, slot.group_id),
                LessonPlan.subject_id == sheet.subject_id,
            )
        )
    ).first()
    if item is None:
        raise PlanItemMismatchError(item_id)
    topic = " ".join(item.topic.split())[:TOPIC_LIMIT]
    await session.execute(
        update(Lesson).where(Lesson.id == sheet.lesson_id).values(topic=topic, plan_item_id=item_id)
    )
    return topic


@dataclass(frozen=True, slots=True)
class _Plan:
    id: int
    class_id: int
    class_name: str
    group_id: int | None
    group: str | None
    subject_id: int
    subject: str


def _course(plan: _Plan) -> Course:
    return (plan.class_id, plan.group_id, plan.subject_id)


def _is(column: InstrumentedAttribute[int | None], value: int | None) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


async def _plans_of(
    session: AsyncSession, school_id: int, staff_id: int, year_id: int, today: date
) -> list[_Plan]:
    taught = (
        select(TimetableEntry.id)
        .where(
            TimetableEntry.teacher_id == staff_id,
            TimetableEntry.class_id == LessonPlan.class_id,
            or_(
                TimetableEntry.group_id == LessonPlan.group_id,
                and_(TimetableEntry.group_id.is_(None), LessonPlan.group_id.is_(None)),
            ),
            TimetableEntry.subject_id == LessonPlan.subject_id,
            TimetableEntry.valid_from <= today,
            or_(TimetableEntry.valid_to.is_(None), TimetableEntry.valid_to >= today),
        )
        .exists()
    )
    rows = await session.execute(
        select(
            LessonPlan.id,
            LessonPlan.class_id,
            SchoolClass.name.label("class_name"),
            SchoolClass.grade,
            LessonPlan.group_id,
            Group.name.label("group"),
            LessonPlan.subject_id,
            Subject.name.label("subject"),
        )
        .join(SchoolClass, SchoolClass.id == LessonPlan.class_id)
        .join(Subject, Subject.id == LessonPlan.subject_id)
        .outerjoin(Group, Group.id == LessonPlan.group_id)
        .where(
            LessonPlan.school_id == school_id,
            LessonPlan.academic_year_id == year_id,
            or_(
                LessonPlan.teacher_id == staff_id,
                and_(LessonPlan.teacher_id.is_(None), taught),
            ),
        )
    )
    ordered = sorted(rows, key=lambda r: (r.grade, r.class_name, r.subject, r.group or "", r.id))
    return [
        _Plan(r.id, r.class_id, r.class_name, r.group_id, r.group, r.subject_id, r.subject)
        for r in ordered
    ]


async def _items(session: AsyncSession, plan_ids: Sequence[int]) -> dict[int, list[PlanTopic]]:
    found: dict[int, list[PlanTopic]] = defaultdict(list)
    rows = await session.execute(
        select(
            LessonPlanItem.id,
            LessonPlanItem.plan_id,
            LessonPlanItem.position,
            LessonPlanItem.topic,
            LessonPlanItem.hours,
            LessonPlanItem.planned_on,
            LessonPlanItem.homework,
        )
        .where(LessonPlanItem.plan_id.in_(plan_ids))
        .order_by(LessonPlanItem.plan_id, LessonPlanItem.position)
    )
    for r in rows:
        found[r.plan_id].append(
            PlanTopic(r.id, r.plan_id, r.position, r.topic, r.hours, r.planned_on, r.homework)
        )
    return found


async def _lessons(
    session: AsyncSession, courses: Sequence[Course], start: date, today: date
) -> dict[Course, list[tuple[str | None, int | None]]]:
    """The journal's lessons of these courses from ``start`` to ``today``: topic, plan item."""
    found: dict[Course, list[tuple[str | None, int | None]]] = defaultdict(list)
    wanted = set(courses)
    rows = await session.execute(
        select(
            Lesson.class_id, Lesson.group_id, Lesson.subject_id, Lesson.topic, Lesson.plan_item_id
        )
        .where(
            Lesson.class_id.in_({course[0] for course in courses}),
            Lesson.subject_id.in_({course[2] for course in courses}),
            Lesson.date >= start,
            Lesson.date <= today,
        )
        .order_by(Lesson.date, Lesson.period)
    )
    for r in rows:
        course = (r.class_id, r.group_id, r.subject_id)
        if course in wanted:
            found[course].append((r.topic, r.plan_item_id))
    return found


def _taken(
    items: Sequence[PlanTopic], lessons: Iterable[tuple[str | None, int | None]]
) -> set[int]:
    """The ids of the items the lessons have taken: by the plan's item, else by the same text
    (one item a lesson: of a text the plan repeats, the first not taken yet)."""
    ids = {item.item_id for item in items}
    given = list(lessons)
    taken = {item_id for _, item_id in given if item_id in ids}
    by_text: dict[str, list[int]] = defaultdict(list)
    for item in items:
        if item.item_id not in taken:
            by_text[same_topic(item.topic)].append(item.item_id)
    for topic, item_id in given:
        if item_id not in ids and topic:
            free = by_text.get(same_topic(topic))
            if free:
                taken.add(free.pop(0))
    return taken


def _next(items: Sequence[PlanTopic], taken: set[int]) -> PlanTopic | None:
    last = max((index for index, item in enumerate(items) if item.item_id in taken), default=-1)
    return items[last + 1] if last + 1 < len(items) else None
