"""The tiny school of the bot tests (tests/bot/school.py) with every staff role the mail needs.

Families: Ольга Иванова (G1) - Анна (S1, 7А) and Борис (S2, 5Б, leaves on LEFT_ON); Павел
Петров (G2) - Дмитрий (S3, 7А) and Вера (S4, 7А): two children in one class; Мария Смирнова
(G3) - Анна's second guardian. Дмитрий has an account of his own.

Staff: T1 Крылова leads 7А and teaches it algebra and Russian by the timetable; T2 Орлов teaches
7А geography (and has no account: the tests link him when they need to); T3 Вебер teaches 7А's
English group 1 (Анна only; Дмитрий is in group 2, which nobody teaches); T4 the head teacher;
T5 the secretary; T6 the social pedagogue (Дмитрий is in her care); T7 a teacher of 7А who
left on TODAY; T8 leads 5Б without teaching it; T9 the admin; T10 the psychologist (Анна is
in her care).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.linking.accounts import load_account, reader_of
from core.messaging.rules import MessagingRules
from core.models import (
    Account,
    AccountLink,
    Group,
    Guardian,
    OutboxEvent,
    School,
    SchoolClass,
    Staff,
    Student,
    StudentAssignment,
    Subject,
)
from core.models.enums import LinkMethod, Messenger
from core.reader import Reader
from tests.bot import school

TZ = ZoneInfo("Asia/Yekaterinburg")
RULES = MessagingRules(timezone=TZ)
TG = Messenger.TELEGRAM
TODAY = school.TODAY  # Monday 30.11.2026
NOW = school.NOW  # 10:00 school time
LEFT_ON = school.LEFT_ON

# The people who have an account from the start (T2 has none).
LINKED = ("G1", "G2", "G3", "S3", "T1", "T3", "T4", "T5", "T6", "T8", "T9", "T10")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A school-local wall-clock time as an aware instant."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def _staff(
    key: str, last: str, first: str, middle: str, roles: str, **extra: str
) -> dict[str, str]:
    return {
        "id": key,
        "last_name": last,
        "first_name": first,
        "middle_name": middle,
        "roles": roles,
        **extra,
    }


def _entry(key: str, subject: str, teacher: str, weekday: str, **extra: str) -> dict[str, str]:
    return {
        "id": key,
        "class": "C7A",
        "subject": subject,
        "teacher": teacher,
        "weekday": weekday,
        "period": "1",
        "room": "12",
        "valid_from": "2026-09-01",
        **extra,
    }


def tables() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = school.tables()
    data["subjects"] += [
        {"id": "ENG", "name": "Английский язык"},
        {"id": "GEO", "name": "География"},
    ]
    data["staff"] += [
        _staff("T3", "Вебер", "Анна", "Карловна", "teacher"),
        _staff("T4", "Завучева", "Елена", "Викторовна", "head_teacher"),
        _staff("T5", "Секретарёва", "Ольга", "Ивановна", "secretary"),
        _staff("T6", "Соцпедагогова", "Ирина", "Павловна", "social_pedagogue"),
        _staff("T7", "Ушедшая", "Вера", "Петровна", "teacher", left=TODAY.isoformat()),
        _staff("T8", "Классная", "Галина", "Ивановна", "teacher"),
        _staff("T9", "Админова", "Дарья", "Сергеевна", "admin"),
        _staff("T10", "Психологова", "Юлия", "Андреевна", "psychologist"),
    ]
    for row in data["classes"]:
        if row["id"] == "C5B":
            row["class_teacher"] = "T8"
    data["groups"] = [
        {"id": "ENG1", "class": "C7A", "subject": "ENG", "name": "1 группа"},
        {"id": "ENG2", "class": "C7A", "subject": "ENG", "name": "2 группа"},
    ]
    data["group_members"] = [
        {"group": "ENG1", "student": "S1", "joined": "2026-09-01"},
        {"group": "ENG2", "student": "S3", "joined": "2026-09-01"},
    ]
    data["timetable"] += [
        _entry("TT5", "ENG", "T3", "3", group="ENG1"),
        _entry("TT6", "RUS", "T7", "4"),
        _entry("TT7", "GEO", "T2", "5"),
    ]
    data["students"].append(school._student("S4", "Петрова", "Вера", "C7A"))
    for row in data["guardians"]:
        if row["id"] == "G2":
            row["students"] = "S3;S4"
    return data


@dataclass
class Mail:
    """The loaded school: database ids by external id, and the accounts made for its people."""

    sessions: async_sessionmaker[AsyncSession]
    ids: dict[str, int]
    school_id: int
    accounts: dict[str, int] = field(default_factory=dict)

    async def reader(self, session: AsyncSession, who: str, now: datetime = NOW) -> Reader:
        """The reader the bot builds for ``who``'s account on the school date of ``now``; a
        person without an account is read as the bot would if they had one."""
        today = now.astimezone(TZ).date()
        if who in self.accounts:
            view = await load_account(session, TG, _user_key(who), today)
            assert view is not None
            return reader_of(view, "telegram", today)
        person = self.ids[who]
        if who.startswith("G"):
            return Reader("telegram", guardian_ids=(person,), today=today)
        if who.startswith("S"):
            return Reader("telegram", student_id=person, today=today)
        return Reader("telegram", staff_id=person, today=today)

    async def link(self, who: str, *, suffix: str = "") -> int:
        """A new account of ``who`` (``suffix`` makes a second device); returns its id."""
        column = {"G": "guardian_id", "S": "student_id", "T": "staff_id"}[who[0]]
        async with self.sessions() as session:
            account = Account(
                messenger=TG,
                user_key=_user_key(who) + suffix,
                chat_key=_user_key(who) + suffix,
                locale="ru",
                consent_given_at=NOW,
            )
            session.add(account)
            await session.flush()
            session.add(
                AccountLink(
                    account_id=account.id,
                    method=LinkMethod.INVITE,
                    linked_at=NOW,
                    **{column: self.ids[who]},
                )
            )
            await session.commit()
            if not suffix:
                self.accounts[who] = account.id
            return account.id


def _user_key(who: str) -> str:
    return f"user-{who}"


async def load(sessions: async_sessionmaker[AsyncSession]) -> Mail:
    await seed(sessions)
    return await attach(sessions)


async def seed(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The school's rows and the accounts of everyone in ``LINKED`` (a test database's seed)."""
    mail = await _rows(sessions)
    for who in LINKED:
        await mail.link(who)


