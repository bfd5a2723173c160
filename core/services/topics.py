"""Lesson topics (Lesson.topic) of a subject over a range, for a student or a class/group.

A student sees the lessons of the class they were in on each date, for the whole class or a
group they belonged to then. Lessons without a topic are listed with ``topic=None`` (a view
may say "тема не указана"). Ordered by date and period. The student's view is audited
(``read_topics``, for the reader's window of the range: a class teacher after a pupil's
transfer sees the lessons of the pupil's days in their class); a class's lessons are no
personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.windows import authorize_span
from core.models import Group, Lesson, Staff
from core.reader import Reader
from core.services.groups import load_memberships
from core.services.naming import short_name
from core.services.school_data import load_history


@dataclass(frozen=True, slots=True)
class LessonTopic:
    lesson_id: int
    date: date
    period: int
    topic: str | None
    teacher: str | None  # Фамилия И. О.
    group: str | None


async def _topics(
    session: AsyncSession,
    subject_id: int,
    start: date,
    end: date,
    class_ids: set[int],
    visible: Callable[[int, int | None, date], bool],
) -> tuple[LessonTopic, ...]:
    """Lessons of the classes in the range, kept when ``visible(class_id, group_id, date)``."""
    rows = await session.execute(
        select(
            Lesson.id,
            Lesson.date,
            Lesson.period,
            Lesson.topic,
            Staff.last_name,
            Staff.first_name,
            Staff.middle_name,
            Group.name,
            Lesson.class_id,
            Lesson.group_id,
        )
        .outerjoin(Staff, Staff.id == Lesson.teacher_id)
        .outerjoin(Group, Group.id == Lesson.group_id)
        .where(
            Lesson.class_id.in_(class_ids),
            Lesson.subject_id == subject_id,
            Lesson.date.between(start, end),
        )
        .order_by(Lesson.date, Lesson.period, Lesson.id)
    )
    return tuple(
        LessonTopic(
            lesson_id,
            day,
            period,
            topic,
            short_name(last, first, middle) if last is not None else None,
            group,
        )
        for lesson_id, day, period, topic, last, first, middle, group, class_id, group_id in rows
        if visible(class_id, group_id, day)
    )


async def class_topics(
    session: AsyncSession,
    class_id: int,
    subject_id: int,
    start: date,
    end: date,
    reader: Reader,
    *,
    group_id: int | None = None,
) -> tuple[LessonTopic, ...]:
    """A class's lessons of the subject; with ``group_id``, the group's and whole-class ones."""

    def visible(_class: int, lesson_group: int | None, _day: date) -> bool:
        return group_id is None or lesson_group in (None, group_id)

    return await _topics(session, subject_id, start, end, {class_id}, visible)


async def student_topics(
    session: AsyncSession,
    student_id: int,
    subject_id: int,
    start: date,
    end: date,
    reader: Reader,
) -> tuple[LessonTopic, ...]:
    """The subject's lessons the student took (or was due to take) in the range."""
    allowed = await authorize_span(
        session,
        reader,
        Permission.TOPICS,
        student_id,
        start,
        end,
        action="read_topics",
        details={"subject_id": subject_id},
    )
    start, end = allowed.start, allowed.end  # the reader's window (a transfer limits it)
    history = await load_history(session, student_id)
    memberships = await load_memberships(session, student_id)
    class_on = {
        day: klass if allowed.covers(day) else None
        for day, klass in history.classes_by_day(start, end).items()
    }

    def visible(lesson_class: int, lesson_group: int | None, day: date) -> bool:
        return class_on.get(day) == lesson_class and memberships.sees(lesson_group, day)

    classes = {c for c in class_on.values() if c is not None}
    topics = await _topics(session, subject_id, start, end, classes, visible)
    return topics
