"""core.services.attendance: entries, totals, whole-day absences, comments kept back."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import AttendanceCode
from core.services.attendance import attendance
from tests.services.factory import READER, build_world

MON, TUE, WED, THU, FRI = (date(2026, 11, d) for d in range(16, 21))


async def test_attendance_entries_and_totals(session: AsyncSession) -> None:
    w = await build_world(session)
    group1 = await w.group(w.c7a, "Английский, группа 1", w.english)
    group2 = await w.group(w.c7a, "Английский, группа 2", w.english)
    anna = await w.student("Иванова", "Анна", w.c7a)
    await w.join(group1, anna)
    english_monday = await w.lesson(w.c7a, w.english, MON, 2, group=group1)
    # The journal's lessons on Tuesday: Анна takes 1, 2 (her group) and 3 - not group 2's 2.
    await w.lesson(w.c7a, w.algebra, TUE, 1)
    await w.lesson(w.c7a, w.english, TUE, 2, group=group1)
    await w.lesson(w.c7a, w.english, TUE, 2, group=group2)
    await w.lesson(w.c7a, w.physics, TUE, 3)
    await w.lesson(w.c7b, w.physics, TUE, 4)  # another class

    await w.absence(anna, MON, 1, AttendanceCode.ABSENT, subject=w.algebra)
    await w.absence(anna, MON, 2, AttendanceCode.ILL, lesson=english_monday, comment="ОРВИ")
    await w.absence(anna, TUE, None, AttendanceCode.ILL, comment="справка")  # the whole day
    await w.absence(anna, TUE, 1, AttendanceCode.EXCUSED, subject=w.algebra)  # counted once
    await w.absence(anna, WED, 3, AttendanceCode.LATE, subject=w.physics, minutes_late=10)
    await w.absence(anna, THU, 1, AttendanceCode.ABSENT, deleted=True)
    await w.absence(anna, date(2026, 11, 23), 1, AttendanceCode.ABSENT)  # after the range

    report = await attendance(session, anna.id, MON, FRI, READER)

    assert [(e.date, e.period, e.code, e.subject) for e in report.entries] == [
        (MON, 1, AttendanceCode.ABSENT, "Алгебра"),
        (MON, 2, AttendanceCode.ILL, "Английский язык"),  # the subject through the lesson
        (TUE, None, AttendanceCode.ILL, None),
        (TUE, 1, AttendanceCode.EXCUSED, "Алгебра"),
        (WED, 3, AttendanceCode.LATE, "Физика"),
    ]
    assert report.entries[-1].minutes_late == 10
    assert all(e.comment is None for e in report.entries)  # health data kept back
    totals = report.totals
    # Н: Monday 1. Б: Monday 2, and Tuesday's 2 and 3 (period 1 has its own entry). У: Tuesday 1.
    assert (totals.absent, totals.ill, totals.excused, totals.late) == (1, 3, 1, 1)
    assert (totals.lessons_missed, totals.days_with_absence) == (5, 2)


async def test_comments_only_on_request(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await w.student("Иванова", "Анна", w.c7a)
    await w.absence(anna, MON, 2, AttendanceCode.ILL, comment="ОРВИ")
    report = await attendance(session, anna.id, MON, FRI, READER, with_comments=True)
    assert [e.comment for e in report.entries] == ["ОРВИ"]


async def test_no_absences(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await w.student("Иванова", "Анна", w.c7a)
    report = await attendance(session, anna.id, MON, FRI, READER)
    assert report.entries == ()
    assert (report.totals.lessons_missed, report.totals.late, report.totals.days_with_absence) == (
        0,
        0,
        0,
    )
