"""Early warning, the daily job: recorded once, one message a day to the class teacher, the
attendance cases to the social pedagogue, nothing to families (core.analytics.warnings)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.leader import SoleLeadership
from bot.scheduler import ScheduledJobs
from core.access.matrix import grant
from core.access.permissions import Permission
from core.analytics.risk import Risk
from core.analytics.warnings import record_cases
from core.clock import FrozenClock
from core.db import create_sessionmaker
from core.models import AuditRecord, RiskCase, School, Student, Subject, Term
from core.models.enums import PermissionScope, RiskKind, Role
from tests.analytics.scenario import (
    ANNA,
    DMITRY,
    SOCIAL_PEDAGOGUE,
    TZ,
    absent,
    at_four,
    lesson,
    load,
    mark,
    tables,
)
from tests.fake_telegram import FakeTelegram
from tests.notify.families import (
    DMITRY as DMITRY_CHAT,
)
from tests.notify.families import (
    KRYLOVA,
    MARIA,
    OLGA,
    ORLOV,
    PAVEL,
    PEOPLE,
    link_account,
    processed_everything,
    set_preferences,
)
from tests.notify.notifier_kit import make_notifier, texts_by_chat

SOKOLOVA = 70
FRIDAY = date(2026, 12, 4)


def _scenario() -> dict[str, list[dict[str, str]]]:
    """Дмитрий's algebra falls from 4.00 to 3.50 in three weeks; Анна missed 3 of the 6 lessons
    of Russian (one of them ill: a reason that must never be told)."""
    russian = ["11-16", "11-17", "11-23", "11-24", "11-30", "12-01"]
    return tables(
        lessons=[lesson(f"R{n}", "RUS", f"2026-{day}", 2) for n, day in enumerate(russian)],
        marks=[
            mark("D1", DMITRY, "ALG", "2026-11-12", "4"),
            mark("D2", DMITRY, "ALG", "2026-12-01", "3"),
            *(
                mark(f"R{p}{n}", p, "RUS", "2026-11-16", "4")
                for p in (ANNA, DMITRY)
                for n in (1, 2)
            ),
        ],
        attendance=[
            absent(ANNA, "2026-11-16", 2),
            absent(ANNA, "2026-11-17", None, "Б"),
            absent(ANNA, "2026-11-23", 2),
        ],
    )


async def _school(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    sessions = create_sessionmaker(engine)
    await load(sessions, _scenario())
    for user, person in PEOPLE.items():
        await link_account(sessions, user, person)
    await link_account(sessions, SOKOLOVA, SOCIAL_PEDAGOGUE)
    return sessions


async def _run_and_send(
    sessions: async_sessionmaker[AsyncSession], day: date
) -> tuple[int, dict[int, list[str]]]:
    clock = FrozenClock(at_four(day))
    await processed_everything(sessions, clock.now())  # the marks' own pushes are not ours
    planned = await ScheduledJobs(sessions, clock, TZ, SoleLeadership()).early_warning()
    async with FakeTelegram() as tg:
        for user in [*PEOPLE, SOKOLOVA]:
            tg.user(user)
        await make_notifier(tg, sessions, clock).run_until_idle()
        return planned, texts_by_chat(tg)


async def test_the_class_teacher_hears_of_a_falling_average_once(engine: AsyncEngine) -> None:
    sessions = await _school(engine)
    planned, chats = await _run_and_send(sessions, FRIDAY)
    assert planned == 2  # Крылова and Соколова, one message each
    assert sorted(chats) == [KRYLOVA, SOKOLOVA]
    [teacher] = chats[KRYLOVA]
    assert "Early warning: new cases in your class" in teacher
    assert "Петров" in teacher
    assert "Алгебра: average fell from 4.00 to 3.50 in three weeks" in teacher
    assert "Русский язык: missed 3 of 6 lessons" in teacher
    # Families hear nothing of it; another teacher neither.
    for chat in (OLGA, PAVEL, MARIA, DMITRY_CHAT, ORLOV):
        assert chat not in chats
    # The next day the same cases are still there, and nobody is told again.
    planned, chats = await _run_and_send(sessions, date(2026, 12, 5))
    assert (planned, chats) == (0, {})
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RiskCase)) == 2
        read = await session.scalar(select(func.count()).where(AuditRecord.action == "risk_report"))
        assert read == 3  # two pupils for Крылова, one for Соколова


async def test_the_social_pedagogue_gets_the_attendance_case_only(engine: AsyncEngine) -> None:
    sessions = await _school(engine)
    _, chats = await _run_and_send(sessions, FRIDAY)
    [pedagogue] = chats[SOKOLOVA]
    assert "Early warning: pupils missing many lessons" in pedagogue
    assert "Иванова" in pedagogue
    assert "Русский язык: missed 3 of 6 lessons" in pedagogue
    assert "Петров" not in pedagogue  # his is a mark case
    assert "Алгебра" not in pedagogue
    for text in (pedagogue, *chats[KRYLOVA]):
        assert "ОРВИ" not in text  # never a reason
        assert "ill" not in text.lower()


async def test_a_case_that_comes_back_in_the_term_is_not_reported_again(
    engine: AsyncEngine,
) -> None:
    sessions = create_sessionmaker(engine)
    await load(sessions, tables())
    async with sessions() as session:
        school_id = await session.scalar(select(School.id))
        student = await session.scalar(select(Student.id).where(Student.external_id == ANNA))
        subject = await session.scalar(select(Subject.id).where(Subject.external_id == "ALG"))
        term = await session.scalar(select(Term.id).where(Term.external_id == "Q2"))
        klass = await session.scalar(select(Student.class_id).where(Student.id == student))
        assert school_id is not None
        assert student is not None
        assert subject is not None
        assert term is not None
        assert klass is not None
        case = Risk(student, subject, klass, term, RiskKind.FAILING, "2.00")
        await record_cases(session, school_id, [case], date(2026, 11, 30))
        # Gone for a week (no call), then back with another average: still first seen 30.11.
        await record_cases(session, school_id, [case], date(2026, 12, 8))
        rows = (await session.execute(select(RiskCase.first_seen, RiskCase.detail))).all()
        assert [tuple(row) for row in rows] == [(date(2026, 11, 30), "2.00")]


async def test_only_guardians_who_opted_in_get_the_what_if(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    marks = [
        # Дмитрий: (2 + 2 + 3) / 3 = 2.33, a projected 2; Анна: a single 2.
        mark("D1", DMITRY, "ALG", "2026-11-24", "2"),
        mark("D2", DMITRY, "ALG", "2026-11-25", "2"),
        mark("D3", DMITRY, "ALG", "2026-11-26", "3"),
        mark("A1", ANNA, "ALG", "2026-11-24", "2"),
    ]
    await load(sessions, tables(marks=marks))
    accounts = {user: await link_account(sessions, user, person) for user, person in PEOPLE.items()}
    # Павел (Дмитрий's father) and Мария (Анна's second guardian) opt in; Ольга does not.
    await set_preferences(sessions, accounts[PAVEL], risk_warnings=True)
    await set_preferences(sessions, accounts[MARIA], risk_warnings=True)
    await set_preferences(sessions, accounts[OLGA], marks=True)  # a row, the switch left off
    planned, chats = await _run_and_send(sessions, FRIDAY)
    assert planned == 3
    assert sorted(chats) == [PAVEL, MARIA, KRYLOVA]
    [pavel] = chats[PAVEL]
    assert "A gentle heads-up about marks" in pavel
    assert "Дмитрий Петров" in pavel
    assert "Алгебра: average 2.33; 1 mark of 3 would lift it to 3" in pavel
    assert "Анна" not in pavel
    [maria] = chats[MARIA]
    assert "Анна Иванова" in maria
    assert "Алгебра: average 2.00; " in maria
    assert "Дмитрий" not in maria
    # The next day: nothing new, nobody told again.
    assert await _run_and_send(sessions, date(2026, 12, 5)) == (0, {})


async def test_a_role_narrowed_by_the_school_reads_nothing_it_may_not(
    engine: AsyncEngine,
) -> None:
    sessions = await _school(engine)
    async with sessions() as session:
        school_id = await session.scalar(select(School.id))
        assert school_id is not None
        # The school keeps attendance to the social pedagogue's own assigned pupils (none here).
        await grant(
            session,
            school_id,
            Role.SOCIAL_PEDAGOGUE,
            Permission.ATTENDANCE,
            PermissionScope.ASSIGNED,
        )
        await session.commit()
    planned, chats = await _run_and_send(sessions, FRIDAY)
    assert planned == 2  # planned for both; what is shown is decided when it is sent
    assert sorted(chats) == [KRYLOVA]
