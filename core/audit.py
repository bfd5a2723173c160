"""The read trail (152-FZ): who read whose data, what and when.

:func:`record_read` adds one ``AuditRecord`` and flushes it, and never commits: the caller owns
the transaction, so the record is stored together with whatever else the caller does (and is
rolled back with it). A handler commits its session at the end of the update; a one-off read
outside a transaction must commit itself, or the record is lost with the session.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import AuditRecord
from core.reader import Reader


async def record_read(
    session: AsyncSession,
    reader: Reader,
    *,
    school_id: int | None,
    student_id: int | None,
    action: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Record that ``reader`` read ``action`` (e.g. ``"read_diary"``) of a student."""
    session.add(
        AuditRecord(
            school_id=school_id,
            actor_account_id=reader.account_id,
            actor_staff_id=reader.staff_id,
            actor_label=reader.label[:64],
            action=action,
            student_id=student_id,
            details=details,
        )
    )
    await session.flush()