async def attach(sessions: async_sessionmaker[AsyncSession]) -> Mail:
    """The :class:`Mail` of a database :func:`seed` filled: its ids and accounts read back."""
    async with sessions() as session:
        ids = await _ids(session)
        school_id = (await session.execute(select(School.id))).scalar_one()
        keys = {_user_key(who): who for who in LINKED}
        rows = await session.execute(
            select(Account.user_key, Account.id).where(Account.user_key.in_(keys))
        )
        accounts = {keys[key]: account for key, account in rows}
    return Mail(sessions, ids, school_id, accounts)


async def _ids(session: AsyncSession) -> dict[str, int]:
    ids: dict[str, int] = {}
    for model in (Staff, Student, Guardian, Subject, SchoolClass, Group):
        rows = await session.execute(select(model.external_id, model.id))
        ids.update({key: value for key, value in rows if key})
    return ids


async def _rows(sessions: async_sessionmaker[AsyncSession]) -> Mail:
    await service.import_rows(sessions, tables(), now=NOW, today=TODAY)
    async with sessions() as session:
        ids = await _ids(session)
        session.add(StudentAssignment(staff_id=ids["T6"], student_id=ids["S3"], assigned_on=None))
        session.add(StudentAssignment(staff_id=ids["T10"], student_id=ids["S1"], assigned_on=None))
        # The import's own events (marks, absences, changes) are not what these tests are about.
        await session.execute(
            update(OutboxEvent).where(OutboxEvent.processed_at.is_(None)).values(processed_at=NOW)
        )
        school_id = (await session.execute(select(School.id))).scalar_one()
        await session.commit()
    return Mail(sessions, ids, school_id)
