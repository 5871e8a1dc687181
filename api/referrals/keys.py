"""Where the referral encryption keys come from."""

from __future__ import annotations

import logging
import os

from cryptography.fernet import Fernet

from api.core.config import PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)

DEV_KEY_FILE = PROJECT_ROOT / "var" / "referral.key"


def referral_keys(settings: Settings) -> list[str]:
    """Keys from settings; for a local run without any, one made once and kept under var/.

    Production refuses to start without REFERRAL_KEYS (see Settings).
    """
    configured = [
        k.strip() for k in settings.referral_keys.get_secret_value().split(",") if k.strip()
    ]
    if configured:
        return configured
    if not DEV_KEY_FILE.exists():
        DEV_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(DEV_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(Fernet.generate_key().decode())
        logger.warning("no REFERRAL_KEYS set: made a local development key under var/")
    return [DEV_KEY_FILE.read_text().strip()]
