"""Staff accounts and their sign-in sessions (what they did is in api/core/audit.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow

ROLES = ("staff", "admin")


class StaffUserBase(SQLModel):
    email: str = Field(index=True, unique=True, max_length=254)
    display_name: str = Field(max_length=80)
    role: str = Field(default="staff", max_length=8)
    active: bool = True


class StaffUser(StaffUserBase, table=True):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    password_hash: str = Field(max_length=200)
    # The TOTP secret, encrypted with the referral keys; None until set up.
    encrypted_totp_secret: str | None = Field(default=None, max_length=400)
    failed_sign_ins: int = 0
    # Wrong two-step codes since the last right one. A right password does not reset it, so
    # "password, then a few guesses" cannot repeat for ever.
    failed_second_factors: int = 0
    # The newest TOTP time step used: a code is good once.
    last_totp_step: int | None = Field(default=None, sa_type=BigInteger)
    locked_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class StaffSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(index=True, max_length=36)
    csrf_token: str = Field(max_length=64)
    # Password accepted, second factor still to come: only the code page is open.
    awaiting_second_factor: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class SignInFailure(SQLModel, table=True):
    """A failed sign-in from one client (a keyed hash of its address), for rate limiting."""

    id: int | None = Field(default=None, primary_key=True)
    client_key: str = Field(index=True, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), index=True)
