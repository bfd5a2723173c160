"""Lessons moved to a day: finding the template entry they come from when the change names none.

A moved lesson's change need not name its ``timetable_entry_id``; on the day it arrives, its
subject, teacher, room and group come from the entry of its class, period, weekday (and group
and subject, when named) valid on the date it moves from.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import ChangeKind, TimetableEntry
from core.services.timetable_data import ENTRY_COLUMNS, valid_on
from core.services.timetable_rows import ChangeRow, EntryRow


async def resolve_arrivals(
    session: AsyncSession, changes: list[ChangeRow], day: date
) -> list[ChangeRow]:
    """Link each lesson moved to ``day`` that names no template entry to its source entry.

    The source is the entry of its class, period, weekday and (when named) group and subject
    valid on the date it moves from; one statement for all of them, none when there are none.
    """
    wanted = [
        c
        for c in changes
        if c.kind == ChangeKind.MOVED and c.moved_to_date == day and c.entry is None
    ]
    if not wanted:
        return changes
    rows = await session.execute(
        select(
            *ENTRY_COLUMNS,
            TimetableEntry.weekday,
            TimetableEntry.valid_from,
            TimetableEntry.valid_to,
        ).where(
            or_(
                *(
                    (TimetableEntry.class_id == c.class_id)
                    & (TimetableEntry.period == c.period)
                    & valid_on(c.date)
                    for c in wanted
                )
            )
        )
    )
    found = [(EntryRow(*row[:7]), row[7], row[8], row[9]) for row in rows]

    def source(c: ChangeRow) -> EntryRow | None:
        return next(
            (
                entry
                for entry, weekday, valid_from, valid_to in found
                if entry.class_id == c.class_id
                and entry.period == c.period
                and weekday == c.date.isoweekday()
                and valid_from <= c.date
                and (valid_to is None or c.date <= valid_to)
                and c.group_id in (None, entry.group_id)
                and c.subject_id in (None, entry.subject_id)
            ),
            None,
        )

    ids = {c.id for c in wanted}
    return [replace(c, entry=source(c)) if c.id in ids else c for c in changes]
