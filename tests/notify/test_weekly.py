"""The Sunday summary: the tiny school (tests/bot/school.py) with a few more marks and absences.

Анна (7А) in the week of 30 November – 6 December 2026, worked out by hand:

* Алгебра: 5 on 23.11 makes 5.00 on Sunday 29.11; the week brings the control 4 (weight 2) and
  a 3: (5 + 8 + 3) / 4 = 4.00, down. The 2 of 07.12 is next week's; the 2 of 15.10 is Q1's.
* Русский язык: 3 on 16.11 makes 3.00; the week brings a control 5 and a 4 on Saturday:
  (3 + 10 + 4) / 4 = 4.25, up.
* Физическая культура: a pass (зач) on 03.12, which never enters an average.
* История: 5 on 10.11 and 4 on 20.11, nothing in the week: left out.
* Attendance: absent without a reason from Monday's lesson 2 (school.py), ill the whole Tuesday
  (two lessons in the journal; the comment «ОРВИ, справка» is health data), late on Wednesday.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import create_i18n
from core.access.policy import AccessDenied
from core.db import create_sessionmaker
from core.exchange import service
from core.models import AuditRecord, Guardian
from core.notify.weekly import WeeklyChild, WeeklySubject, weekly_summary
from core.reader import Reader
from handlers.views.limits import MESSAGE_LIMIT, visible_length
from handlers.views.weekly import weekly_view
from tests.bot import school
from tests.bot.helpers import student_id
from tests.conftest import seeds
from tests.fake_telegram.html_text import parse_html
from tests.services.test_audit_and_statements import counting

WEEK = date(2026, 11, 30)
SUNDAY = date(2026, 12, 6)
OPERATOR = Reader.operator("test")
HEALTH = "ОРВИ, справка"

ALGEBRA = WeeklySubject("Алгебра", ("4", "3"), Decimal("4.00"), Decimal("5.00"))
RUSSIAN = WeeklySubject("Русский язык", ("5", "4"), Decimal("4.25"), Decimal("3.00"))
PE = WeeklySubject("Физическая культура", ("зач",), None, None)


def _mark(key: str, subject: str, day: str, value: str, work: str = "ANS") -> dict[str, str]:
    return {
        "id": key,
        "student": "S1",
        "subject": subject,
        "date": day,
        "value": value,
        "work_type": work,
        "teacher": "T1",
    }


def _lesson(key: str, klass: str, period: str) -> dict[str, str]:
    return {"id": key, "date": "2026-12-01", "period": period, "class": klass, "subject": "ALG"}


def tables() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = dict(school.tables())
    data["subjects"] += [
        {"id": "PE", "name": "Физическая культура"},
        {"id": "HIS", "name": "История"},
    ]
    data["marks"] += [
        _mark("W1", "ALG", "2026-12-07", "2"),  # next week: never counted
        _mark("W2", "ALG", "2026-10-15", "2"),  # Q1
        _mark("W3", "ALG", "2026-10-27", "4"),  # Q1's last week (Q1 ends on Friday 30.10)
        _mark("W4", "RUS", "2026-11-16", "3"),
        _mark("W5", "RUS", "2026-12-02", "5", "CTRL"),
        _mark("W6", "RUS", "2026-12-05", "4"),  # Saturday
        _mark("W7", "PE", "2026-12-03", "зач", ""),
        _mark("W8", "HIS", "2026-11-10", "5"),  # the first week of Q2
        _mark("W9", "HIS", "2026-11-20", "4"),
    ]
    data["lessons"] = [
        _lesson("L1", "C7A", "1"),
        _lesson("L2", "C7A", "2"),
        _lesson("L3", "C5B", "1"),  # another class: not Анна's
    ]
    data["attendance"] += [
        {"id": "W-A1", "student": "S1", "date": "2026-12-01", "code": "Б", "comment": HEALTH},
        {"id": "W-A2", "student": "S1", "date": "2026-12-02", "period": "1", "code": "ОП"},
        {"id": "W-A3", "student": "S3", "date": "2026-12-02", "period": "2", "code": "Н"},
    ]
    return data


async def _import(
    sessions: async_sessionmaker[AsyncSession], data: dict[str, list[dict[str, Any]]]
) -> None:
    await service.import_rows(sessions, data, now=school.NOW, today=school.TODAY)


async def _load(sessions: async_sessionmaker[AsyncSession]) -> None:
    await _import(sessions, tables())


@pytest.fixture
@seeds(_load)  # loaded once per worker into a template every test copies (tests/conftest.py)
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


async def summary(
    sessions: async_sessionmaker[AsyncSession], week: date = WEEK, reader: Reader = OPERATOR
) -> WeeklyChild:
    anna = await student_id(sessions, "S1")
    async with sessions() as session:
        return await weekly_summary(session, reader, anna, week)


async def guardian(sessions: async_sessionmaker[AsyncSession], key: str) -> Reader:
    async with sessions() as session:
        found = (
            await session.execute(select(Guardian.id).where(Guardian.external_id == key))
        ).one()
    return Reader("telegram", account_id=7, guardian_ids=(found[0],), today=SUNDAY)


async def audit(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, int | None, Any]]:
    async with sessions() as session:
        rows = await session.execute(
            select(AuditRecord.action, AuditRecord.student_id, AuditRecord.details).order_by(
                AuditRecord.id
            )
        )
        return [(action, student, details) for action, student, details in rows]


def render(children: Sequence[WeeklyChild], locale: str = "en") -> str:
    i18n = create_i18n("ru")
    with i18n.context(), i18n.use_locale(locale):
        text = weekly_view(children)
    parse_html(text)  # raises on HTML Telegram would refuse
    return text


# The service


async def test_the_week_of_30_november(sessions: async_sessionmaker[AsyncSession]) -> None:
    child = await summary(sessions)

    assert child == WeeklyChild(
        student_id=await student_id(sessions, "S1"),
        first_name="Анна",
        week_start=WEEK,
        week_end=SUNDAY,
        subjects=(ALGEBRA, RUSSIAN, PE),  # История: no marks this week, no change
        lessons_missed=3,  # Monday's lesson 2, Tuesday's two lessons
        missed_unexcused=1,
        late=1,
    )
    assert [s.trend for s in child.subjects] == [-1, 1, 0]
    assert HEALTH not in repr(child)


async def test_the_first_week_of_a_term_has_no_previous_average(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # Q2 starts on Monday 09.11; the Sunday before is in the autumn holidays.
    child = await summary(sessions, date(2026, 11, 9))

    assert child.subjects == (WeeklySubject("История", ("5",), Decimal("5.00"), None),)
    assert child.subjects[0].trend == 0
    assert (child.lessons_missed, child.missed_unexcused, child.late) == (0, 0, 0)


async def test_a_term_ending_on_friday_still_has_its_last_week(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # Q1 ends on Friday 30.10; the week's Sunday is in the holidays: Q1's marks still count.
    child = await summary(sessions, date(2026, 10, 26))

    assert child.subjects == (WeeklySubject("Алгебра", ("4",), Decimal("3.00"), Decimal("2.00")),)
    assert child.subjects[0].trend == 1


async def test_a_deleted_mark_is_neither_listed_nor_counted(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    data = tables()
    data["marks"].append(_mark("W10", "ALG", "2026-12-04", "2", "CTRL"))
    await _import(sessions, data)
    added = (await summary(sessions)).subjects[0]
    assert (added.marks, added.average) == (("4", "3", "2"), Decimal("3.33"))

    data["marks"][-1]["deleted"] = "1"
    await _import(sessions, data)
    assert (await summary(sessions)).subjects[0] == ALGEBRA


async def test_a_week_starts_on_a_monday(sessions: async_sessionmaker[AsyncSession]) -> None:
    with pytest.raises(ValueError, match="Monday"):
        await summary(sessions, date(2026, 12, 1))


async def test_trend_compares_the_two_averages() -> None:
    assert WeeklySubject("А", (), Decimal("4.01"), Decimal("4.00")).trend == 1
    assert WeeklySubject("А", (), Decimal("3.99"), Decimal("4.00")).trend == -1
    assert WeeklySubject("А", ("5",), Decimal("4.00"), Decimal("4.00")).trend == 0
    assert WeeklySubject("А", ("5",), Decimal("5.00"), None).trend == 0


# Access and audit


async def test_a_guardian_reads_her_child_and_both_reads_are_audited(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    olga = await guardian(sessions, "G1")
    anna = await student_id(sessions, "S1")
    async with sessions() as session:
        child = await weekly_summary(session, olga, anna, WEEK)
        await session.commit()  # the caller owns the transaction, audit records included

    assert child.subjects == (ALGEBRA, RUSSIAN, PE)
    trail = await audit(sessions)
    assert [(action, student) for action, student, _ in trail] == [
        ("read_attendance", anna),
        ("read_diary", anna),
    ]
    assert [(d["permission"], d["granted"]) for _, _, d in trail] == [
        ("attendance", True),
        ("marks", True),
    ]
    assert trail[0][2]["comments"] is False  # the attendance is read without reasons


async def test_another_family_is_refused_and_the_refusal_is_audited(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    pavel = await guardian(sessions, "G2")  # Дмитрий's father
    anna = await student_id(sessions, "S1")
    async with sessions() as session:
        with pytest.raises(AccessDenied):
            await weekly_summary(session, pavel, anna, WEEK)
        await session.commit()

    trail = await audit(sessions)
    assert len(trail) == 1  # refused at the first check: nothing else was read
    action, student, details = trail[0]
    assert (action, student, details["granted"]) == ("read_attendance", anna, False)


async def test_a_student_reads_his_own_week_and_not_a_classmates(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    dmitry_id = await student_id(sessions, "S3")
    dmitry = Reader("telegram", account_id=8, student_id=dmitry_id, today=SUNDAY)
    async with sessions() as session:
        own = await weekly_summary(session, dmitry, dmitry_id, WEEK)
        with pytest.raises(AccessDenied):
            await weekly_summary(session, dmitry, await student_id(sessions, "S1"), WEEK)

    assert own.first_name == "Дмитрий"
    # His only mark of the term is the 2 of 30.11: nothing before it to compare with.
    assert own.subjects == (WeeklySubject("Алгебра", ("2",), Decimal("2.00"), None),)
    assert (own.lessons_missed, own.missed_unexcused, own.late) == (1, 1, 0)


# Statements


async def test_statements_do_not_grow_with_subjects_and_marks(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    olga = await guardian(sessions, "G1")
    anna = await student_id(sessions, "S1")

    async def count() -> int:
        async with sessions() as session:
            with counting(engine) as statements:
                await weekly_summary(session, olga, anna, WEEK)
        return len(statements)

    await count()  # warm the connection up
    few = await count()
    data = tables()
    extra = [{"id": f"X{n}", "name": f"Предмет {n}"} for n in range(8)]
    data["subjects"] += extra
    data["marks"] += [
        _mark(
            f"MX{n}-{day}", subject["id"], f"2026-1{1 if day > 6 else 2}-{day:02}", "54321"[n % 5]
        )
        for n, subject in enumerate(extra)
        for day in (16, 23, 30, 1, 2, 3, 4)
    ]
    await _import(sessions, data)
    many = await count()

    assert len((await summary(sessions)).subjects) == 3 + 8
    assert few == many
    assert many <= 16


# Rendering


async def test_the_view_of_the_week(sessions: async_sessionmaker[AsyncSession]) -> None:
    text = render([await summary(sessions)])

    assert text.splitlines() == [
        "<b>Weekly summary</b> · 30 November – 6 December",
        "",
        "<b>Анна</b>",
        "Алгебра: 4 3 · avg. 4.00 ▼ (was 5.00)",
        "Русский язык: 5 4 · avg. 4.25 ▲ (was 3.00)",
        "Физическая культура: зач",
        "Missed 3 lessons, of them without a valid reason: 1",
        "Late 1 time",
    ]


async def test_the_view_in_russian_never_shows_an_absence_reason(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    text = render([await summary(sessions)], "ru")

    assert "30 ноября – 6 декабря" in text
    assert "Алгебра: 4 3 · ср. 4,00 ▼" in text
    assert "Пропущено 3 урока" in text
    assert "1 опоздание" in text
    assert "История" not in text
    for secret in ("ОРВИ", "справка", "Ошибка в задаче"):
        assert secret not in text


def test_the_view_escapes_names_subjects_and_marks() -> None:
    child = WeeklyChild(
        student_id=1,
        first_name="<Аня & Ко>",
        week_start=WEEK,
        week_end=SUNDAY,
        subjects=(WeeklySubject("Алгебра <b>", ("<5>",), Decimal("4.5"), Decimal("4")),),
        lessons_missed=0,
        missed_unexcused=0,
        late=0,
    )
    text = render([child])

    assert "<b>&lt;Аня &amp; Ко&gt;</b>" in text
    assert "Алгебра &lt;b&gt;: &lt;5&gt; · avg. 4.50 ▲ (was 4.00)" in text
    assert "No absences and no late arrivals." in text


def test_two_children_and_a_quiet_week() -> None:
    quiet = WeeklyChild(2, "Борис", WEEK, SUNDAY, (), 0, 0, 2)
    later = WeeklyChild(3, "Вера", date(2026, 12, 7), date(2026, 12, 13), (ALGEBRA,), 1, 0, 0)
    lines = render([quiet, later]).splitlines()

    assert lines == [
        "<b>Weekly summary</b> · 30 November – 6 December",
        "",
        "<b>Борис</b>",
        "No marks this week.",
        "Late 2 times",
        "",
        "<b>Вера</b> · 7 December – 13 December",  # not the week of the title
        "Алгебра: 4 3 · avg. 4.00 ▼ (was 5.00)",
        "Missed 1 lesson",  # none without a valid reason: not mentioned
    ]


def test_a_long_summary_fits_into_one_message() -> None:
    subjects = tuple(
        WeeklySubject(f"Предмет {n} " + "очень длинное название " * 3, ("5",) * 10, None, None)
        for n in range(60)
    )
    children = [WeeklyChild(n, f"Ребёнок {n}", WEEK, SUNDAY, subjects, 0, 0, 0) for n in range(3)]
    text = render(children)

    assert visible_length(text) <= MESSAGE_LIMIT
    assert text.splitlines()[-1].startswith("… the rest does not fit")
