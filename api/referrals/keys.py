"""Where the encryption keys for personal fields come from: REFERRAL_KEYS, and nowhere else.

`make run` generates one on first start into `.secrets/local.env` (api/core/secrets.py),
outside the data folder; every environment but the tests refuses to start without one.
"""

from __future__ import annotations

from api.core.config import Settings


class NoKeysError(RuntimeError):
    """No key to encrypt with: the settings should have refused to load."""


def referral_keys(settings: Settings) -> list[str]:
    configured = [
        k.strip() for k in settings.referral_keys.get_secret_value().split(",") if k.strip()
    ]
    if not configured:
        raise NoKeysError("REFERRAL_KEYS is not set (make run creates it in .secrets/local.env)")
    return configured
