"""Domain events for families, written to the outbox in the same transaction as the change.

Every core write that a family cares about calls `Outbox.add`; `flush` inserts the batch. An event
about a day before the cut-off (history, e.g. the first import of a year of marks) is recorded as
already processed, so the notifier never pushes it.

On PostgreSQL ``flush`` also queues a NOTIFY on :data:`CHANNEL`; PostgreSQL delivers it at
commit (and drops it on rollback), so a listening notifier wakes exactly when the change is
visible. Other databases rely on the notifier's poll.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import EventKind, OutboxEvent

CHANNEL = "journal_outbox"


@dataclass
class Outbox:
    school_id: int
    now: datetime
    silent_before: date  # events about earlier days are recorded silently
    _rows: list[dict[str, Any]] = field(default_factory=list)
    loud: int = 0
    silent: int = 0

    def add(
        self,
        kind: EventKind,
        *,
        about: date,
        object_type: str,
        object_id: int,
        student_id: int | None = None,
        class_id: int | None = None,
        group_id: int | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        silent = about < self.silent_before
        if silent:
            self.silent += 1
        else:
            self.loud += 1
        self._rows.append(
            {
                "school_id": self.school_id,
                "kind": kind,
                "student_id": student_id,
                "class_id": class_id,
                "group_id": group_id,
                "object_type": object_type,
                "object_id": object_id,
                "payload": payload or {},
                "silent": silent,
                "occurred_at": self.now,
                "processed_at": self.now if silent else None,
            }
        )

    def take(self) -> list[dict[str, Any]]:
        """The events recorded since the last flush or take, as rows, handed over to a caller
        that inserts them its own way (the importer's COPY); the outbox forgets them."""
        rows, self._rows = self._rows, []
        return rows

    async def flush(self, session: AsyncSession) -> None:
        if self._rows:
            await session.execute(insert(OutboxEvent), self._rows)
            self._rows.clear()
            if self.loud:
                await notify_listeners(session)


async def notify_listeners(session: AsyncSession) -> None:
    """Wake the notifiers when this transaction commits (PostgreSQL; a no-op elsewhere)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_notify(CHANNEL, "")))
