"""A read across a pupil's transfer is limited to the reader's window, not refused.

Пётр moves from 7А (led by T1 Крылова) to 7Б (led by T11 Новикова) on Wednesday MIDWEEK (see
:mod:`tests.access.history_world`). In that week Крылова reads his Monday and Tuesday, Новикова
from the Wednesday; the term average of each counts only their days; the class summaries and
absence reasons go by the date; his guardian and the admin read everything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.access.classes import authorize_class
from core.access.permissions import Permission
from core.access.policy import AccessDenied
from core.access.windows import Clamp, authorize_span, reader_windows
from core.db import create_sessionmaker
from core.models import AttendanceCode, AuditRecord, SchoolClass
from core.reader import Reader
from core.services.attendance import attendance
from core.services.attestation import attestation
from core.services.class_summary import class_summary
from core.services.diary import diary
from core.services.homework import homework_by_subject
from core.services.progress import progress
from core.teaching.dto import Refusal, WriteRefused
from core.teaching.reasons import absences_without_reason, set_day_reason
from tests.access import history_world
from tests.access.history_world import homework_row, mark_row
from tests.access.world import TODAY, guardian_reader, staff_reader, student_id
from tests.conftest import seeds
from tests.services.test_audit_and_statements import counting

MIDWEEK = date(2026, 11, 18)  # a Wednesday
WEEK = (date(2026, 11, 16), date(2026, 11, 22))
TUESDAY, THURSDAY, FRIDAY = date(2026, 11, 17), date(2026, 11, 19), date(2026, 11, 20)
Q2 = (date(2026, 11, 9), date(2026, 12, 27))


def _term_mark(key: str, term: str, value: str) -> dict[str, str]:
    return {
        "id": key,
        "student": "S9",
        "subject": "ALG",
        "kind": "term",
        "term": term,
        "year": "Y",
        "value": value,
    }


# Besides history_world's (10 Nov "5" in 7А, 20 Nov "3" in 7Б, absences on both days):
MORE: history_world.Rows = {
    "marks": [mark_row("M93", TUESDAY, "4", "T1"), mark_row("M94", THURSDAY, "2", "T11")],
    "attendance": [
        {"id": "A93", "student": "S9", "date": TUESDAY.isoformat(), "period": "1", "code": "Н"},
        {"id": "A94", "student": "S9", "date": THURSDAY.isoformat(), "period": "1", "code": "Н"},
    ],
    "homework": [
        homework_row("HW93", "C7A", TUESDAY, "7А, вторник"),
        homework_row("HW94", "C7A", THURSDAY, "7А, четверг"),
        homework_row("HW95", "C7B", TUESDAY, "7Б, вторник"),
        homework_row("HW96", "C7B", THURSDAY, "7Б, четверг"),
    ],
    "attestation": [_term_mark("AT91", "Q1", "5"), _term_mark("AT92", "Q2", "3")],
    "guardians": [
        {
            "id": "G9",
            "last_name": "Переводова",
            "first_name": "Анна",
            "phone": "+79220000009",
            "students": "S9",
            "relation": "mother",
        }
    ],
}


async def _load(sessions: async_sessionmaker[AsyncSession]) -> None:
    await history_world.load(sessions, MIDWEEK, MORE)


@pytest.fixture
@seeds(_load)  # loaded once per worker into a template every test copies (tests/conftest.py)
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


async def readers(session: AsyncSession) -> dict[str, Reader]:
    return {
        "old": await staff_reader(session, "T1"),  # leads 7А
        "new": await staff_reader(session, "T11"),  # leads 7Б
        "guardian": await guardian_reader(session, "G9"),
        "admin": await staff_reader(session, "T9"),
    }


async def _class(session: AsyncSession, key: str) -> int:
    found: int = (
        await session.execute(select(SchoolClass.id).where(SchoolClass.external_id == key))
    ).scalar_one()
    return found


async def test_the_week_of_a_midweek_transfer_is_split_between_the_class_teachers(
    session: AsyncSession,
) -> None:
    petr = await student_id(session, "S9")
    seen = {}
    limits = {}
    for who, reader in (await readers(session)).items():
        week = await diary(session, petr, *WEEK, reader)
        seen[who] = [(m.date, m.value) for s in week.subjects for m in s.marks]
        limits[who] = week.limit.windows if week.limit else None
    assert seen["old"] == [(TUESDAY, "4")]
    assert seen["new"] == [(THURSDAY, "2"), (FRIDAY, "3")]
    assert seen["guardian"] == seen["admin"] == [(TUESDAY, "4"), (THURSDAY, "2"), (FRIDAY, "3")]
    # The windows over the week and its term: the old side up to the day before the transfer.
    assert limits["old"] == ((Q2[0], TUESDAY),)
    assert limits["new"] == ((MIDWEEK, Q2[1]),)
    assert limits["guardian"] is None
    assert limits["admin"] is None


async def test_each_term_average_counts_only_the_readers_window(session: AsyncSession) -> None:
    petr = await student_id(session, "S9")
    averages = {}
    for who, reader in (await readers(session)).items():
        week = await diary(session, petr, *WEEK, reader)
        assert week.term is not None
        assert week.term.name == "2 четверть"
        averages[who] = [(s.subject, s.average, s.suggested_mark) for s in week.subjects]
    # 10 Nov "5" and 17 Nov "4" were 7А's; 19 Nov "2" and 20 Nov "3" are 7Б's.
    assert averages["old"] == [("Алгебра", Decimal("4.50"), 5)]
    assert averages["new"] == [("Алгебра", Decimal("2.50"), 3)]
    assert averages["guardian"] == averages["admin"] == [("Алгебра", Decimal("3.50"), 4)]


async def test_the_progress_chart_counts_only_the_readers_window(session: AsyncSession) -> None:
    petr = await student_id(session, "S9")
    found = {}
    for who, reader in (await readers(session)).items():
        chart = await progress(session, petr, FRIDAY, reader)
        found[who] = [s.average for s in chart.subjects]
    assert found["old"] == [Decimal("4.50")]
    assert found["new"] == [Decimal("2.50")]
    assert found["guardian"] == [Decimal("3.50")]


async def test_attendance_of_the_week_is_split_and_audited_for_the_window(
    session: AsyncSession,
) -> None:
    petr = await student_id(session, "S9")
    r = await readers(session)
    days = {}
    for who, reader in r.items():
        report = await attendance(session, petr, *WEEK, reader)
        days[who] = ([e.date for e in report.entries], report.totals.absent)
    assert days["old"] == ([TUESDAY], 1)
    assert days["new"] == ([THURSDAY, FRIDAY], 2)
    assert days["guardian"] == days["admin"] == ([TUESDAY, THURSDAY, FRIDAY], 3)
    trail = [
        (record.actor_staff_id, record.details)
        for record in await session.scalars(
            select(AuditRecord)
            .where(AuditRecord.student_id == petr, AuditRecord.action == "read_attendance")
            .order_by(AuditRecord.id)
        )
    ]
    old, new, guardian, admin = (details or {} for _staff, details in trail)
    asked = [WEEK[0].isoformat(), WEEK[1].isoformat()]
    assert (old["start"], old["end"], old["requested"]) == (
        WEEK[0].isoformat(),
        TUESDAY.isoformat(),
        asked,
    )
    assert (new["start"], new["end"], new["requested"]) == (
        MIDWEEK.isoformat(),
        WEEK[1].isoformat(),
        asked,
    )
    assert (guardian["start"], guardian["end"]) == tuple(asked)
    assert "requested" not in guardian
    assert "requested" not in admin
    assert all(d["granted"] for d in (old, new, guardian, admin))


async def test_homework_of_the_week_follows_the_class_of_each_day(session: AsyncSession) -> None:
    petr = await student_id(session, "S9")
    r = await readers(session)

    async def texts(reader: Reader) -> list[str]:
        found = await homework_by_subject(session, petr, *WEEK, reader)
        return [item.text for subject in found for item in subject.items]

    assert await texts(r["old"]) == ["7А, вторник"]
    assert await texts(r["new"]) == ["7Б, четверг", "После перевода"]
    assert await texts(r["guardian"]) == ["7А, вторник", "7Б, четверг", "После перевода"]


async def test_a_window_left_empty_is_refused_and_audited(session: AsyncSession) -> None:
    petr = await student_id(session, "S9")
    r = await readers(session)
    with pytest.raises(AccessDenied):
        await diary(session, petr, FRIDAY, FRIDAY, r["old"])
    with pytest.raises(AccessDenied):
        await attendance(session, petr, TUESDAY, TUESDAY, r["new"])
    refused = [
        (record.action, (record.details or {})["granted"], (record.details or {})["start"])
        for record in await session.scalars(
            select(AuditRecord).where(AuditRecord.student_id == petr).order_by(AuditRecord.id)
        )
    ]
    assert refused == [
        ("read_diary", False, FRIDAY.isoformat()),
        ("read_attendance", False, TUESDAY.isoformat()),
    ]


async def test_term_marks_go_with_the_class_the_term_ended_in(session: AsyncSession) -> None:
    petr = await student_id(session, "S9")
    r = await readers(session)
    year = (await attestation(session, petr, await _year(session), r["guardian"])).academic_year_id
    columns = {}
    for who, reader in r.items():
        found = await attestation(session, petr, year, reader)
        columns[who] = [tuple(v.value if v else None for v in s.terms[:2]) for s in found.subjects]
    # Q1 ended on 30 October in 7А; Q2 ends on 27 December in 7Б.
    assert columns["old"] == [("5", None)]
    assert columns["new"] == [(None, "3")]
    assert columns["guardian"] == columns["admin"] == [("5", "3")]


async def _year(session: AsyncSession) -> int:
    found: int = (
        await session.execute(
            select(SchoolClass.academic_year_id).where(SchoolClass.external_id == "C7A")
        )
    ).scalar_one()
    return found


async def test_class_summaries_count_a_transferred_pupil_by_date(session: AsyncSession) -> None:
    r = await readers(session)
    petr = await student_id(session, "S9")
    c7a, c7b = await _class(session, "C7A"), await _class(session, "C7B")

    async def absent(class_id: int, on: date, reader: Reader) -> list[int]:
        summary = await class_summary(session, class_id, on, reader)
        return [a.student_id for a in summary.absent if a.student_id == petr]

    assert await absent(c7a, TUESDAY, r["old"]) == [petr]  # still 7А's on Tuesday
    assert await absent(c7b, TUESDAY, r["new"]) == []
    assert await absent(c7b, THURSDAY, r["new"]) == [petr]
    assert await absent(c7a, THURSDAY, r["old"]) == []
    old = await class_summary(session, c7a, THURSDAY, r["old"])
    new = await class_summary(session, c7b, THURSDAY, r["new"])
    # 7А's week and term count Пётр's marks up to Tuesday, 7Б's from Wednesday.
    assert [(f.marks, f.average) for f in old.week] == [(1, Decimal("4.00"))]
    assert [(f.marks, f.average) for f in new.week] == [(2, Decimal("2.50"))]
    assert [(f.marks, f.average) for f in new.term_averages] == [(2, Decimal("2.50"))]
    assert new.students == 1
    assert petr not in await authorize_class(session, r["old"], Permission.MARKS, c7a, action="x")


async def test_absence_reasons_go_by_the_date_of_the_absence(session: AsyncSession) -> None:
    r = await readers(session)
    petr = await student_id(session, "S9")
    c7a, c7b = await _class(session, "C7A"), await _class(session, "C7B")
    old_days = await absences_without_reason(session, r["old"], c7a, *WEEK)
    new_days = await absences_without_reason(session, r["new"], c7b, *WEEK)
    assert [(d.student_id, d.day) for d in old_days] == [(petr, TUESDAY)]
    assert [(d.student_id, d.day) for d in new_days] == [(petr, THURSDAY), (petr, FRIDAY)]
    done = await set_day_reason(session, r["old"], petr, TUESDAY, AttendanceCode.ILL, today=TODAY)
    assert done.changed == 1
    with pytest.raises(WriteRefused) as refused:
        await set_day_reason(session, r["old"], petr, THURSDAY, AttendanceCode.ILL, today=TODAY)
    assert refused.value.refusal == Refusal.NOT_YOURS
    with pytest.raises(WriteRefused):
        await set_day_reason(session, r["new"], petr, TUESDAY, AttendanceCode.ILL, today=TODAY)
    assert (
        await set_day_reason(session, r["new"], petr, THURSDAY, AttendanceCode.ILL, today=TODAY)
    ).changed == 1


async def test_a_whole_span_grant_costs_what_the_check_did(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    r = await readers(session)
    petr = await student_id(session, "S9")
    await reader_windows(session, r["guardian"], Permission.MARKS, petr, *WEEK)  # warm up
    with counting(engine) as statements:
        whole = await reader_windows(session, r["guardian"], Permission.MARKS, petr, *WEEK)
    assert whole == Clamp.whole(*WEEK)
    assert len(statements) == 2
    with counting(engine) as statements:
        split = await authorize_span(
            session, r["new"], Permission.MARKS, petr, *WEEK, action="read_diary"
        )
    # The check, the cut dates, one check per piece, the audit record.
    assert split.windows == ((MIDWEEK, WEEK[1]),)
    assert len(statements) == 6


def test_a_clamp_seen_over_a_part_of_its_span() -> None:
    clamp = Clamp(Q2, ((Q2[0], TUESDAY), (FRIDAY, Q2[1])))
    assert clamp.limited
    assert not clamp.empty
    assert (clamp.start, clamp.end) == Q2
    assert clamp.covers(TUESDAY)
    assert not clamp.covers(MIDWEEK)
    assert not clamp.covers(THURSDAY)
    week = clamp.within(*WEEK)
    assert week.windows == ((WEEK[0], TUESDAY), (FRIDAY, WEEK[1]))
    assert clamp.within(MIDWEEK, THURSDAY).empty
    assert not Clamp.whole(*WEEK).limited
