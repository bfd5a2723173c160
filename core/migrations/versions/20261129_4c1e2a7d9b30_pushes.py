"""pushes: scheduled event kinds, a dedupe key for planned messages, the coalescing index

Revision ID: 4c1e2a7d9b30
Revises: 91b85dfd19da
Create Date: 2026-11-29 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4c1e2a7d9b30"
down_revision: str | None = "91b85dfd19da"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_KINDS = (
    "mark_added",
    "mark_changed",
    "mark_deleted",
    "absence_recorded",
    "timetable_changed",
    "homework_added",
    "attestation_set",
    "announcement",
    "thread_message",
)
_NEW_KINDS = (*_OLD_KINDS, "evening_digest", "weekly_summary")


def _kind(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="event_kind", native_enum=False, create_constraint=True, length=32)


def _check(values: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _replace_kind_check(values: tuple[str, ...]) -> None:
    # The enum is a VARCHAR with a CHECK (core.models.base.str_enum): widening it means
    # replacing the constraint. Batch mode recreates the table on SQLite.
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_events_event_kind"), type_="check")
        batch_op.create_check_constraint("event_kind", _check(values))


def upgrade() -> None:
    _replace_kind_check(_NEW_KINDS)
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=96), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_outbox_events_dedupe_key"), ["dedupe_key"]
        )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_account_id"))
        batch_op.create_index(
            batch_op.f("ix_deliveries_account_id_state_sent_at"),
            ["account_id", "state", "sent_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_account_id_state_sent_at"))
        batch_op.create_index(batch_op.f("ix_deliveries_account_id"), ["account_id"], unique=False)
    op.execute(
        sa.text("DELETE FROM outbox_events WHERE kind IN ('evening_digest', 'weekly_summary')")
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_outbox_events_dedupe_key"), type_="unique")
        batch_op.drop_column("dedupe_key")
    _replace_kind_check(_OLD_KINDS)
