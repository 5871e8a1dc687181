"""Coming back with a reference: the hash of the word chosen for it, what the survivor
changed or added since, how staff tried to reach them, and hub events in the outbox.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("return_word_hash", sa.Text(), nullable=True))
    with op.batch_alter_table("contactattempt") as batch:
        batch.add_column(sa.Column("way", sa.String(length=24), nullable=True))
    with op.batch_alter_table("outboxentry") as batch:
        batch.add_column(
            sa.Column(
                "event",
                sa.String(length=32),
                nullable=False,
                server_default="referral.created",
            )
        )
        batch.add_column(sa.Column("encrypted_payload", sa.Text(), nullable=True))
    op.create_table(
        "referralupdate",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("referral_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("encrypted_detail", sa.Text(), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_by", sa.String(length=36), nullable=True),
    )
    op.create_index("ix_referralupdate_referral_id", "referralupdate", ["referral_id"])


def downgrade() -> None:
    op.drop_index("ix_referralupdate_referral_id", table_name="referralupdate")
    op.drop_table("referralupdate")
    # Events to the hub cannot be told apart from referrals once the column goes: they
    # would be sent again as referrals. An earlier version has no events to send.
    op.execute("DELETE FROM outboxentry WHERE event != 'referral.created'")
    with op.batch_alter_table("outboxentry") as batch:
        batch.drop_column("encrypted_payload")
        batch.drop_column("event")
    with op.batch_alter_table("contactattempt") as batch:
        batch.drop_column("way")
    with op.batch_alter_table("referral") as batch:
        batch.drop_column("return_word_hash")
