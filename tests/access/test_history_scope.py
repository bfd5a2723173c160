"""Class and group scopes follow a pupil's history: a transfer splits it between the teachers.

Пётр moved from 7А to 7Б on TRANSFER (see :mod:`tests.access.history_world`): 7А's teachers
read what is dated in his time in 7А, 7Б's what is dated from TRANSFER, a group teacher what
is dated in his time in the group - through the services the chat calls, with a Reader. A span
across the transfer is limited to each side's days (:mod:`tests.access.test_history_windows`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.access.permissions import Permission
from core.access.policy import AccessDenied, can_read, readable
from core.db import create_sessionmaker
from core.models import AuditRecord, Enrolment, MovementKind
from core.reader import Reader
from core.services.attendance import attendance
from core.services.diary import diary
from core.services.homework import homework_by_subject
from tests.access import history_world
from tests.access.history_world import ACROSS, AFTER, BEFORE, TRANSFER, WEEK_AFTER, WEEK_BEFORE
from tests.access.world import TODAY, staff_reader, student_id
from tests.conftest import seeds
from tests.services.test_audit_and_statements import counting

M = Permission.MARKS
Span = tuple[date, date]


@pytest.fixture
@seeds(history_world.load)  # loaded once per worker into a template (tests/conftest.py)
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


async def marks_seen(session: AsyncSession, reader: Reader, span: Span) -> list[str] | None:
    """The values of Пётр's marks the diary shows the reader for the span; None when refused."""
    petr = await student_id(session, "S9")
    try:
        found = await diary(session, petr, span[0], span[1], reader)
    except AccessDenied:
        return None
    return [mark.value for subject in found.subjects for mark in subject.marks]


async def absences_seen(session: AsyncSession, reader: Reader, span: Span) -> list[date] | None:
    petr = await student_id(session, "S9")
    try:
        report = await attendance(session, petr, span[0], span[1], reader)
    except AccessDenied:
        return None
    return [entry.date for entry in report.entries]


async def homework_seen(session: AsyncSession, reader: Reader, span: Span) -> list[str] | None:
    petr = await student_id(session, "S9")
    try:
        subjects = await homework_by_subject(session, petr, span[0], span[1], reader)
    except AccessDenied:
        return None
    return [item.text for subject in subjects for item in subject.items]


async def test_the_import_recorded_the_transfer(session: AsyncSession) -> None:
    petr = await student_id(session, "S9")
    steps = (
        await session.execute(
            select(Enrolment.kind, Enrolment.happened_on)
            .where(Enrolment.student_id == petr)
            .order_by(Enrolment.happened_on)
        )
    ).all()
    assert [(kind, day) for kind, day in steps] == [
        (MovementKind.ENROLLED, date(2026, 9, 1)),
        (MovementKind.TRANSFERRED, TRANSFER),
    ]


async def test_the_old_class_teacher_reads_the_time_in_her_class_only(
    session: AsyncSession,
) -> None:
    krylova = await staff_reader(session, "T1")  # leads 7А
    assert await marks_seen(session, krylova, WEEK_BEFORE) == ["5"]
    assert await marks_seen(session, krylova, WEEK_AFTER) is None
    # A span reaching past the stay is limited to it, not refused.
    assert await marks_seen(session, krylova, ACROSS) == ["5"]
    assert await marks_seen(session, krylova, (AFTER, AFTER)) is None
    assert await marks_seen(session, krylova, (BEFORE, BEFORE)) == ["5"]


async def test_the_new_class_teacher_reads_from_the_transfer_date(session: AsyncSession) -> None:
    novikova = await staff_reader(session, "T11")  # leads 7Б
    assert await marks_seen(session, novikova, WEEK_AFTER) == ["3"]
    assert await marks_seen(session, novikova, (TRANSFER, TODAY)) == ["3"]
    assert await marks_seen(session, novikova, WEEK_BEFORE) is None
    assert await marks_seen(session, novikova, ACROSS) == ["3"]
    # The day before the transfer is still 7А's.
    day_before = (date(2026, 11, 15), date(2026, 11, 15))
    assert await marks_seen(session, novikova, day_before) is None


