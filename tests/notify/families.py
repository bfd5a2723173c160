"""Accounts for the tiny school's people, linked directly (linking has its own tests), and the
journal writes the pushes are about, made through the real importer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import (
    Account,
    AccountLink,
    Delivery,
    Guardian,
    NotificationPreference,
    OutboxEvent,
    Staff,
    Student,
)
from core.models.enums import DeliveryState, LinkMethod, Messenger
from tests.bot import school

# user id (= private chat id) of each person's account in these tests
OLGA, PAVEL, MARIA, DMITRY, KRYLOVA, ORLOV = 10, 20, 30, 40, 50, 60
PEOPLE = {OLGA: "G1", PAVEL: "G2", MARIA: "G3", DMITRY: "S3", KRYLOVA: "T1", ORLOV: "T2"}


async def link_account(
    sessions: async_sessionmaker[AsyncSession],
    user_id: int,
    person: str,
    *,
    locale: str | None = "en",
    chat_key: str | None = None,
    messenger: Messenger = Messenger.TELEGRAM,
) -> int:
    """An account of ``user_id`` (on ``messenger``) linked to the person with id ``person``."""
    kinds: dict[str, tuple[type[Guardian | Student | Staff], str]] = {
        "G": (Guardian, "guardian_id"),
        "S": (Student, "student_id"),
        "T": (Staff, "staff_id"),
    }
    model, column = kinds[person[0]]
    async with sessions() as session:
        person_id = (
            await session.execute(select(model.id).where(model.external_id == person))
        ).scalar_one()
        account = Account(
            messenger=messenger,
            user_key=str(user_id),
            chat_key=chat_key or str(user_id),
            locale=locale,
            consent_given_at=school.NOW,
        )
        session.add(account)
        await session.flush()
        session.add(
            AccountLink(account_id=account.id, method=LinkMethod.INVITE, **{column: person_id})
        )
        await session.commit()
        return account.id


async def link_everyone(sessions: async_sessionmaker[AsyncSession]) -> dict[int, int]:
    """user id → account id for everyone in PEOPLE."""
    return {user: await link_account(sessions, user, person) for user, person in PEOPLE.items()}


async def set_preferences(
    sessions: async_sessionmaker[AsyncSession], account_id: int, **values: Any
) -> None:
    async with sessions() as session:
        row = (
            await session.execute(
                select(NotificationPreference).where(
                    NotificationPreference.account_id == account_id
                )
            )
        ).scalar_one_or_none()
        if row is None:
            row = NotificationPreference(account_id=account_id)
            session.add(row)
            await session.flush()  # defaults first: an explicit None must not fall back to them
        for key, value in values.items():
            setattr(row, key, value)
        await session.commit()


def with_marks(*marks: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """The tiny school's tables with ``marks`` added (or replacing those with the same id; a
    mark with ``"deleted": "1"`` deletes it)."""
    tables = school.tables()
    ids = {mark["id"] for mark in marks}
    tables["marks"] = [m for m in tables["marks"] if m["id"] not in ids] + list(marks)
    return tables


def mark(
    key: str, student: str, value: str, day: str = "2026-11-30", subject: str = "ALG"
) -> dict[str, str]:
    """An answer in class marked by Крылова, as the tiny school's own marks are."""
    return school._mark(key, student, subject, day, value, "ANS")


async def write(
    sessions: async_sessionmaker[AsyncSession],
    tables: dict[str, list[dict[str, str]]],
    now: datetime,
    today: date = school.TODAY,
    *,
    news: bool = True,
) -> None:
    """A journal write through the core: the importer writes rows and outbox events together.

    ``news``: the write must give families something to hear about (guards against a test
    whose write silently changed nothing)."""
    report = await service.import_rows(sessions, tables, now=now, today=today, label="journal")
    assert report.events > 0 or not news, "the write changed nothing a family is told about"


async def deliveries(sessions: async_sessionmaker[AsyncSession]) -> list[dict[str, Any]]:
    """Every delivery with its event, in id order."""
    async with sessions() as session:
        rows = await session.execute(
            select(Delivery, OutboxEvent).join(OutboxEvent).order_by(Delivery.id)
        )
        return [
            {
                "id": d.id,
                "account": d.account_id,
                "state": DeliveryState(d.state),
                "kind": e.kind,
                "object": (e.object_type, e.object_id),
                "not_before": d.not_before,
                "error": d.last_error,
                "payload": e.payload,
            }
            for d, e in rows
        ]


async def processed_everything(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """Mark the outbox as handled (the tiny school's own events), so a test starts clean."""
    async with sessions() as session:
        await session.execute(
            update(OutboxEvent).where(OutboxEvent.processed_at.is_(None)).values(processed_at=now)
        )
        await session.commit()
