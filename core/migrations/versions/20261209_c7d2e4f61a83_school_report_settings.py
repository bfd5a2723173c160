"""school report and analytics settings: N's variants, the class line of /progress, risk rules

Revision ID: c7d2e4f61a83
Revises: b5190d31216a
Create Date: 2026-12-09 10:00:00

Settings of the exchange `school` table, each with the default the code used before: N counts
н/а pupils (yes) and exempt pupils (no); /progress shows the class average (no); the early
warning's fall of the average (0.50), absence percent (30) and fewest marks (3).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c7d2e4f61a83"
down_revision: str | None = "b5190d31216a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHECKS = {
    "risk_average_fall": "risk_average_fall BETWEEN 0.10 AND 2.00",
    "risk_absence_percent": "risk_absence_percent BETWEEN 1 AND 100",
    "risk_min_marks": "risk_min_marks BETWEEN 1 AND 10",
}


def upgrade() -> None:
    with op.batch_alter_table("schools") as batch:
        batch.add_column(
            sa.Column(
                "n_counts_not_attested", sa.Boolean(), server_default=sa.true(), nullable=False
            )
        )
        batch.add_column(
            sa.Column("n_counts_exempt", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(
            sa.Column(
                "progress_class_average", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch.add_column(
            sa.Column(
                "risk_average_fall",
                sa.Numeric(3, 2),
                server_default="0.50",
                nullable=False,
            )
        )
        batch.add_column(
            sa.Column(
                "risk_absence_percent", sa.SmallInteger(), server_default="30", nullable=False
            )
        )
        batch.add_column(
            sa.Column("risk_min_marks", sa.SmallInteger(), server_default="3", nullable=False)
        )
        for name, condition in _CHECKS.items():
            batch.create_check_constraint(name, condition)


def downgrade() -> None:
    with op.batch_alter_table("schools") as batch:
        for name in _CHECKS:
            batch.drop_constraint(batch.f(f"ck_schools_{name}"), type_="check")
        for name in (
            "risk_min_marks",
            "risk_absence_percent",
            "risk_average_fall",
            "progress_class_average",
            "n_counts_exempt",
            "n_counts_not_attested",
        ):
            batch.drop_column(name)
