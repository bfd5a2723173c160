"""How far the pushes are behind: the oldest event the fan-out has not taken, the oldest delivery
that is due and still waits. An operator's alert reads these (bot/metrics.py), not a family.

Two statements, each answered from an index's first entry: ``outbox_events (processed_at, id)``
holds the unprocessed events first, in id order (the fan-out's own order), and
``deliveries (state, not_before)`` the pending ones by when they fall due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.messaging.delivery import MAIL_KINDS
from core.models import Delivery, OutboxEvent
from core.models.enums import DeliveryState
from core.notify.kinds import FANNED_OUT


@dataclass(frozen=True, slots=True)
class OutboxLag:
    """Ages in seconds; 0 when nothing waits."""

    oldest_event: float
    oldest_due_delivery: float


async def outbox_lag(session: AsyncSession, now: datetime) -> OutboxLag:
    event_at = (
        await session.execute(
            select(OutboxEvent.occurred_at)
            .where(
                OutboxEvent.processed_at.is_(None),
                OutboxEvent.kind.in_((*FANNED_OUT, *MAIL_KINDS)),
            )
            .order_by(OutboxEvent.processed_at, OutboxEvent.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    due_at = (
        await session.execute(
            select(func.min(Delivery.not_before)).where(
                Delivery.state == DeliveryState.PENDING, Delivery.not_before <= now
            )
        )
    ).scalar_one_or_none()
    return OutboxLag(_age(now, event_at), _age(now, due_at))


def _age(now: datetime, then: datetime | None) -> float:
    if then is None:
        return 0.0
    if then.tzinfo is None:  # SQLite gives naive UTC back
        then = then.replace(tzinfo=UTC)
    return max(0.0, (now - then).total_seconds())
