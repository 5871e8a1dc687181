"""Messages the service sends about a referral go out through Twilio: the same stand-in
for Twilio's servers, and the same signed-webhook client, as the channel tests."""

from tests.api.channels.conftest import sms_client, sms_settings, twilio

__all__ = ["sms_client", "sms_settings", "twilio"]