async def test_subject_teachers_of_either_class_are_split_the_same_way(
    session: AsyncSession,
) -> None:
    ryabova = await staff_reader(session, "T12")  # 7А by the timetable
    somov = await staff_reader(session, "T13")  # 7Б by the teaching load
    assert await absences_seen(session, ryabova, WEEK_BEFORE) == [BEFORE]
    assert await absences_seen(session, ryabova, WEEK_AFTER) is None
    assert await absences_seen(session, somov, WEEK_AFTER) == [AFTER]
    assert await absences_seen(session, somov, WEEK_BEFORE) is None
    assert await marks_seen(session, ryabova, WEEK_BEFORE) == ["5"]
    assert await marks_seen(session, somov, WEEK_BEFORE) is None
    # Across the transfer each side keeps its days.
    assert await absences_seen(session, ryabova, ACROSS) == [BEFORE]
    assert await absences_seen(session, somov, ACROSS) == [AFTER]


async def test_a_group_teacher_reads_the_time_in_the_group(session: AsyncSession) -> None:
    weber = await staff_reader(session, "T3")  # teaches 7А's English group 1 only
    assert await marks_seen(session, weber, WEEK_BEFORE) == ["5"]
    assert await marks_seen(session, weber, WEEK_AFTER) is None
    assert await marks_seen(session, weber, ACROSS) == ["5"]  # limited to his time in the group
    assert await absences_seen(session, weber, WEEK_BEFORE) == [BEFORE]
    # Анна stays in the group: her current reads are as before.
    anna = await student_id(session, "S1")
    assert await can_read(session, weber, M, anna, period=(date(2026, 9, 1), TODAY))


async def test_homework_follows_the_stay(session: AsyncSession) -> None:
    krylova = await staff_reader(session, "T1")
    novikova = await staff_reader(session, "T11")
    assert await homework_seen(session, krylova, WEEK_BEFORE) == ["До перевода"]
    assert await homework_seen(session, krylova, WEEK_AFTER) is None
    assert await homework_seen(session, novikova, WEEK_AFTER) == ["После перевода"]
    assert await homework_seen(session, novikova, WEEK_BEFORE) is None


async def test_the_current_class_case_is_unchanged(session: AsyncSession) -> None:
    krylova = await staff_reader(session, "T1")
    novikova = await staff_reader(session, "T11")
    anna, dmitry, petr = [await student_id(session, key) for key in ("S1", "S3", "S9")]
    # Today's lists: Пётр is 7Б's now, Анна and Дмитрий 7А's all along.
    assert await readable(session, krylova, M, (anna, dmitry, petr)) == {anna, dmitry}
    assert await readable(session, novikova, M, (anna, dmitry, petr)) == {petr}
    whole_year = (date(2026, 9, 1), TODAY)
    assert await readable(session, krylova, M, (anna, dmitry), period=whole_year) == {
        anna,
        dmitry,
    }
    found = await diary(session, anna, *whole_year, krylova)  # raises when refused
    assert [m.value for s in found.subjects for m in s.marks] == ["5", "4"]
    # People data (CLASS scope) of the current class too.
    assert await can_read(session, novikova, Permission.PEOPLE, petr)
    assert not await can_read(session, krylova, Permission.PEOPLE, petr)


async def test_a_refusal_outside_the_window_is_audited_like_any_other(
    session: AsyncSession,
) -> None:
    krylova = await staff_reader(session, "T1")
    petr = await student_id(session, "S9")
    assert await marks_seen(session, krylova, WEEK_AFTER) is None
    assert await marks_seen(session, krylova, WEEK_BEFORE) == ["5"]
    trail = (
        (
            await session.execute(
                select(AuditRecord)
                .where(AuditRecord.student_id == petr, AuditRecord.action == "read_diary")
                .order_by(AuditRecord.id)
            )
        )
        .scalars()
        .all()
    )
    details = [r.details or {} for r in trail]
    assert [
        (r.actor_staff_id, d["start"], d["granted"]) for r, d in zip(trail, details, strict=True)
    ] == [
        (krylova.staff_id, WEEK_AFTER[0].isoformat(), False),
        (krylova.staff_id, WEEK_BEFORE[0].isoformat(), True),
    ]


async def test_the_history_check_still_costs_two_statements(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    krylova = await staff_reader(session, "T1")
    ids = [await student_id(session, key) for key in ("S1", "S2", "S3", "S9")]
    await can_read(session, krylova, M, ids[0])  # warm the connection up

    async def count(call: Callable[[], Awaitable[Any]]) -> int:
        with counting(engine) as statements:
            await call()
        return len(statements)

    one = await count(lambda: can_read(session, krylova, M, ids[3], period=ACROSS))
    four = await count(lambda: readable(session, krylova, M, ids, period=ACROSS))
    assert one == four == 2
