"""The evening digest: per child, tomorrow's timetable changes and the homework due tomorrow.

Read at send time through the ordinary services, so it shows what is true when it goes out and
every read is checked and audited under the recipient. A child with no school tomorrow (a
Sunday, holidays, left the school) is left out; so is one with nothing to report. An empty
digest is not sent at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from core.access.policy import AccessDenied
from core.linking.accounts import reader_of
from core.linking.dto import AccountView, ChildRef
from core.services.homework import HomeworkItem, homework_due
from core.services.timetable import student_timetable
from core.services.timetable_lessons import TimetableLesson


@dataclass(frozen=True, slots=True)
class DigestChild:
    child: ChildRef
    day: date
    changes: tuple[TimetableLesson, ...]  # the day's lessons that differ from the plan
    homework: tuple[HomeworkItem, ...]


def _changed(lesson: TimetableLesson) -> bool:
    return lesson.change is not None or lesson.cancelled or lesson.moved_from is not None


async def evening_digest(
    session: AsyncSession, view: AccountView, day: date, today: date
) -> list[DigestChild]:
    """What each of the account's children has to know for ``day`` (tomorrow)."""
    reader = reader_of(view, "scheduler", today)
    found: list[DigestChild] = []
    for child in view.children:
        try:
            timetable = await student_timetable(session, child.student_id, day, reader)
            if not timetable.in_school or timetable.holiday or not timetable.lessons:
                continue
            changes = tuple(lesson for lesson in timetable.lessons if _changed(lesson))
            homework = await homework_due(session, child.student_id, day, reader)
        except AccessDenied:
            continue
        if changes or homework:
            found.append(DigestChild(child, day, changes, homework))
    return found
