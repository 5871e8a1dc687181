"""The audit log: who did what to which referral, and when.

Never a survivor's details, so it can be kept after the referral itself is erased. Every
domain writes to it (casework, erasure, sign-in), so it sits below them all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, Session, SQLModel

from api.core.clock import utcnow


class AuditEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), index=True)
    actor_id: str | None = Field(default=None, max_length=36, index=True)
    action: str = Field(max_length=40, index=True)
    referral_id: str | None = Field(default=None, max_length=36, index=True)
    # Codes and ids only (a status, a service name, a user id): never a survivor's details.
    detail: str | None = Field(default=None, max_length=200)


def audit(
    db_session: Session,
    action: str,
    *,
    actor_id: str | None,
    referral_id: str | None = None,
    detail: str | None = None,
) -> None:
    """Add an audit event to the session; the caller's commit writes it with the change."""
    db_session.add(
        AuditEvent(action=action, actor_id=actor_id, referral_id=referral_id, detail=detail)
    )
