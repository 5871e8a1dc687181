"""One erasure for every way a conversation ends: a durable queue of erasures still owed
by Rasa, and the conversation a referral came from (so erasure by reference reaches it).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pendingerasure",
        sa.Column("conversation_id", sa.String(length=64), primary_key=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_pendingerasure_next_try_at", "pendingerasure", ["next_try_at"])
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("conversation_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # Erasures Rasa still owes would be forgotten, and those conversations kept: refuse.
    waiting = op.get_bind().execute(sa.text("SELECT count(*) FROM pendingerasure")).scalar()
    if waiting:
        raise RuntimeError(
            f"{waiting} erasures still wait for Rasa: start Rasa and let them finish first"
        )
    with op.batch_alter_table("referral") as batch:
        batch.drop_column("conversation_id")
    op.drop_index("ix_pendingerasure_next_try_at", table_name="pendingerasure")
    op.drop_table("pendingerasure")
