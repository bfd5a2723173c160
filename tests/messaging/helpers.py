"""Shortcuts for the mail's tests: a question, a thread's rows, what was written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.messaging.dto import Attachment, Receipt
from core.messaging.rules import MessagingRules
from core.messaging.threads import ask, post
from core.models import (
    AuditRecord,
    MessageAttachment,
    MessageThread,
    OutboxEvent,
    ThreadMessage,
)
from core.models.enums import AttachmentKind, Messenger
from tests.messaging.mailschool import NOW, RULES, TG, Mail

PHOTO = Attachment(AttachmentKind.PHOTO, "photo-1", None, "image/jpeg", 200_000)
PDF = Attachment(AttachmentKind.DOCUMENT, "doc-1", "справка.pdf", "application/pdf", 300_000)


def stored(attachment: Attachment, messenger: Messenger = Messenger.TELEGRAM) -> Attachment:
    """``attachment`` as read back: it names the messenger whose file id it is."""
    return replace(attachment, messenger=messenger)


async def ask_as(
    session: AsyncSession,
    mail: Mail,
    who: str,
    *,
    student: str = "S1",
    staff: str = "T1",
    role: str = "teacher",
    subject: str | None = "ALG",
    text: str | None = "Почему четвёрка за контрольную?",
    attachments: Sequence[Attachment] = (),
    now: datetime = NOW,
    rules: MessagingRules = RULES,
) -> Receipt:
    """``who`` asks ``staff`` about ``student`` (external ids), as the bot would."""
    return await ask(
        session,
        await mail.reader(session, who, now),
        rules,
        student_id=mail.ids[student],
        staff_id=mail.ids[staff],
        addressed_as=role,
        subject_id=mail.ids[subject] if subject else None,
        text=text,
        attachments=attachments,
        messenger=TG,
        now=now,
    )


async def post_as(
    session: AsyncSession,
    mail: Mail,
    who: str,
    thread_id: int,
    text: str | None = "Спасибо!",
    *,
    now: datetime = NOW,
    to_all: bool = False,
    attachments: Sequence[Attachment] = (),
    rules: MessagingRules = RULES,
) -> Receipt:
    return await post(
        session,
        await mail.reader(session, who, now),
        rules,
        thread_id=thread_id,
        text=text,
        attachments=attachments,
        messenger=TG,
        now=now,
        to_all_guardians=to_all,
    )


async def counts(session: AsyncSession) -> dict[str, int]:
    """How many threads, messages, files, unprocessed events and audit records there are."""
    found: dict[str, int] = {}
    for name, column, where in (
        ("threads", MessageThread.id, None),
        ("messages", ThreadMessage.id, None),
        ("files", MessageAttachment.id, None),
        ("events", OutboxEvent.id, OutboxEvent.processed_at.is_(None)),
        ("audit", AuditRecord.id, None),
    ):
        query = select(func.count(column))
        if where is not None:
            query = query.where(where)
        found[name] = int(await session.scalar(query) or 0)
    return found


async def audit_records(session: AsyncSession, action: str) -> list[AuditRecord]:
    rows = await session.execute(
        select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)
    )
    return list(rows.scalars())


async def thread_row(session: AsyncSession, thread_id: int) -> MessageThread:
    row = await session.get(MessageThread, thread_id, populate_existing=True)
    assert row is not None
    return row


async def messages_of(session: AsyncSession, thread_id: int) -> list[ThreadMessage]:
    rows = await session.execute(
        select(ThreadMessage)
        .where(ThreadMessage.thread_id == thread_id)
        .order_by(ThreadMessage.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.scalars())


async def mail_events(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(OutboxEvent).where(OutboxEvent.processed_at.is_(None)).order_by(OutboxEvent.id)
    )
    return [
        {
            "kind": e.kind,
            "object": (e.object_type, e.object_id),
            "student": e.student_id,
            "payload": e.payload,
        }
        for e in rows.scalars()
    ]
