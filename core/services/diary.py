"""A student's marks for a date range, per subject, with the term average and suggested mark.

The averages cover the whole TERM containing the range's end date (the term of the class the
student was in on that date), all of that term's marks whether inside the range or not - the
figure a family compares with the coming term mark. When no term contains the end date (summer,
a gap between terms, the student had left) the averages cover the range itself;
``Diary.term`` says which: the term, or ``None`` for the range.

Every subject with a mark in the range or in that term is listed (a subject whose marks are
all outside the range comes with no marks and its average), ordered by name in Russian
collation; marks by date. Deleted marks never appear; non-numeric marks are listed but never
enter an average. A mark weighs what its work type weighs, 1 without a work type.
The student and the class's terms are looked up first, for dates only (which term the range
ends in); then the check (:func:`core.access.windows.authorize_span`: two statements, one for a
system reader, and the audit record) grants the reader's window of the range and the term - the
whole of both for a family, the pupil's days in the class for a class teacher after a transfer
(``Diary.limit``) - and the marks are read in one statement, only those of the window shown
and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.windows import Clamp, authorize_span
from core.grading import suggested_mark, weighted_average
from core.models import Mark, Staff, Subject, WorkType
from core.reader import Reader
from core.services.calendar import class_terms
from core.services.naming import collation_key, short_name
from core.services.school_data import TermInfo, known_history, load_history


@dataclass(frozen=True, slots=True)
class DiaryMark:
    id: int
    date: date
    value: str
    numeric_value: int | None
    work_type: str | None
    weight: Decimal
    is_control: bool
    comment: str | None
    teacher: str | None  # Фамилия И. О.


@dataclass(frozen=True, slots=True)
class DiarySubject:
    subject_id: int
    subject: str
    marks: tuple[DiaryMark, ...]  # the marks in the range
    average: Decimal | None  # over the term (or the range: see Diary.term)
    suggested_mark: int | None


@dataclass(frozen=True, slots=True)
class Diary:
    student_id: int
    start: date
    end: date
    term: TermInfo | None  # the term the averages cover; None: they cover the range
    subjects: tuple[DiarySubject, ...]
    # The reader's window when it is less than the range and the term (a class teacher after a
    # pupil's transfer): marks and averages count only its days. None: nothing was left out.
    limit: Clamp | None = None


async def diary(
    session: AsyncSession,
    student_id: int,
    start: date,
    end: date,
    reader: Reader,
    *,
    subject_id: int | None = None,
) -> Diary:
    """The marks of ``start..end`` (inclusive), optionally of one subject only."""
    # Only dates are worked out before the check (which term the range ends in); nothing of
    # the pupil is shown unless it grants, and an unknown id is refused like any other.
    history = await known_history(session, student_id)
    class_id = history.class_on(end) if history else None
    terms = await class_terms(session, class_id) if class_id is not None else ()
    term = next((t for t in terms if t.contains(end)), None)
    # The reader's window of the range and of the term: after a transfer a class teacher
    # sees, and averages, only the pupil's days in their class (refused when none is shown).
    allowed = await authorize_span(
        session,
        reader,
        Permission.MARKS,
        student_id,
        start,
        end,
        action="read_diary",
        details={"subject_id": subject_id},
        counted=(term.starts_on, term.ends_on) if term else None,
    )
    if history is None:
        history = await load_history(session, student_id)  # the system reader's "not found"
    low, high = allowed.start, allowed.end
    query = (
        select(
            Mark.id,
            Mark.date,
            Mark.value,
            Mark.numeric_value,
            WorkType.name,
            WorkType.weight,
            WorkType.is_control,
            Mark.comment,
            Staff.last_name,
            Staff.first_name,
            Staff.middle_name,
            Mark.subject_id,
            Subject.name,
        )
        .join(Subject, Subject.id == Mark.subject_id)
        .outerjoin(WorkType, WorkType.id == Mark.work_type_id)
        .outerjoin(Staff, Staff.id == Mark.teacher_id)
        .where(
            Mark.student_id == student_id,
            Mark.date.between(low, high),
            Mark.deleted_at.is_(None),
        )
        .order_by(Mark.date, Mark.id)
    )
    if subject_id is not None:
        query = query.where(Mark.subject_id == subject_id)
    names: dict[int, str] = {}
    shown: dict[int, list[DiaryMark]] = {}
    counted: dict[int, list[tuple[int | None, Decimal]]] = {}
    for row in await session.execute(query):
        if not allowed.covers(row[1]):
            continue  # outside the reader's window (before or after a transfer)
        teacher = short_name(row[8], row[9], row[10]) if row[8] is not None else None
        mark = DiaryMark(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5] or Decimal(1),
            bool(row[6]),
            row[7],
            teacher,
        )
        names[row[11]] = row[12]
        shown.setdefault(row[11], [])
        counted.setdefault(row[11], [])
        if start <= mark.date <= end:
            shown[row[11]].append(mark)
        if term.contains(mark.date) if term else start <= mark.date <= end:
            counted[row[11]].append((mark.numeric_value, mark.weight))
    subjects = []
    for sid in sorted(names, key=lambda s: (collation_key(names[s]), s)):
        average = weighted_average(counted[sid])
        subjects.append(
            DiarySubject(
                sid,
                names[sid],
                tuple(shown[sid]),
                average,
                suggested_mark(average, history.thresholds),
            )
        )
    return Diary(
        student_id, start, end, term, tuple(subjects), allowed if allowed.limited else None
    )
