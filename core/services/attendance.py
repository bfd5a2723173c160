"""Attendance of a student over a range: entries by date and period, and totals.

Absence comments are health data ("ОРВИ", a doctor's note): they are returned only when the
caller passes ``with_comments=True``, which only the family's own diary view does; the default
leaves ``AttendanceEntry.comment`` empty, so a push, a digest or a log can never carry one.

Totals count missed lessons per code (absent without reason, ill, excused; lateness is
counted apart and is no absence). An entry without a period is a whole-day absence: it counts
every lesson the journal holds for the student that day (their class, and their groups) not
already counted by an entry of its own; ``days_with_absence`` counts dates with any absence.
Deleted entries never appear. Audited as ``read_attendance``, for the reader's window of the
range (:func:`core.access.windows.authorize_span`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.windows import Clamp, authorize_span
from core.models import Attendance, AttendanceCode, Lesson, Subject
from core.reader import Reader
from core.services.groups import load_memberships
from core.services.school_data import load_history


@dataclass(frozen=True, slots=True)
class AttendanceEntry:
    date: date
    period: int | None  # None: the whole day
    code: AttendanceCode
    subject: str | None
    minutes_late: int | None
    comment: str | None  # health data: only filled with with_comments=True


@dataclass(frozen=True, slots=True)
class AttendanceTotals:
    absent: int  # lessons missed without a reason (Н)
    ill: int  # lessons missed ill (Б)
    excused: int  # lessons missed for a valid reason (У/П)
    late: int  # late arrivals (ОП)
    days_with_absence: int

    @property
    def lessons_missed(self) -> int:
        return self.absent + self.ill + self.excused


@dataclass(frozen=True, slots=True)
class AttendanceReport:
    student_id: int
    start: date
    end: date
    entries: tuple[AttendanceEntry, ...]  # by date, whole-day entries first, then by period
    totals: AttendanceTotals
    # The reader's window when less than the range (a class teacher after a pupil's transfer):
    # entries and totals cover only its days. None: the whole range.
    limit: Clamp | None = None


async def attendance(
    session: AsyncSession,
    student_id: int,
    start: date,
    end: date,
    reader: Reader,
    *,
    with_comments: bool = False,
) -> AttendanceReport:
    allowed = await authorize_span(
        session,
        reader,
        Permission.ATTENDANCE,
        student_id,
        start,
        end,
        action="read_attendance",
        details={"comments": with_comments},
    )
    history = await load_history(session, student_id)
    rows = (
        await session.execute(
            select(
                Attendance.date,
                Attendance.period,
                Attendance.code,
                Subject.name,
                Attendance.minutes_late,
                Attendance.comment,
                Lesson.period,
            )
            .outerjoin(Lesson, Lesson.id == Attendance.lesson_id)
            .outerjoin(
                Subject, Subject.id == func.coalesce(Attendance.subject_id, Lesson.subject_id)
            )
            .where(
                Attendance.student_id == student_id,
                Attendance.date.between(allowed.start, allowed.end),
                Attendance.deleted_at.is_(None),
            )
            .order_by(Attendance.date, Attendance.period, Attendance.id)
        )
    ).all()
    rows = [row for row in rows if allowed.covers(row[0])]  # the reader's windows only
    entries = tuple(
        AttendanceEntry(d, p if p is not None else lp, c, s, m, note if with_comments else None)
        for d, p, c, s, m, note, lp in rows
    )
    entries = tuple(sorted(entries, key=lambda e: (e.date, e.period is not None, e.period or 0)))
    missed: dict[AttendanceCode, int] = dict.fromkeys(AttendanceCode, 0)
    counted: set[tuple[date, int]] = set()
    whole_days: dict[date, AttendanceCode] = {}
    for entry in entries:
        if entry.code == AttendanceCode.LATE:
            missed[entry.code] += 1
        elif entry.period is None:
            whole_days.setdefault(entry.date, entry.code)
        elif (entry.date, entry.period) not in counted:
            counted.add((entry.date, entry.period))
            missed[entry.code] += 1
    if whole_days:
        memberships = await load_memberships(session, student_id)
        classes = {c for c in map(history.class_on, whole_days) if c is not None}
        lessons = await session.execute(
            select(Lesson.date, Lesson.period, Lesson.class_id, Lesson.group_id)
            .where(Lesson.class_id.in_(classes), Lesson.date.in_(list(whole_days)))
            .distinct()
        )
        for day, period, class_id, group_id in lessons:
            if (
                history.class_on(day) == class_id
                and memberships.sees(group_id, day)
                and (day, period) not in counted
            ):
                counted.add((day, period))
                missed[whole_days[day]] += 1
    totals = AttendanceTotals(
        absent=missed[AttendanceCode.ABSENT],
        ill=missed[AttendanceCode.ILL],
        excused=missed[AttendanceCode.EXCUSED],
        late=missed[AttendanceCode.LATE],
        days_with_absence=len({e.date for e in entries if e.code != AttendanceCode.LATE}),
    )
    return AttendanceReport(
        student_id, start, end, entries, totals, allowed if allowed.limited else None
    )
