"""The schema itself protects the journal's integrity, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import (
    AcademicYear,
    Account,
    AccountLink,
    AuditRecord,
    Guardian,
    LinkMethod,
    Mark,
    Messenger,
    School,
    SchoolClass,
    Student,
    Subject,
)


async def _school(session: AsyncSession) -> School:
    school = School(name="Гимназия №6", short_name="Г6")
    session.add(school)
    await session.flush()
    return school


async def _student(session: AsyncSession, school: School) -> Student:
    year = AcademicYear(
        school_id=school.id, name="2026/2027", starts_on=date(2026, 9, 1), ends_on=date(2027, 5, 31)
    )
    session.add(year)
    await session.flush()
    school_class = SchoolClass(
        school_id=school.id, academic_year_id=year.id, grade=7, letter="А", name="7А"
    )
    session.add(school_class)
    await session.flush()
    student = Student(
        school_id=school.id,
        external_id="S1",
        last_name="Иванова",
        first_name="Анна",
        class_id=school_class.id,
    )
    session.add(student)
    await session.flush()
    return student


async def test_external_id_is_unique_within_a_school_only(session: AsyncSession) -> None:
    first, second = await _school(session), await _school(session)
    session.add_all(
        [
            Subject(school_id=first.id, external_id="MATH", name="Математика"),
            Subject(school_id=second.id, external_id="MATH", name="Математика"),
        ]
    )
    await session.flush()  # the same id in two schools is fine
    session.add(Subject(school_id=first.id, external_id="MATH", name="Алгебра"))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_instants_come_back_aware_in_utc(session: AsyncSession) -> None:
    school = await _school(session)
    yekaterinburg = timezone(timedelta(hours=5))
    moment = datetime(2026, 11, 28, 9, 30, tzinfo=yekaterinburg)
    session.add(AuditRecord(school_id=school.id, action="read_marks", at=moment))
    await session.commit()
    session.expunge_all()
    stored = (await session.execute(select(AuditRecord.at))).scalar_one()
    assert stored.tzinfo is not None
    assert stored == moment
    assert stored.utcoffset() == timedelta(0)
    assert stored.hour == 4


async def test_naive_datetimes_are_refused(session: AsyncSession) -> None:
    school = await _school(session)
    session.add(AuditRecord(school_id=school.id, action="x", at=datetime(2026, 1, 1)))  # noqa: DTZ001
    with pytest.raises(StatementError, match="naive datetime"):
        await session.flush()


async def test_foreign_keys_are_enforced(session: AsyncSession) -> None:
    school = await _school(session)
    session.add(Subject(school_id=school.id + 1000, name="Нет такой школы"))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_mark_values_outside_the_scale_are_refused(session: AsyncSession) -> None:
    school = await _school(session)
    student = await _student(session, school)
    subject = Subject(school_id=school.id, name="Алгебра")
    session.add(subject)
    await session.flush()
    session.add(
        Mark(
            school_id=school.id,
            student_id=student.id,
            subject_id=subject.id,
            date=date(2026, 11, 27),
            value="6",
            numeric_value=6,
        )
    )
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_an_account_link_names_exactly_one_person(session: AsyncSession) -> None:
    school = await _school(session)
    student = await _student(session, school)
    guardian = Guardian(school_id=school.id, last_name="Иванов", first_name="Пётр")
    account = Account(messenger=Messenger.TELEGRAM, user_key="42", chat_key="42")
    session.add_all([guardian, account])
    await session.flush()
    session.add(
        AccountLink(account_id=account.id, guardian_id=guardian.id, method=LinkMethod.INVITE)
    )
    await session.flush()
    session.add(
        AccountLink(
            account_id=account.id,
            guardian_id=guardian.id,
            student_id=student.id,
            method=LinkMethod.INVITE,
        )
    )
    with pytest.raises(IntegrityError):
        await session.flush()
    await session.rollback()
    session.add(AccountLink(account_id=account.id, method=LinkMethod.PHONE))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_unknown_enum_values_are_refused_by_the_database(session: AsyncSession) -> None:
    from sqlalchemy import text

    await _school(session)
    account = Account(messenger=Messenger.TELEGRAM, user_key="7", chat_key="7")
    session.add(account)
    await session.flush()
    with pytest.raises(IntegrityError):
        await session.execute(
            text("UPDATE accounts SET messenger = 'icq' WHERE id = :id"), {"id": account.id}
        )


async def test_deleting_a_student_removes_their_marks(session: AsyncSession) -> None:
    school = await _school(session)
    student = await _student(session, school)
    subject = Subject(school_id=school.id, name="Физика")
    session.add(subject)
    await session.flush()
    session.add(
        Mark(
            school_id=school.id,
            student_id=student.id,
            subject_id=subject.id,
            date=date(2026, 11, 27),
            value="5",
            numeric_value=5,
            created_at=datetime.now(UTC),
        )
    )
    await session.flush()
    await session.delete(student)
    await session.flush()
    assert (await session.execute(select(Mark))).scalars().all() == []
