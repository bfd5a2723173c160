"""The lesson DTO of every timetable view, and its assembly from drafts: names and bells."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import ChangeKind
from core.services.bells import ClassBells, bells_for_classes
from core.services.class_data import ClassInfo
from core.services.lookups import group_names, staff_names, subject_names
from core.services.naming import collation_key
from core.services.timetable_rules import Draft


@dataclass(frozen=True, slots=True)
class TimetableLesson:
    period: int
    starts_at: time | None
    ends_at: time | None
    class_id: int
    class_name: str
    subject_id: int
    subject: str
    teacher_id: int | None
    teacher: str | None  # Фамилия И. О.
    room: str | None
    group_id: int | None
    group: str | None
    change: ChangeKind | None
    cancelled: bool
    original_subject: str | None  # set when a substitution changed the subject
    original_teacher: str | None  # set when a substitution changed the teacher
    original_room: str | None  # set when the room changed
    moved_to: date | None
    moved_to_period: int | None
    moved_from: date | None
    moved_from_period: int | None


async def assemble(
    session: AsyncSession, drafts: list[Draft], classes: dict[int, ClassInfo], on: date
) -> tuple[TimetableLesson, ...]:
    """Names and bells for the drafts of day ``on``: a fixed four queries however many lessons
    (none for a day without lessons).

    Each lesson rings at its class's own bells of that day (grades, weekdays, dates:
    :mod:`core.services.bells`).
    """
    [lessons] = await assemble_days(session, [(on, drafts)], classes)
    return lessons


async def assemble_days(
    session: AsyncSession,
    days: Sequence[tuple[date, list[Draft]]],
    classes: dict[int, ClassInfo],
) -> list[tuple[TimetableLesson, ...]]:
    """:func:`assemble` for several days at once: the names are looked up once for all of
    them (three queries, none when no day has lessons), the bells once a day."""
    every = [d for _on, drafts in days for d in drafts]
    if not every:
        return [() for _day in days]
    subjects = await subject_names(
        session, [d.subject_id for d in every] + [d.original_subject_id for d in every]
    )
    teachers = await staff_names(
        session, [d.teacher_id for d in every] + [d.original_teacher_id for d in every]
    )
    groups = await group_names(session, [d.group_id for d in every])
    result = []
    for on, drafts in days:
        used = {d.class_id for d in drafts}
        bells = (
            await bells_for_classes(
                session, {c: info for c, info in classes.items() if c in used}, on
            )
            if used
            else {}
        )
        result.append(_lessons(drafts, classes, subjects, teachers, groups, bells))
    return result


def _lessons(
    drafts: list[Draft],
    classes: dict[int, ClassInfo],
    subjects: dict[int, str],
    teachers: dict[int, str],
    groups: dict[int, str],
    bells: dict[int, ClassBells],
) -> tuple[TimetableLesson, ...]:
    lessons = []
    for d in drafts:
        times = bells[d.class_id].at(d.period)
        lessons.append(
            TimetableLesson(
                period=d.period,
                starts_at=times.starts_at if times else None,
                ends_at=times.ends_at if times else None,
                class_id=d.class_id,
                class_name=classes[d.class_id].name,
                subject_id=d.subject_id,
                subject=subjects.get(d.subject_id, ""),
                teacher_id=d.teacher_id,
                teacher=teachers.get(d.teacher_id) if d.teacher_id else None,
                room=d.room,
                group_id=d.group_id,
                group=groups.get(d.group_id) if d.group_id else None,
                change=d.change,
                cancelled=d.cancelled,
                original_subject=subjects.get(d.original_subject_id or 0),
                original_teacher=teachers.get(d.original_teacher_id or 0),
                original_room=d.original_room,
                moved_to=d.moved_to,
                moved_to_period=d.moved_to_period,
                moved_from=d.moved_from,
                moved_from_period=d.moved_from_period,
            )
        )
    lessons.sort(
        key=lambda x: (
            x.period,
            collation_key(x.class_name),
            collation_key(x.group),
            not x.cancelled,  # a lesson struck through before what replaces it
            collation_key(x.subject),
        )
    )
    return tuple(lessons)
