"""Rows the mail's use cases write the same way: a message's files, one audit row per thread."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.messaging.dto import Attachment
from core.models import AuditRecord, MessageAttachment
from core.models.enums import Messenger
from core.reader import Reader


def add_attachments(
    session: AsyncSession,
    attachments: Sequence[Attachment],
    messenger: Messenger,
    *,
    message_id: int | None = None,
    announcement_id: int | None = None,
) -> None:
    """The files of one message or announcement, in the order sent; cut to the columns' sizes
    (a device may name a file at any length)."""
    for position, attachment in enumerate(attachments):
        session.add(
            MessageAttachment(
                message_id=message_id,
                announcement_id=announcement_id,
                position=position,
                messenger=messenger,
                kind=attachment.kind,
                file_key=attachment.file_key[:255],
                file_name=(attachment.file_name or None) and attachment.file_name[:255],
                mime_type=(attachment.mime_type or None) and attachment.mime_type[:128],
                size=attachment.size,
            )
        )


async def audit_threads(
    session: AsyncSession,
    reader: Reader,
    threads: Iterable[tuple[int, int, int | None]],
    action: str,
) -> None:
    """One record per (thread, school, child) shown, naming the child; one statement."""
    rows = [
        {
            "school_id": school_id,
            "actor_account_id": reader.account_id,
            "actor_staff_id": reader.staff_id,
            "actor_label": reader.label[:64],
            "action": action,
            "student_id": student_id,
            "details": {"thread_id": thread_id},
        }
        for thread_id, school_id, student_id in threads
    ]
    if rows:
        await session.execute(insert(AuditRecord), rows)
