"""Two-step sign-in: a failure counter of its own, and the last time step used.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staffuser") as batch:
        batch.add_column(
            sa.Column("failed_second_factors", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("last_totp_step", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staffuser") as batch:
        batch.drop_column("last_totp_step")
        batch.drop_column("failed_second_factors")
