"""Coming back without a word: one-time codes sent to the safe contact a referral gave,
kept only as a hash until they expire or are used.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "returncode",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("referral_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code_hash", sa.Text(), nullable=False),
    )
    op.create_index("ix_returncode_referral_id", "returncode", ["referral_id"])
    op.create_index("ix_returncode_expires_at", "returncode", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_returncode_expires_at", table_name="returncode")
    op.drop_index("ix_returncode_referral_id", table_name="returncode")
    op.drop_table("returncode")
