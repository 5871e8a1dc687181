"""The staff console: accounts, sessions, sign-in failures, audit log, notes, contact
attempts, and the working fields of a referral.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("assigned_to", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("allocated_service", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("closing_reason", sa.String(length=40), nullable=True))
        batch.create_index("ix_referral_assigned_to", ["assigned_to"])

    op.create_table(
        "staffuser",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("encrypted_totp_secret", sa.String(length=400), nullable=True),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_staffuser_email", "staffuser", ["email"], unique=True)

    op.create_table(
        "staffsession",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("awaiting_second_factor", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_staffsession_user_id", "staffsession", ["user_id"])

    op.create_table(
        "signinfailure",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_signinfailure_client_key", "signinfailure", ["client_key"])
    op.create_index("ix_signinfailure_at", "signinfailure", ["at"])

    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("referral_id", sa.String(length=36), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
    )
    op.create_index("ix_auditevent_at", "auditevent", ["at"])
    op.create_index("ix_auditevent_actor_id", "auditevent", ["actor_id"])
    op.create_index("ix_auditevent_action", "auditevent", ["action"])
    op.create_index("ix_auditevent_referral_id", "auditevent", ["referral_id"])

    op.create_table(
        "referralnote",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("referral_id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("encrypted_text", sa.Text(), nullable=False),
    )
    op.create_index("ix_referralnote_referral_id", "referralnote", ["referral_id"])

    op.create_table(
        "contactattempt",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("referral_id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("retry_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("encrypted_note", sa.Text(), nullable=True),
    )
    op.create_index("ix_contactattempt_referral_id", "contactattempt", ["referral_id"])


def downgrade() -> None:
    for table in ("contactattempt", "referralnote", "auditevent", "signinfailure"):
        op.drop_table(table)
    op.drop_table("staffsession")
    op.drop_table("staffuser")
    with op.batch_alter_table("referral") as batch:
        batch.drop_index("ix_referral_assigned_to")
        for column in ("closing_reason", "allocated_service", "assigned_to", "updated_at"):
            batch.drop_column(column)
