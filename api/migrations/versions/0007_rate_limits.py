"""Rate limits: hits per subject and window, and how often limits were hit (no subjects).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ratecount",
        sa.Column("key", sa.String(length=120), primary_key=True),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_ratecount_expires_at", "ratecount", ["expires_at"])
    op.create_table(
        "limithit",
        sa.Column("hour", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("limit_name", sa.String(length=40), primary_key=True),
        sa.Column("subjects", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("limithit")
    op.drop_index("ix_ratecount_expires_at", table_name="ratecount")
    op.drop_table("ratecount")
