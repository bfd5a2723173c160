"""Audit records of linking: ids only, never a code, a phone number or a name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import AuditRecord


def audit(
    session: AsyncSession,
    *,
    action: str,
    now: datetime,
    account_id: int | None,
    label: str,
    school_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one audit record; it is flushed with the caller's next flush."""
    session.add(
        AuditRecord(
            at=now,
            school_id=school_id,
            actor_account_id=account_id,
            actor_label=label[:64],
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details,
        )
    )
