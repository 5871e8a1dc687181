"""Encryption at rest for personal fields, with key rotation.

Keys come from settings (REFERRAL_KEYS, comma-separated Fernet keys), never from the repo.
The first key encrypts; all keys decrypt, so a new key can be put first and old records
re-encrypted with `python -m api.referrals.rotate` before the old key is removed.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class DecryptionError(ValueError):
    """No configured key opens this record."""


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

    def decrypt(self, token: str) -> dict[str, Any]:
        try:
            plain = self._fernet.decrypt(token.encode())
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
