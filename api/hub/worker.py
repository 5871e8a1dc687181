"""The outbox worker: `python -m api.hub.worker` runs it on its own; by default the API also
runs one in each process. Any number may run at once."""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import timedelta

from api.core.config import Settings, get_settings
from api.core.crypto import FieldCipher, encryption_keys
from api.core.db import make_engine
from api.core.logging import configure_logging
from api.hub.delivery import WEBHOOK, DeliveryPolicy, deliver_due

logger = logging.getLogger(__name__)


def policy_from(settings: Settings) -> DeliveryPolicy | None:
    if not settings.hub_webhook_url:
        return None
    return DeliveryPolicy(
        url=settings.hub_webhook_url,
        secret=settings.hub_webhook_secret.get_secret_value(),
        timeout_seconds=settings.hub_webhook_timeout_seconds,
        retry_base_seconds=settings.hub_retry_base_seconds,
        retry_cap_seconds=settings.hub_retry_cap_seconds,
        retry_window=timedelta(hours=settings.hub_retry_window_hours),
        lease=timedelta(seconds=settings.hub_lease_seconds),
        payload_version=settings.hub_payload_version,
    )


def connectors(settings: Settings) -> tuple[str, ...]:
    """The connectors a new referral is owed to (the staff console reads the table itself)."""
    return (WEBHOOK,) if settings.hub_webhook_url else ()


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)  # the same redacting filter as the API
    policy = policy_from(settings)
    if policy is None:
        raise SystemExit("HUB_WEBHOOK_URL is not set: there is nothing to deliver to.")
    engine = make_engine(settings.database_url)
    cipher = FieldCipher(encryption_keys(settings))
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    while not stopping.is_set():
        try:
            deliver_due(engine, cipher, policy)
        except Exception:
            logger.exception("outbox pass failed; will try again")
        time.sleep(settings.outbox_poll_seconds)


if __name__ == "__main__":
    main()
