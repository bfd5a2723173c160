"""``/class``: the term block after the summary - the second quarter's report by pupils and the
pupils at risk - for the class teacher only; in English, so that the new strings read the same
before and after their translation.

7А in the second quarter (tests/bot/school.py, no term marks yet): Анна's algebra averages
(5 + 4·2 + 3) / 4 = 4.00, a 4, her only result: a хорошистка with one 4; Дмитрий's is a 2:
неуспевающий. Quality 1·100/2 = 50.00 %, success (2 − 1)·100/2 = 50.00 %.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import RiskCase, SchoolClass, Staff, Student, Subject, Term
from core.models.enums import RiskKind, Role
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import link, student_id

KRYLOVA, ORLOV, OLGA, PAVEL = 50, 60, 10, 11


async def _case(
    sessions: async_sessionmaker[AsyncSession],
    pupil: str,
    kind: RiskKind,
    detail: str,
    *,
    term: str = "Q2",
    subject: str = "ALG",
) -> None:
    student = await student_id(sessions, pupil)
    async with sessions() as session:
        row = (
            await session.execute(
                select(Student.school_id, Student.class_id).where(Student.id == student)
            )
        ).one()
        term_id = await session.scalar(select(Term.id).where(Term.external_id == term))
        subject_id = await session.scalar(select(Subject.id).where(Subject.external_id == subject))
        session.add(
            RiskCase(
                school_id=row.school_id,
                student_id=student,
                subject_id=subject_id,
                term_id=term_id,
                class_id=row.class_id,
                kind=kind,
                first_seen=date(2026, 11, 27),
                detail=detail,
            )
        )
        await session.commit()


async def _class_as(driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]) -> str:
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER, language="en")
    return texts(await driver.send(driver.user(KRYLOVA, "en"), "/class"))


async def test_the_class_teacher_sees_the_terms_figures_and_who_is_at_risk(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _case(sessions, "S3", RiskKind.FAILING, "2.40")
    await _case(sessions, "S3", RiskKind.ABSENCES, "3/8", subject="RUS")
    await _case(sessions, "S1", RiskKind.FEW_MARKS, "2", term="Q1")  # last term's
    answer = await _class_as(driver, sessions)
    summary, term = answer.split("<b>2 четверть</b>: ")
    assert "Averages over 2 четверть" in summary  # what /class showed before, first
    assert term.startswith("quality 50.00 %, success 50.00 %")
    assert (
        "0 excellent pupils; 1 good pupil (with one 4: Иванова Анна); 0 satisfactory pupils; "
        "1 failing pupil"
    ) in term
    assert "Computed on the averages of the period's marks." in term
    assert "⚠ At risk (1):" in term
    assert (
        "• <b>Петров Дмитрий</b> — Алгебра: projected term mark 2 (average 2.40); "
        "Русский язык: missed 3 of 8 lessons"
    ) in term
    assert "Иванова Анна</b>" not in term  # her case is the first quarter's


async def test_nobody_at_risk_is_said_so(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    answer = await _class_as(driver, sessions)
    assert "Nobody is at risk this term." in answer
    assert "At risk (" not in answer


async def test_neither_another_teacher_nor_a_parent_sees_the_list(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _case(sessions, "S3", RiskKind.FAILING, "2.40")
    await link(driver, sessions, ORLOV, "T2", Role.TEACHER, language="en")
    await link(driver, sessions, PAVEL, "G2", language="en")  # Дмитрий's father
    for user_id in (ORLOV, PAVEL):
        answer = texts(await driver.send(driver.user(user_id, "en"), "/class"))
        assert "At risk" not in answer
        assert "quality" not in answer
        assert "2.40" not in answer


async def test_names_are_escaped(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        await session.execute(
            update(Student).where(Student.external_id == "S3").values(last_name="<i>Петров</i>")
        )
        await session.execute(
            update(Student).where(Student.external_id == "S1").values(first_name="Анна & Ко")
        )
        await session.commit()
    await _case(sessions, "S3", RiskKind.FAILING, "2.40")
    answer = await _class_as(driver, sessions)
    assert "<b>&lt;i&gt;Петров&lt;/i&gt; Дмитрий</b> — Алгебра" in answer
    assert "(with one 4: Иванова Анна &amp; Ко)" in answer
    assert "<i>" not in answer


async def _class_as_calls(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> list[str]:
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER, language="en")
    calls = await driver.send(driver.user(KRYLOVA, "en"), "/class")
    return [c.text for c in calls if c.text]


async def test_a_teacher_leading_two_classes_gets_a_block_for_each(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """5Б has Борис alone (he leaves after the report's day), without marks."""
    async with sessions() as session:
        krylova = await session.scalar(select(Staff.id).where(Staff.external_id == "T1"))
        await session.execute(
            update(SchoolClass).where(SchoolClass.name == "5Б").values(class_teacher_id=krylova)
        )
        await session.commit()
    await _case(sessions, "S3", RiskKind.FAILING, "2.40")
    calls = await _class_as_calls(driver, sessions)
    assert len(calls) == 2
    fifth, seventh = calls  # by grade
    assert "<b>5Б: class summary</b>" in fifth
    assert "quality 0.00 %, success 100.00 %" in fifth
    assert "No marks yet." in fifth
    assert "Nobody is at risk this term." in fifth
    assert "Петров" not in fifth
    assert "<b>7А: class summary</b>" in seventh
    assert "⚠ At risk (1):" in seventh
