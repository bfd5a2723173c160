"""deliveries.claimed_by: which notifier holds a claim, so that it can renew it

Revision ID: a8d3f5c2e917
Revises: e4a7b2c9d1f3
Create Date: 2026-12-12 10:00:00

A live notifier renews the claims it holds every few seconds (``claimed_at``), so leases can be
short and a dead notifier's claims are free within seconds. The renewal names the deliveries by
primary key and keeps only those still claimed by this notifier: a claim that ran out and was
taken by another is not renewed, and its message is not sent here. No index: never searched by.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8d3f5c2e917"
down_revision: str | None = "e4a7b2c9d1f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("claimed_by")
