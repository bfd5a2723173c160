"""Every read of a student's data is audited (flushed, not committed), and queries are bounded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.models import AuditRecord, ChangeKind, Student
from core.reader import Reader
from core.services.attendance import attendance
from core.services.attestation import attestation
from core.services.calendar import student_class_on
from core.services.debts import debts
from core.services.diary import diary
from core.services.events import upcoming_events
from core.services.homework import homework_by_subject, homework_due
from core.services.timetable import class_timetable, student_timetable, teacher_timetable
from core.services.topics import class_topics, student_topics
from tests.services.factory import READER, World, build_world

MON, FRI = date(2026, 11, 16), date(2026, 11, 20)
Call = Callable[[AsyncSession, World, Student], Awaitable[Any]]

STUDENT_READS: dict[str, Call] = {
    "read_diary": lambda s, w, st: diary(s, st.id, MON, FRI, READER),
    "read_attestation": lambda s, w, st: attestation(s, st.id, w.year.id, READER),
    "read_timetable": lambda s, w, st: student_timetable(s, st.id, MON, READER),
    "read_homework": lambda s, w, st: homework_due(s, st.id, MON, READER),
    "read_attendance": lambda s, w, st: attendance(s, st.id, MON, FRI, READER),
    "read_topics": lambda s, w, st: student_topics(s, st.id, w.algebra.id, MON, FRI, READER),
    "read_debts": lambda s, w, st: debts(s, st.id, MON, READER),
    "read_events": lambda s, w, st: upcoming_events(s, st.id, MON, READER),
    "read_placement": lambda s, w, st: student_class_on(s, st.id, MON, READER),
}


async def _audit_rows(session: AsyncSession) -> list[AuditRecord]:
    return list((await session.scalars(select(AuditRecord).order_by(AuditRecord.id))).all())


async def test_every_student_read_writes_one_audit_record(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await w.student("Иванова", "Анна", w.c7a)
    await w.mark(anna, w.algebra, MON, "5")
    for action, call in STUDENT_READS.items():
        before = len(await _audit_rows(session))
        await call(session, w, anna)
        rows = await _audit_rows(session)
        assert len(rows) == before + 1, action
        record = rows[-1]
        assert (
            record.action,
            record.student_id,
            record.school_id,
            record.actor_account_id,
            record.actor_staff_id,
            record.actor_label,
        ) == (action, anna.id, w.school.id, 101, None, "test")
    await homework_by_subject(
        session, anna.id, MON, FRI, Reader("cli", staff_id=w.petrova.id, system=True)
    )
    last = (await _audit_rows(session))[-1]
    assert (last.action, last.actor_label, last.actor_staff_id, last.actor_account_id) == (
        "read_homework",
        "cli",
        w.petrova.id,
        None,
    )
    assert last.details == {
        "start": "2026-11-16",
        "end": "2026-11-20",
        "subject_id": None,
        "permission": "homework",
        "granted": True,
    }


async def test_class_and_teacher_views_are_not_personal_data(session: AsyncSession) -> None:
    w = await build_world(session)
    await class_timetable(session, w.c7a.id, MON, READER)
    await teacher_timetable(session, w.petrova.id, MON, READER)
    await class_topics(session, w.c7a.id, w.algebra.id, MON, FRI, READER)
    assert await _audit_rows(session) == []


async def test_the_audit_record_is_flushed_not_committed(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await w.student("Иванова", "Анна", w.c7a)
    await session.commit()
    await diary(session, anna.id, MON, FRI, READER)
    assert session.in_transaction()
    assert len(await _audit_rows(session)) == 1  # visible in the caller's transaction
    await session.rollback()  # the caller decides
    assert await session.scalar(select(func.count()).select_from(AuditRecord)) == 0


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


async def _count(engine: AsyncEngine, call: Callable[[], Awaitable[Any]]) -> int:
    with counting(engine) as statements:
        await call()
    return len(statements)


async def test_diary_statements_do_not_grow_with_marks(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    w = await build_world(session)
    few = await w.student("Иванова", "Анна", w.c7a)
    many = await w.student("Петров", "Борис", w.c7a)
    await w.mark(few, w.algebra, MON, "5")
    subjects = [w.algebra, w.english, w.physics, w.russian]
    subjects += [await w.subject(f"Предмет {n}") for n in range(4)]
    teachers = [w.petrova, w.sidorov, w.yozhikov]
    for n, subject in enumerate(subjects):
        for day in range(16, 21):
            await w.mark(
                many,
                subject,
                date(2026, 11, day),
                "54321"[(n + day) % 5],
                work_type=(w.answer, w.control, None)[day % 3],
                teacher=teachers[(n + day) % 3],
            )
        await w.mark(many, subject, date(2026, 11, 5), "зач")  # in the term, before the range
    await diary(session, few.id, MON, FRI, READER)  # warm the connection up

    one = await _count(engine, lambda: diary(session, few.id, MON, FRI, READER))
    forty = await _count(engine, lambda: diary(session, many.id, MON, FRI, READER))

    result = await diary(session, many.id, MON, FRI, READER)
    assert sum(len(s.marks) for s in result.subjects) == 40
    assert one == forty
    assert forty <= 5


@pytest.mark.parametrize("view", ["student", "class", "teacher"])
async def test_timetable_statements_do_not_grow_with_lessons(
    session: AsyncSession, engine: AsyncEngine, view: str
) -> None:
    w = await build_world(session)
    # 7А: one lesson. 7Б: eight, in groups, with every kind of change; the same for teachers.
    await w.entry(w.c7a, w.algebra, 1, 1, teacher=w.sidorov)
    few = await w.student("Иванова", "Анна", w.c7a)
    many = await w.student("Петров", "Борис", w.c7b)
    groups = [await w.group(w.c7b, f"Группа {n}", w.english) for n in (1, 2)]
    await w.join(groups[0], many)
    subjects = [w.algebra, w.english, w.physics, w.russian]
    for period in range(1, 7):
        await w.entry(w.c7b, subjects[period % 4], 1, period, teacher=w.petrova, room="1")
    for group in groups:
        await w.entry(w.c7b, w.english, 1, 7, teacher=w.petrova, group=group)
    await w.change(ChangeKind.SUBSTITUTION, w.c7b, MON, 1, teacher_id=w.yozhikov.id)
    await w.change(ChangeKind.CANCELLATION, w.c7b, MON, 2)
    await w.change(ChangeKind.ROOM_CHANGE, w.c7b, MON, 3, room="2")
    await w.change(
        ChangeKind.MOVED, w.c7b, MON, 4, moved_to_date=date(2026, 11, 18), moved_to_period=1
    )
    await w.change(
        ChangeKind.EXTRA, w.c7b, MON, 8, subject_id=w.physics.id, teacher_id=w.petrova.id
    )
    call: Callable[[int], Awaitable[Any]]
    if view == "student":
        ids = (few.id, many.id)

        def call(ident: int) -> Awaitable[Any]:
            return student_timetable(session, ident, MON, READER)
    elif view == "class":
        ids = (w.c7a.id, w.c7b.id)

        def call(ident: int) -> Awaitable[Any]:
            return class_timetable(session, ident, MON, READER)
    else:
        ids = (w.sidorov.id, w.petrova.id)

        def call(ident: int) -> Awaitable[Any]:
            return teacher_timetable(session, ident, MON, READER)

    await call(ids[0])  # warm the connection up
    one = await _count(engine, lambda: call(ids[0]))
    eight = await _count(engine, lambda: call(ids[1]))

    assert len((await call(ids[1])).lessons) >= 7
    assert one == eight
    assert eight <= 12
