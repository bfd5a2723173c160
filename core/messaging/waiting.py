"""Messages that found nobody yet, and the thread a chat message belongs to.

A question to a staff member without an account waits in the journal; when they link, every
family message of their threads not closed, unread and not delivered to any account of theirs
gets a delivery at once (:func:`deliver_waiting`, called by the linking use case).

A plain reply in the chat names only a messenger message; :func:`thread_of_message` finds the
thread through the delivery that put that message into this account's chat. The reply is
then judged by the access policy like any other write.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Delivery, MessageThread, OutboxEvent, ThreadMessage
from core.models.enums import AuthorKind, DeliveryState, EventKind, ThreadStatus
from core.outbox import notify_listeners

_LIVE = (DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.SENT)


async def deliver_waiting(
    session: AsyncSession, account_id: int, staff_ids: Collection[int], now: datetime
) -> int:
    """Deliveries to ``account_id`` for the questions waiting for ``staff_ids``; how many."""
    if not staff_ids:
        return 0
    delivered = (
        select(Delivery.id)
        .where(Delivery.event_id == OutboxEvent.id, Delivery.state.in_(_LIVE))
        .correlate(OutboxEvent)
    )
    rows = await session.execute(
        select(OutboxEvent.id)
        .join(ThreadMessage, ThreadMessage.id == OutboxEvent.object_id)
        .join(MessageThread, MessageThread.id == ThreadMessage.thread_id)
        .where(
            OutboxEvent.kind == EventKind.THREAD_MESSAGE,
            OutboxEvent.object_type == "thread_messages",
            MessageThread.staff_id.in_(set(staff_ids)),
            MessageThread.status != ThreadStatus.CLOSED,
            ThreadMessage.author_kind == AuthorKind.FAMILY,
            ThreadMessage.read_at.is_(None),
            ~exists(delivered),
        )
        .order_by(OutboxEvent.id)
    )
    event_ids = list(rows.scalars())
    if event_ids:
        await session.execute(
            insert(Delivery),
            [
                {
                    "event_id": event_id,
                    "account_id": account_id,
                    "state": DeliveryState.PENDING,
                    "not_before": now,
                    "attempts": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for event_id in event_ids
            ],
        )
        await notify_listeners(session)
    return len(event_ids)


async def thread_of_message(session: AsyncSession, account_id: int, message_key: str) -> int | None:
    """The thread whose message the bot put into this account's chat as ``message_key``."""
    row = (
        await session.execute(
            select(OutboxEvent.kind, OutboxEvent.object_id, ThreadMessage.thread_id)
            .join(Delivery, Delivery.event_id == OutboxEvent.id)
            .outerjoin(
                ThreadMessage,
                (OutboxEvent.object_type == "thread_messages")
                & (ThreadMessage.id == OutboxEvent.object_id),
            )
            .where(
                Delivery.account_id == account_id,
                Delivery.message_key == message_key,
                OutboxEvent.kind.in_((EventKind.THREAD_MESSAGE, EventKind.THREAD_REPORTED)),
            )
            .limit(1)
        )
    ).one_or_none()
    if row is None:
        return None
    if row.kind == EventKind.THREAD_REPORTED:
        return int(row.object_id)
    return int(row.thread_id) if row.thread_id is not None else None
