"""A repeat referral: a second referral from a returning survivor, linked to their first
with their agreement.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("previous_referral_id", sa.String(length=36), nullable=True))
        batch.create_index("ix_referral_previous_referral_id", ["previous_referral_id"])


def downgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.drop_index("ix_referral_previous_referral_id")
        batch.drop_column("previous_referral_id")
