"""The mail's outbox events: written in the same transaction as the message they announce."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import OutboxEvent
from core.models.enums import EventKind
from core.outbox import notify_listeners


async def emit(
    session: AsyncSession,
    *,
    school_id: int,
    kind: EventKind,
    object_type: str,
    object_id: int,
    now: datetime,
    student_id: int | None = None,
    class_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Queue one event for the notifier's fan-out; the caller commits."""
    session.add(
        OutboxEvent(
            school_id=school_id,
            kind=kind,
            student_id=student_id,
            class_id=class_id,
            object_type=object_type,
            object_id=object_id,
            payload=payload or {},
            occurred_at=now,
        )
    )
    await session.flush()
    await notify_listeners(session)
