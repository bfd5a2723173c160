"""Schema figures: migration time, bulk mark writes, and the diary's hot lookup on an index."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

from core import migrate
from core.db import create_engine, create_sessionmaker
from core.models import AcademicYear, Mark, School, SchoolClass, Student, Subject

STUDENTS = 1_000
MARKS_PER_STUDENT = 100


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        await asyncio.to_thread(migrate.upgrade, url)
        print(f"migrate empty SQLite to head: {time.perf_counter() - started:.2f} s")

        engine = create_engine(url)
        async with create_sessionmaker(engine)() as session:
            school = School(name="Bench", short_name="B")
            session.add(school)
            await session.flush()
            year = AcademicYear(
                school_id=school.id,
                name="2026/2027",
                starts_on=date(2026, 9, 1),
                ends_on=date(2027, 5, 31),
            )
            session.add(year)
            await session.flush()
            school_class = SchoolClass(
                school_id=school.id, academic_year_id=year.id, grade=7, letter="А", name="7А"
            )
            subjects = [Subject(school_id=school.id, name=f"Subject {i}") for i in range(12)]
            session.add_all([school_class, *subjects])
            await session.flush()
            students = [
                Student(
                    school_id=school.id, last_name=f"L{i}", first_name="F", class_id=school_class.id
                )
                for i in range(STUDENTS)
            ]
            session.add_all(students)
            await session.flush()
            rng = random.Random(1)
            rows = [
                {
                    "school_id": school.id,
                    "student_id": student.id,
                    "subject_id": rng.choice(subjects).id,
                    "date": date(2026, 9, 1) + timedelta(days=rng.randrange(120)),
                    "value": str(value := rng.choice([2, 3, 4, 4, 5, 5])),
                    "numeric_value": value,
                }
                for student in students
                for _ in range(MARKS_PER_STUDENT)
            ]
            started = time.perf_counter()
            await session.execute(insert(Mark), rows)
            await session.commit()
            elapsed = time.perf_counter() - started
            print(f"insert {len(rows):,} marks: {elapsed:.2f} s ({len(rows) / elapsed:,.0f}/s)")

            query = (
                select(Mark)
                .where(Mark.student_id == students[500].id)
                .where(Mark.date.between(date(2026, 11, 23), date(2026, 11, 29)))
            )
            plan = await session.execute(
                text(
                    "EXPLAIN QUERY PLAN "
                    + str(query.compile(compile_kwargs={"literal_binds": True}))
                )
            )
            print("week of marks plan:", " | ".join(str(row[-1]) for row in plan))
            started = time.perf_counter()
            for student in students[:500]:
                (
                    await session.execute(
                        select(Mark)
                        .where(Mark.student_id == student.id)
                        .where(Mark.date.between(date(2026, 11, 23), date(2026, 11, 29)))
                    )
                ).scalars().all()
            elapsed = (time.perf_counter() - started) / 500
            print(f"one student's week of marks: {elapsed * 1000:.2f} ms per query")
        await engine.dispose()
