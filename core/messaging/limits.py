"""Limits against abuse: mutes, open questions per recipient, messages per school day.

Counted per person (the guardian or the student who writes), not per messenger account, so a
second device or a new account after /logout starts no fresh allowance.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.messaging.access import Asker
from core.messaging.errors import MessagingRefused, Refusal
from core.messaging.rules import MessagingRules
from core.models import MessageMute, MessageThread, ThreadMessage
from core.models.enums import ThreadStatus


async def muted_until(
    session: AsyncSession, staff_id: int, asker: Asker, now: datetime
) -> datetime | None:
    """The end of the latest mute of ``asker`` by ``staff_id`` still running, if any."""
    if asker.guardian_id is None and asker.student_id is None:
        return None
    person = (
        MessageMute.guardian_id == asker.guardian_id
        if asker.guardian_id is not None
        else MessageMute.student_id == asker.student_id
    )
    until: datetime | None = await session.scalar(
        select(func.max(MessageMute.until)).where(
            MessageMute.staff_id == staff_id, person, MessageMute.until > now
        )
    )
    return until


async def check_limits(
    session: AsyncSession,
    rules: MessagingRules,
    asker: Asker,
    staff_id: int,
    now: datetime,
    *,
    new_thread: bool,
) -> None:
    """Raise the first limit ``asker`` has reached writing to ``staff_id`` now."""
    until = await muted_until(session, staff_id, asker, now)
    if until is not None:
        raise MessagingRefused(Refusal.MUTED, until=until)
    if new_thread:
        open_threads = await session.scalar(
            select(func.count(MessageThread.id)).where(
                MessageThread.staff_id == staff_id,
                _asked_by(asker),
                MessageThread.status != ThreadStatus.CLOSED,
            )
        )
        if (open_threads or 0) >= rules.open_per_recipient:
            raise MessagingRefused(Refusal.TOO_MANY_OPEN, limit=rules.open_per_recipient)
    local = now.astimezone(rules.timezone)
    day_start = datetime.combine(local.date(), time(0), tzinfo=rules.timezone)
    written = await session.scalar(
        select(func.count(ThreadMessage.id)).where(
            _written_by(asker), ThreadMessage.created_at >= day_start
        )
    )
    if (written or 0) >= rules.messages_per_day:
        raise MessagingRefused(Refusal.DAILY_LIMIT, limit=rules.messages_per_day)


def _asked_by(asker: Asker) -> ColumnElement[bool]:
    if asker.guardian_id is not None:
        return MessageThread.asker_guardian_id == asker.guardian_id
    return MessageThread.asker_student_id == asker.student_id


def _written_by(asker: Asker) -> ColumnElement[bool]:
    if asker.guardian_id is not None:
        return ThreadMessage.author_guardian_id == asker.guardian_id
    return ThreadMessage.author_student_id == asker.student_id
