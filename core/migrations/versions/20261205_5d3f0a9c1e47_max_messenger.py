"""max messenger: accounts, link attempts and attachments may belong to MAX

Revision ID: 5d3f0a9c1e47
Revises: 276855628ddd
Create Date: 2026-12-05 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d3f0a9c1e47"
down_revision: str | None = "276855628ddd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("accounts", "link_attempts", "message_attachments")
_OLD = ("telegram", "console")
_NEW = ("telegram", "max", "console")


def _check(values: tuple[str, ...]) -> str:
    return "messenger IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _replace_messenger_checks(values: tuple[str, ...]) -> None:
    # The enum is a VARCHAR with a CHECK (core.models.base.str_enum): widening it means
    # replacing the constraint. Batch mode recreates the table on SQLite.
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_messenger"), type_="check")
            batch_op.create_check_constraint("messenger", _check(values))


def upgrade() -> None:
    _replace_messenger_checks(_NEW)


def downgrade() -> None:
    # MAX accounts cannot exist in the older schema: their links, settings and deliveries go
    # with them (a downgrade is for a school that stops offering MAX).
    op.execute(sa.text("DELETE FROM message_attachments WHERE messenger = 'max'"))
    op.execute(sa.text("DELETE FROM link_attempts WHERE messenger = 'max'"))
    for table in ("deliveries", "account_links", "notification_preferences"):
        op.execute(
            sa.text(
                f"DELETE FROM {table} WHERE account_id IN "  # noqa: S608 - fixed names
                "(SELECT id FROM accounts WHERE messenger = 'max')"
            )
        )
    op.execute(sa.text("DELETE FROM accounts WHERE messenger = 'max'"))
    _replace_messenger_checks(_OLD)
