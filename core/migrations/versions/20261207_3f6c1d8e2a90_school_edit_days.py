"""school edit window: how many days back teachers may write lessons from the chat

Revision ID: 3f6c1d8e2a90
Revises: 8b2e6f4a7c15
Create Date: 2026-12-07 10:00:00

A school setting (exchange `school` table, `edit_days`), 7 by default: older lessons are
corrected by the head teacher and the administration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f6c1d8e2a90"
down_revision: str | None = "8b2e6f4a7c15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("schools") as batch:
        batch.add_column(
            sa.Column("edit_days", sa.SmallInteger(), server_default="7", nullable=False)
        )
        batch.create_check_constraint("edit_days", "edit_days BETWEEN 0 AND 366")


def downgrade() -> None:
    with op.batch_alter_table("schools") as batch:
        batch.drop_constraint(batch.f("ck_schools_edit_days"), type_="check")
        batch.drop_column("edit_days")
