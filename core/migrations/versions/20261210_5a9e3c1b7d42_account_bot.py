"""accounts.bot: which of the messenger's bots the account writes to (per-school bots)

Revision ID: 5a9e3c1b7d42
Revises: c7d2e4f61a83
Create Date: 2026-12-10 10:00:00

Every existing account is the main bot's (""). The unique key becomes (messenger, user_key,
bot): one person may write to the district's bot and to a school's own bot, one chat each.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a9e3c1b7d42"
down_revision: str | None = "c7d2e4f61a83"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(
            sa.Column("bot", sa.String(length=64), server_default=sa.text("''"), nullable=False)
        )
        batch.drop_constraint("uq_accounts_messenger_user_key", type_="unique")
        batch.create_unique_constraint(
            "uq_accounts_messenger_user_key_bot", ["messenger", "user_key", "bot"]
        )


def downgrade() -> None:
    # Accounts of schools' own bots may not fit the old key; refuse rather than lose links.
    others = op.get_bind().execute(sa.text("SELECT count(*) FROM accounts WHERE bot <> ''"))
    if others.scalar_one():
        raise RuntimeError("accounts of schools' own bots exist; /logout them before downgrading")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_constraint("uq_accounts_messenger_user_key_bot", type_="unique")
        batch.create_unique_constraint("uq_accounts_messenger_user_key", ["messenger", "user_key"])
        batch.drop_column("bot")
