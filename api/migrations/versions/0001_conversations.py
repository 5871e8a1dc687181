"""Conversations: channel, language and the options last shown; never message text.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", sa.String(length=64), primary_key=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_options", sa.JSON(), nullable=False),
    )
    op.create_index("ix_conversation_last_active_at", "conversation", ["last_active_at"])


def downgrade() -> None:
    op.drop_index("ix_conversation_last_active_at", table_name="conversation")
    op.drop_table("conversation")
