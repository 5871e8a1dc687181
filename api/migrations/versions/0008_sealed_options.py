"""The options last offered are kept encrypted, with an expiry, instead of in the clear.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The old column held answers in the clear; it goes, and nothing is carried over (a
    # numbered reply just after the upgrade is read as typed words instead).
    with op.batch_alter_table("conversation") as batch:
        batch.drop_column("last_options")
        batch.add_column(sa.Column("sealed_options", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversation") as batch:
        batch.drop_column("sealed_options")
        batch.add_column(
            sa.Column("last_options", sa.JSON(), nullable=False, server_default="[]")
        )
