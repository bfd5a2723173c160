"""``student_days_ahead`` (``/tomorrow``, ``/changes``) equals today's and the next school day's
timetables read one by one, in fewer statements (issue 14)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.models import AuditRecord, ChangeKind
from core.services.calendar import next_school_day
from core.services.timetable import DayTimetable, student_days_ahead, student_timetable
from tests.services.factory import READER, World, build_world

MON = date(2026, 11, 16)


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listener)


async def _one_by_one(
    session: AsyncSession, student_id: int, today: date
) -> tuple[DayTimetable, DayTimetable | None]:
    """What the handlers did before: two ``student_timetable`` and ``next_school_day``."""
    first = await student_timetable(session, student_id, today, READER)
    if first.class_id is None:
        return first, None
    following = await next_school_day(session, first.class_id, today)
    if following is None:
        return first, None
    return first, await student_timetable(session, student_id, following, READER)


async def _week(w: World) -> int:
    """7Б's week: lessons every day, groups, and every kind of change on Monday and Tuesday."""
    pupil = await w.student("Петров", "Борис", w.c7b)
    groups = [await w.group(w.c7b, f"Группа {n}", w.english) for n in (1, 2)]
    await w.join(groups[0], pupil)
    subjects = [w.algebra, w.english, w.physics, w.russian]
    for weekday in range(1, 7):
        for period in range(1, 6):
            await w.entry(w.c7b, subjects[(period + weekday) % 4], weekday, period, room="1")
        for group in groups:
            await w.entry(w.c7b, w.english, weekday, 6, teacher=w.petrova, group=group)
    await w.change(ChangeKind.SUBSTITUTION, w.c7b, MON, 1, teacher_id=w.yozhikov.id)
    await w.change(ChangeKind.CANCELLATION, w.c7b, MON + timedelta(days=1), 2)
    await w.change(ChangeKind.ROOM_CHANGE, w.c7b, MON + timedelta(days=1), 3, room="2")
    await w.change(
        ChangeKind.MOVED, w.c7b, MON, 4, moved_to_date=MON + timedelta(days=1), moved_to_period=7
    )
    return pupil.id


async def test_days_ahead_equal_the_timetables_read_one_by_one(session: AsyncSession) -> None:
    w = await build_world(session)
    pupil = await _week(w)
    # School days, a Saturday and a Sunday, the eve of the winter holidays and a day inside.
    days = [MON + timedelta(days=n) for n in range(7)] + [date(2026, 12, 26), date(2027, 1, 5)]
    for today in days:
        expected = await _one_by_one(session, pupil, today)
        assert await student_days_ahead(session, pupil, today, READER, with_today=True) == (
            expected
        )
        first, following = await student_days_ahead(session, pupil, today, READER, with_today=False)
        assert following == expected[1]
        assert (first.date, first.class_id, first.holiday) == (
            expected[0].date,
            expected[0].class_id,
            expected[0].holiday,
        )
    assert (await _one_by_one(session, pupil, MON))[1] is not None


async def test_days_ahead_audit_both_days_and_cost_fewer_statements(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    w = await build_world(session)
    pupil = await _week(w)
    await _one_by_one(session, pupil, MON)  # warm the connection up
    with counting(engine) as before:
        await _one_by_one(session, pupil, MON)
    start = len((await session.scalars(select(AuditRecord.id))).all())
    with counting(engine) as now:
        _first, following = await student_days_ahead(session, pupil, MON, READER, with_today=True)
    assert following is not None
    rows = (
        await session.execute(
            select(AuditRecord.action, AuditRecord.student_id, AuditRecord.details).order_by(
                AuditRecord.id
            )
        )
    ).all()[start:]
    assert [(r.action, r.student_id, r.details["on"]) for r in rows] == [
        ("read_timetable", pupil, MON.isoformat()),
        ("read_timetable", pupil, following.date.isoformat()),
    ]
    assert all(r.details["granted"] and r.details["permission"] == "timetable" for r in rows)
    # The student, the class, the holidays, the groups and the names once for both days.
    assert sum("FROM holidays" in s for s in now) == 1
    assert sum("FROM group_members" in s for s in now) == 1
    assert sum("FROM subjects" in s for s in now) == 1
    assert len(now) <= 17
    assert len(now) < len(before) - 8, (len(now), len(before))
