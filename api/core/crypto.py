"""Encryption at rest for personal fields, with key rotation: one key ring for the app.

Keys come from settings (REFERRAL_KEYS, comma-separated Fernet keys), never from the repo;
`make run` generates one on first start into `.secrets/local.env` (api/core/secrets.py),
outside the data folder. The first key encrypts; all keys decrypt, so a new key can be put
first and everything re-encrypted with `python -m api.rotate_keys` before the old
key is removed.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from api.core.config import Settings


class DecryptionError(ValueError):
    """No configured key opens this record (or it is older than was allowed)."""


class NoKeysError(RuntimeError):
    """No key to encrypt with: the settings should have refused to load."""


def encryption_keys(settings: Settings) -> list[str]:
    configured = [
        k.strip() for k in settings.referral_keys.get_secret_value().split(",") if k.strip()
    ]
    if not configured:
        raise NoKeysError("REFERRAL_KEYS is not set (make run creates it in .secrets/local.env)")
    return configured


class FieldCipher:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()

    def encrypt(self, data: dict[str, Any]) -> str:
        plain = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        return self._fernet.encrypt(plain).decode()

    def decrypt(self, token: str, *, max_age_seconds: int | None = None) -> dict[str, Any]:
        """The data sealed in `token`; with `max_age_seconds`, only if sealed that recently."""
        try:
            plain = self._fernet.decrypt(token.encode(), ttl=max_age_seconds)
        except InvalidToken as error:
            raise DecryptionError("no configured key opens this record") from error
        data: dict[str, Any] = json.loads(plain)
        return data

    def rotate(self, token: str) -> str:
        """Re-encrypt with the first (newest) key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as error:
            raise DecryptionError("no configured key opens this record") from error
