"""Report figures on the demo school (SQLite): each report's time, target under 2 s each.

The demo gymnasium (about 700 pupils, today 30.11.2026, its second quarter under way) is
generated and imported into a temporary SQLite file; then, as the administration
(``Reader.operator``): by marks for one class, a parallel (all 7th grades) and the whole school;
by pupils and attendance for one class; a teacher's analysis (by marks over their load and
their journal keeping) for the teacher with the most timetable slots; each for the current
quarter and for the year.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import migrate
from core.db import create_engine, create_sessionmaker
from core.demo import generate
from core.exchange import service
from core.models import SchoolClass, TimetableEntry
from core.reader import Reader
from core.reports.attendance import class_attendance
from core.reports.by_marks import by_marks, parallel_classes, school_classes
from core.reports.by_pupils import by_pupils
from core.reports.period import ReportPeriod
from core.reports.teacher import teacher_report

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
TARGET_SECONDS = 2.0


async def run() -> None:
    tables = generate(seed=1, today=TODAY)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        engine = create_engine(url)
        sessions = create_sessionmaker(engine)
        await service.import_rows(sessions, tables, now=NOW, today=TODAY)
        reader = Reader.operator("bench")
        async with sessions() as session:
            first = (
                await session.execute(
                    select(SchoolClass.id, SchoolClass.academic_year_id, SchoolClass.grade)
                    .where(SchoolClass.grade == 7)
                    .order_by(SchoolClass.name)
                    .limit(1)
                )
            ).one()
            class_id, year_id = first[0], first[1]
            parallel = await parallel_classes(session, year_id, 7)
            everyone = await school_classes(session, year_id)
            teacher = (
                await session.execute(
                    select(TimetableEntry.teacher_id)
                    .where(TimetableEntry.teacher_id.is_not(None))
                    .group_by(TimetableEntry.teacher_id)
                    .order_by(func.count().desc(), TimetableEntry.teacher_id)
                    .limit(1)
                )
            ).scalar_one()
            if teacher is None:
                raise RuntimeError("the demo school has no teacher in its timetable")
        print(f"demo school: {len(everyone)} classes, {len(parallel)} in the 7th parallel")
        for label, period in (("quarter 2", ReportPeriod.term(2)), ("year", ReportPeriod.year())):
            cases: list[tuple[str, Callable[[AsyncSession], Awaitable[object]]]] = [
                ("by marks, class", partial(_marks, [class_id], period, reader)),
                ("by marks, parallel", partial(_marks, parallel, period, reader)),
                ("by marks, school", partial(_marks, everyone, period, reader)),
                ("by pupils, class", partial(_pupils, class_id, period, reader)),
                ("attendance, class", partial(_attendance, class_id, period, reader)),
                ("teacher's analysis", partial(_teacher, teacher, period, reader)),
            ]
            for name, call in cases:
                async with sessions() as session:
                    started = time.perf_counter()
                    await call(session)
                    elapsed = time.perf_counter() - started
                    await session.rollback()
                verdict = "ok" if elapsed < TARGET_SECONDS else "SLOW"
                print(f"{name} ({label}): {elapsed:.3f} s {verdict}")
        await engine.dispose()


async def _marks(
    classes: list[int], period: ReportPeriod, reader: Reader, session: AsyncSession
) -> object:
    return await by_marks(session, classes, period, reader, on=TODAY)


async def _pupils(
    class_id: int, period: ReportPeriod, reader: Reader, session: AsyncSession
) -> object:
    return await by_pupils(session, class_id, period, reader, on=TODAY)


async def _attendance(
    class_id: int, period: ReportPeriod, reader: Reader, session: AsyncSession
) -> object:
    return await class_attendance(session, class_id, period, reader, on=TODAY)


async def _teacher(
    staff_id: int, period: ReportPeriod, reader: Reader, session: AsyncSession
) -> object:
    return await teacher_report(session, reader, staff_id, period, on=TODAY)
