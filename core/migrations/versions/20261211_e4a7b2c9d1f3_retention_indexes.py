"""retention indexes: link_attempts and audit_log by age, the erased accounts' logouts

Revision ID: e4a7b2c9d1f3
Revises: 5a9e3c1b7d42
Create Date: 2026-12-11 10:00:00

The daily retention job (core.privacy.retention) deletes failed link attempts and audit records
by age alone; the existing indexes lead with the messenger user, the student or the actor, so
without these the purge would read the whole table every day. ``ix_audit_log_logouts`` is
partial (only "logout" records, a few per day): the erased accounts whose records are due to be
anonymised.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4a7b2c9d1f3"
down_revision: str | None = "5a9e3c1b7d42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LOGOUT = sa.text("action = 'logout'")


def upgrade() -> None:
    op.create_index("ix_link_attempts_attempted_at", "link_attempts", ["attempted_at"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index(
        "ix_audit_log_logouts",
        "audit_log",
        ["at"],
        sqlite_where=_LOGOUT,
        postgresql_where=_LOGOUT,
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_logouts", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_index("ix_link_attempts_attempted_at", table_name="link_attempts")
