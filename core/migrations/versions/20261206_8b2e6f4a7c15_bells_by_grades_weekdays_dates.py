"""bells by grades, weekdays and dates: several rows per shift and period

Revision ID: 8b2e6f4a7c15
Revises: 5d3f0a9c1e47
Create Date: 2026-12-06 10:00:00

A bell row may ring for some grades (`5,7`, `9-11`), some weekdays (`1`, `2-5`) and a range of
dates only; the most specific row that fits a class on a day wins (core.services.bells). The
unique (school_id, shift, period) becomes unique (school_id, shift, period, grades, weekdays,
valid_from), with a partial unique index for the rows without a first day (NULLs are distinct
in a unique constraint). Existing rows become the shifts' plain rows: no grades, no weekdays
(stored as ''), no dates.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8b2e6f4a7c15"
down_revision: str | None = "5d3f0a9c1e47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SELECTOR = ["school_id", "shift", "period", "grades", "weekdays"]
_UNDATED = sa.text("valid_from IS NULL")


def upgrade() -> None:
    # NOT NULL columns on a table that may hold rows: filled with '' once, then no default
    # (the model sets the value).
    with op.batch_alter_table("bells", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("grades", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("weekdays", sa.String(length=16), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
    with op.batch_alter_table("bells", schema=None) as batch_op:
        batch_op.alter_column("grades", server_default=None)
        batch_op.alter_column("weekdays", server_default=None)
        batch_op.drop_constraint(batch_op.f("uq_bells_school_id_shift_period"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_bells_school_id_shift_period_grades_weekdays_valid_from"),
            [*_SELECTOR, "valid_from"],
        )
        batch_op.create_check_constraint(
            "validity", "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to"
        )
    with op.batch_alter_table("bells", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bells_school_id_shift_period_grades_weekdays"),
            _SELECTOR,
            unique=True,
            sqlite_where=_UNDATED,
            postgresql_where=_UNDATED,
        )


def downgrade() -> None:
    # The older schema rings one schedule per shift: only the plain rows stay.
    op.execute(
        sa.text(
            "DELETE FROM bells WHERE grades <> '' OR weekdays <> '' "
            "OR valid_from IS NOT NULL OR valid_to IS NOT NULL"
        )
    )
    with op.batch_alter_table("bells", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bells_school_id_shift_period_grades_weekdays"))
    with op.batch_alter_table("bells", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_bells_validity"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("uq_bells_school_id_shift_period_grades_weekdays_valid_from"),
            type_="unique",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_bells_school_id_shift_period"), ["school_id", "shift", "period"]
        )
        batch_op.drop_column("valid_to")
        batch_op.drop_column("valid_from")
        batch_op.drop_column("weekdays")
        batch_op.drop_column("grades")
