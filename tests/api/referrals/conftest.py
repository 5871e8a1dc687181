"""For the messages the service sends about a referral: the same stand-in for Twilio's
servers and signed-webhook client as the channel tests (the database: tests/api/conftest.py)."""

from __future__ import annotations

from tests.api.channels.conftest import sms_client, sms_settings, twilio

__all__ = ["sms_client", "sms_settings", "twilio"]
