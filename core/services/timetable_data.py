"""Set-based loaders for the timetable: template entries, dated changes and bells of a day.

Each loader is one statement over the indexes ``timetable_entries(class_id, weekday, period)``,
``timetable_entries(teacher_id, weekday, period)``, ``timetable_changes(class_id, date)``,
``timetable_changes(teacher_id, date)`` and ``bells(school_id, shift, ...)``, whatever the
number of classes or lessons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.models import Bell, TimetableChange, TimetableEntry
from core.services.timetable_rows import ChangeRow, EntryRow

ENTRY_COLUMNS = (
    TimetableEntry.id,
    TimetableEntry.class_id,
    TimetableEntry.group_id,
    TimetableEntry.subject_id,
    TimetableEntry.teacher_id,
    TimetableEntry.period,
    TimetableEntry.room,
)


def valid_on(day: date) -> ColumnElement[bool]:
    """A template entry for the day's weekday whose validity range (inclusive) covers it."""
    return (
        (TimetableEntry.weekday == day.isoweekday())
        & (TimetableEntry.valid_from <= day)
        & or_(TimetableEntry.valid_to.is_(None), TimetableEntry.valid_to >= day)
    )


def _touches(day: date) -> ColumnElement[bool]:
    return or_(TimetableChange.date == day, TimetableChange.moved_to_date == day)


async def load_entries(session: AsyncSession, class_ids: set[int], day: date) -> list[EntryRow]:
    rows = await session.execute(
        select(*ENTRY_COLUMNS).where(TimetableEntry.class_id.in_(class_ids), valid_on(day))
    )
    return [EntryRow(*row) for row in rows]


async def teacher_class_ids(session: AsyncSession, staff_id: int, day: date) -> set[int]:
    """The classes whose day may hold a lesson of the teacher.

    Those the teacher has a template lesson in (any weekday: a lesson of theirs may be moved to
    this day) and those where a change of the day names them (a substitution elsewhere).
    """
    planned = select(TimetableEntry.class_id).where(
        TimetableEntry.teacher_id == staff_id,
        TimetableEntry.valid_from <= day,
        or_(TimetableEntry.valid_to.is_(None), TimetableEntry.valid_to >= day),
    )
    changed = select(TimetableChange.class_id).where(
        TimetableChange.teacher_id == staff_id, _touches(day)
    )
    return set((await session.scalars(planned.union(changed))).all())


async def load_changes(session: AsyncSession, class_ids: set[int], day: date) -> list[ChangeRow]:
    """The changes of the classes dated ``day`` or moving a lesson to ``day``.

    The entry a change names comes along (whatever its weekday); see
    :func:`core.services.timetable_moves.resolve_arrivals` for the moved lessons naming none.
    """
    entry = aliased(TimetableEntry)
    change = TimetableChange
    rows = await session.execute(
        select(
            change.id,
            change.kind,
            change.date,
            change.period,
            change.class_id,
            change.group_id,
            change.subject_id,
            change.new_subject_id,
            change.absent_teacher_id,
            change.teacher_id,
            change.room,
            change.moved_to_date,
            change.moved_to_period,
            entry.id,
            entry.class_id,
            entry.group_id,
            entry.subject_id,
            entry.teacher_id,
            entry.period,
            entry.room,
        )
        .outerjoin(entry, entry.id == change.timetable_entry_id)
        .where(change.class_id.in_(class_ids), _touches(day))
    )
    return [
        ChangeRow(
            id=row[0],
            kind=row[1],
            date=row[2],
            period=row[3],
            class_id=row[4],
            group_id=row[5],
            subject_id=row[6],
            new_subject_id=row[7],
            absent_teacher_id=row[8],
            teacher_id=row[9],
            room=row[10],
            moved_to_date=row[11],
            moved_to_period=row[12],
            entry=(
                None
                if row[13] is None or row[14] is None or row[16] is None or row[18] is None
                else EntryRow(row[13], row[14], row[15], row[16], row[17], row[18], row[19])
            ),
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class BellRow:
    """A row of the school's bells as stored; :mod:`core.services.bells` picks among them."""

    id: int
    key: str  # the school's id of the row (its natural key when the file gave none)
    shift: int
    period: int
    starts_at: time
    ends_at: time
    grades: str  # stored set (`6,8`, `9-11`), '' for every grade
    weekdays: str  # stored set (`1`, `2-5`), '' for every day
    valid_from: date | None
    valid_to: date | None


async def load_bells(session: AsyncSession, school_id: int, shifts: set[int]) -> list[BellRow]:
    """Every bells row of the school's ``shifts``: one statement over the unique index
    ``bells(school_id, shift, period, grades, weekdays, valid_from)``."""
    rows = await session.execute(
        select(
            Bell.id,
            Bell.external_id,
            Bell.shift,
            Bell.period,
            Bell.starts_at,
            Bell.ends_at,
            Bell.grades,
            Bell.weekdays,
            Bell.valid_from,
            Bell.valid_to,
        ).where(Bell.school_id == school_id, Bell.shift.in_(shifts))
    )
    return [
        BellRow(
            id=row[0],
            key=row[1] or f"#{row[0]}",
            shift=row[2],
            period=row[3],
            starts_at=row[4],
            ends_at=row[5],
            grades=row[6],
            weekdays=row[7],
            valid_from=row[8],
            valid_to=row[9],
        )
        for row in rows
    ]
