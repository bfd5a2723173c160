"""The notification outbox and its deliveries, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, IdMixin, TimestampsMixin, fk, str_enum, utcnow
from core.models.enums import DeliveryState, EventKind


class OutboxEvent(IdMixin, Base):
    """A domain event written in the same transaction as the change it describes.

    ``silent`` events (history older than the cut-off) are kept for the record, never pushed.
    """

    __tablename__ = "outbox_events"

    school_id: Mapped[int] = fk("schools.id", index=False)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, "event_kind"))
    student_id: Mapped[int | None] = fk("students.id", nullable=True, index=False)
    class_id: Mapped[int | None] = fk("school_classes.id", nullable=True, index=False)
    group_id: Mapped[int | None] = fk("class_groups.id", nullable=True, index=False)
    # Which row changed, e.g. ("marks", 42): lets a correction find its pending push.
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    silent: Mapped[bool] = mapped_column(default=False)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    # Scheduled messages are planned by whichever process leads; the key makes a second
    # planning of the same digest a no-op ("evening_digest:2026-11-30:42").
    dedupe_key: Mapped[str | None] = mapped_column(String(96), unique=True)

    __table_args__ = (
        Index(None, "processed_at", "id"),
        Index(None, "object_type", "object_id"),
    )


class Delivery(TimestampsMixin, IdMixin, Base):
    """One event to one account: the notifier's record that makes sends exactly-once-ish."""

    __tablename__ = "deliveries"

    event_id: Mapped[int] = fk("outbox_events.id", index=False)
    account_id: Mapped[int] = fk("accounts.id", index=False)  # leads the index below
    state: Mapped[DeliveryState] = mapped_column(
        str_enum(DeliveryState, "delivery_state"), default=DeliveryState.PENDING
    )
    not_before: Mapped[datetime] = mapped_column(default=utcnow)  # quiet hours, back-off
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    claimed_at: Mapped[datetime | None]  # renewed by the notifier's heartbeat while it holds it
    claimed_by: Mapped[str | None] = mapped_column(String(32))  # that notifier's instance id
    sent_at: Mapped[datetime | None]
    message_key: Mapped[str | None] = mapped_column(String(64))  # the messenger's message id
    last_error: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (
        UniqueConstraint("event_id", "account_id"),
        Index(None, "state", "not_before"),
        # The coalescing window asks when an account was last sent something.
        Index(None, "account_id", "state", "sent_at"),
        CheckConstraint("attempts >= 0", name="attempts"),
    )


class AuditRecord(IdMixin, Base):
    """Who read or changed whose personal data, what and when (152-FZ)."""

    __tablename__ = "audit_log"

    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Plain ids, not foreign keys: the trail must outlive the rows it speaks of.
    school_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_account_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_staff_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_label: Mapped[str | None] = mapped_column(String(64))  # "cli", "import", "scheduler"
    action: Mapped[str] = mapped_column(String(64))
    student_id: Mapped[int | None] = mapped_column(BigInteger)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(BigInteger)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        Index(None, "student_id", "at"),
        Index(None, "actor_account_id", "action", "at"),
        # The retention purge (core.privacy.retention): the oldest records by age, and the
        # erased accounts' "logout" records (a small partial index: logouts are rare).
        Index(None, "at"),
        Index(
            "ix_audit_log_logouts",
            "at",
            sqlite_where=text("action = 'logout'"),
            postgresql_where=text("action = 'logout'"),
        ),
    )
