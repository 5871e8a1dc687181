"""Chat with a support worker now: the queue entry and the live chat's messages.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "livechat",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("flags", sa.String(length=200), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker_id", sa.String(length=36), nullable=True),
        sa.Column("worker_name", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(), nullable=True),
    )
    op.create_index("ix_livechat_conversation_id", "livechat", ["conversation_id"], unique=True)
    op.create_index("ix_livechat_status", "livechat", ["status"])
    op.create_index("ix_livechat_worker_id", "livechat", ["worker_id"])
    op.create_table(
        "livemessage",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.String(length=36), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", sa.String(), nullable=True),
        sa.Column("detail", sa.String(length=100), nullable=True),
        sqlite_autoincrement=True,  # ids are event ids: never reused
    )
    op.create_index("ix_livemessage_chat_id", "livemessage", ["chat_id"])
    op.create_index("ix_livemessage_conversation_id", "livemessage", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("livemessage")
    op.drop_table("livechat")
