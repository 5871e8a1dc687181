"""The hub outbox: a delivery owed per referral per connector.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outboxentry",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("referral_id", sa.String(length=36), nullable=False),
        sa.Column("connector", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_outboxentry_referral_id", "outboxentry", ["referral_id"])
    op.create_index("ix_outboxentry_status", "outboxentry", ["status"])
    op.create_index("ix_outboxentry_next_attempt_at", "outboxentry", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_table("outboxentry")
