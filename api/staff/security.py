"""Passwords, session tokens and second factors for staff: small, standard, no inventions.

Passwords are hashed with argon2id (argon2-cffi's defaults follow RFC 9106's
recommendations); session cookies carry a random token of which only a SHA-256 hash is
stored; CSRF tokens are random per session and compared in constant time; TOTP is RFC 6238
through pyotp.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()  # argon2id
# Verified against when the account does not exist, so a wrong name takes as long as a
# wrong password and does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class WeakPasswordError(ValueError):
    """Too short to protect survivors' details."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"use at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def client_key(secret: str, address: str) -> str:
    """A keyed hash of a client address, so the rate limit stores no addresses."""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def totp_step(secret: str, code: str, *, after: int | None = None) -> int | None:
    """The time step a code belongs to, if it is right and newer than `after`; else None.

    One step either side allows for a phone's clock being a little out. A step already
    used is refused, so a code seen over someone's shoulder cannot be used again (RFC 6238,
    section 5.2)."""
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(datetime.now(UTC))
    for step in (now - 1, now, now + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def verify_totp(secret: str, code: str) -> bool:
    return totp_step(secret, code) is not None
