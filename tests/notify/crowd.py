"""Many families at once: students added to the tiny school's 7А, each with an account (its own
private chat), and a burst of marks for all of them written through the importer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import Account, AccountLink, NotificationPreference, Student
from core.models.enums import LinkMethod, Messenger
from tests.bot import school
from tests.notify.families import mark, processed_everything, write

FIRST_CHAT = 100_000


def crowd_key(n: int) -> str:
    return f"CR{n:04d}"


def _telegram(_n: int) -> Messenger:
    return Messenger.TELEGRAM


async def add_crowd(
    sessions: async_sessionmaker[AsyncSession],
    size: int,
    messenger_of: Callable[[int], Messenger] = _telegram,
) -> list[int]:
    """``size`` students with linked accounts (quiet hours off); their chat ids.

    Student ``n``'s account is on ``messenger_of(n)`` (Telegram for all by default)."""
    tables = crowd_tables(size)
    await write(sessions, tables, school.NOW, news=False)
    await processed_everything(sessions, school.NOW)
    async with sessions() as session:
        students = dict(
            (
                await session.execute(
                    select(Student.external_id, Student.id).where(Student.external_id.like("CR%"))
                )
            ).all()
        )
        chats = [FIRST_CHAT + n for n in range(size)]
        accounts: list[dict[str, Any]] = [
            {
                "messenger": messenger_of(n),
                "user_key": str(chat),
                "chat_key": str(chat),
                "locale": "ru",
                "is_active": True,
                "consent_given_at": school.NOW,
                "created_at": school.NOW,
            }
            for n, chat in enumerate(chats)
        ]
        await session.execute(insert(Account), accounts)
        ids = dict(
            (
                await session.execute(
                    select(Account.user_key, Account.id).where(
                        Account.user_key.in_([str(c) for c in chats])
                    )
                )
            ).all()
        )
        await session.execute(
            insert(AccountLink),
            [
                {
                    "account_id": ids[str(FIRST_CHAT + n)],
                    "student_id": students[crowd_key(n)],
                    "method": LinkMethod.INVITE,
                    "linked_at": school.NOW,
                }
                for n in range(size)
            ],
        )
        # These tests run at any hour of the real clock: no quiet hours to wait through.
        await session.execute(
            insert(NotificationPreference),
            [{"account_id": account_id} for account_id in ids.values()],
        )
        # An UPDATE, not the insert: a bulk insert fills a None with the column's default
        # (21:00–07:00), which made these tests fail when run after 21:00 at the school.
        await session.execute(
            update(NotificationPreference)
            .where(NotificationPreference.account_id.in_(list(ids.values())))
            .values(quiet_from=None, quiet_to=None)
        )
        await session.commit()
    return chats


def crowd_tables(size: int) -> dict[str, list[dict[str, str]]]:
    """The tiny school's tables with ``size`` more students in 7А."""
    tables = school.tables()
    tables["students"] += [
        school._student(crowd_key(n), "Ученик", f"Номер {n}", "C7A") for n in range(size)
    ]
    return tables


def crowd_marks(size: int, each: int) -> dict[str, list[dict[str, str]]]:
    """The tables with ``each`` new marks for every crowd student (the crowd included)."""
    tables = crowd_tables(size)
    tables["marks"] += [
        mark(f"CM{n:04d}-{k}", crowd_key(n), str(2 + (n + k) % 4))
        for k in range(each)
        for n in range(size)
    ]
    return tables
