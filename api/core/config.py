"""One settings object for the whole API, read from the environment or `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.core.locales import SOURCE_LOCALE

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The secrets `make run` generates on first start (api/core/secrets.py); `.env` and the
# environment override them.
LOCAL_SECRETS_FILE = PROJECT_ROOT / ".secrets" / "local.env"
SECRET_NAMES = ("rasa_token", "actions_token", "channel_id_key")
MIN_SECRET_LENGTH = 16
# Values copied from old examples, or typed to get going: never accepted outside tests.
PLACEHOLDER_PREFIXES = ("change-me", "changeme", "secret", "test-", "example")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=(LOCAL_SECRETS_FILE, PROJECT_ROOT / ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
    )

    environment: Literal["development", "test", "production"] = "development"

    # Where the API listens; the web chat is served from here too.
    api_host: str = "127.0.0.1"
    api_port: int = 8000

    # The application database. SQLite needs nothing installed; use PostgreSQL in production.
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'front-door.db'}"
    migrate_on_start: bool = True

    # Rasa is an internal service: loopback, protected by a token, telemetry off.
    rasa_url: str = "http://127.0.0.1:5005"
    # Several Rasa processes (production): a JSON list of addresses, used instead of
    # RASA_URL. They must share a Redis tracker store and lock store.
    rasa_urls: list[str] = Field(default_factory=list)
    rasa_token: SecretStr = SecretStr("")
    # Past this, the survivor gets the helpline and 999 rather than waiting. Not shorter:
    # Rasa still handles a message it was too slow to answer, so under load a short
    # timeout would move the conversation on while the survivor is told "try again".
    # Twilio gives a webhook 15 seconds.
    rasa_timeout_seconds: float = 8.0

    # Rasa calls the API's action endpoint with this token; compared in constant time.
    actions_token: SecretStr = SecretStr("")

    # Content: translation catalogs and the local hub's details.
    locales_dir: Path = PROJECT_ROOT / "content" / "locales"
    hub_config_file: Path = PROJECT_ROOT / "content" / "hub" / "north-yorkshire-york.yml"
    default_locale: str = SOURCE_LOCALE

    # The address people reach this service at, behind any proxy (used in links sent by
    # SMS, and to check Twilio's signatures). Empty: links are relative, for the web only.
    public_base_url: str = ""

    # Web chat
    max_message_chars: int = Field(default=2000, ge=1)
    # How long a numbered reply ("2") can pick from the options last offered by SMS or
    # WhatsApp. They are kept encrypted, and only this long: they can reveal answers.
    numbered_options_hours: float = Field(default=4.0, gt=0)
    exit_destination: str = "https://www.bbc.co.uk/weather"
    # Websites allowed to embed the chat widget (scheme://host[:port]), comma-separated.
    embed_origins: list[str] = Field(default_factory=list)
    neutral_page_title: bool = False

    # Twilio (SMS and WhatsApp). The auth token checks every webhook's signature.
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_sms_from: str = ""  # the service's SMS number, e.g. +447700900000
    twilio_whatsapp_from: str = ""  # e.g. whatsapp:+447700900000
    # Approved WhatsApp template (Content SID) for messages outside the 24-hour window.
    twilio_whatsapp_template_sid: str = ""
    # Where the Twilio client sends its requests; tests point it at a local stand-in.
    twilio_api_base: str = "https://api.twilio.com"
    # Key for the pseudonymous conversation id of a phone number (HMAC-SHA256).
    channel_id_key: SecretStr = SecretStr("")

    # The hub's webhook connector (off when empty): consented referrals are POSTed there as
    # signed JSON (docs/hub-payload.md). The built-in staff console is always on.
    hub_webhook_url: str = ""
    hub_webhook_secret: SecretStr = SecretStr("")
    hub_webhook_timeout_seconds: float = 10.0
    # The version of the referral document the hub's system was built for
    # (docs/hub-delivery.md): 2, 3 for a new integration (it can say "they will contact
    # you"), or 1 for a hub that integrated with version 1.
    hub_payload_version: int = Field(default=2, ge=1, le=3)
    # Retries back off exponentially (with jitter) up to the cap, for at least this long,
    # then the entry is dead-lettered for staff to see and retry.
    hub_retry_base_seconds: float = 30.0
    hub_retry_cap_seconds: float = 3600.0
    hub_retry_window_hours: float = 48.0
    # A worker's claim on an entry lasts this long; after a crash another worker takes it.
    hub_lease_seconds: float = 120.0
    # Run the delivery worker inside the API process (one per process; claims are safe).
    outbox_worker_in_api: bool = True
    outbox_poll_seconds: float = 2.0

    # Retention: conversations idle this long are erased (here and in Rasa); closed
    # referrals are deleted this many days after they were made.
    conversation_retention_hours: float = 24.0
    closed_referral_retention_days: float = 90.0
    purge_every_seconds: float = 300.0
    # Erasures Rasa still owes (it was away at exit) are tried again this often.
    erase_retry_seconds: float = Field(default=5.0, gt=0)

    # Live chat with a support worker (docs/live-chat.md; turned on in the hub configuration).
    # Every API process looks for new live messages in the database this often, for the
    # pages it is streaming to, and checks the queue for waits that ran out.
    live_poll_seconds: float = Field(default=0.5, gt=0)
    live_queue_check_seconds: float = Field(default=5.0, gt=0)
    # How long the note of how a chat ended (no words) is kept for the survivor's page.
    live_ended_keep_seconds: float = Field(default=600.0, gt=0)

    # Where a consented referral waits, encrypted, if the database is down when it is sent;
    # each API process stores what is waiting every few seconds. Use a persistent local disk.
    referral_spool_dir: Path = PROJECT_ROOT / "var" / "spool"
    spool_replay_seconds: float = Field(default=5.0, gt=0)

    # Fernet keys for personal fields, comma-separated; the first encrypts, all decrypt.
    # Generate one with: python -m api.rotate_keys --new-key
    referral_keys: SecretStr = SecretStr("")

    # The staff console (/staff). Cookies are Secure unless this is turned off, which is
    # only for a console on this computer's loopback address over plain http.
    staff_cookie_secure: bool = True
    # Signed out after this long without a request, and after this long in any case.
    staff_idle_minutes: float = Field(default=15.0, gt=0)
    staff_session_hours: float = Field(default=10.0, gt=0)
    # An account locks for a while after this many wrong passwords in a row...
    staff_lockout_failures: int = Field(default=5, ge=1)
    staff_lockout_minutes: float = Field(default=15.0, gt=0)
    # ...and one address may fail only this many times in the window, across accounts.
    staff_rate_limit_failures: int = Field(default=20, ge=1)
    staff_rate_limit_minutes: float = Field(default=15.0, gt=0)

    # Rate limits, shared by every API worker: counted in the database, or in Redis when
    # RATE_LIMIT_REDIS_URL is set (the production profile). Addresses are counted as keyed
    # hashes; put the proxy's addresses in FORWARDED_ALLOW_IPS (docs/deployment.md), or
    # every survivor behind it counts as one address.
    rate_limit_redis_url: str = ""
    chat_messages_per_minute_per_address: int = Field(default=90, ge=1)
    chat_messages_per_minute_per_conversation: int = Field(default=30, ge=1)
    new_conversations_per_hour_per_address: int = Field(default=30, ge=1)
    referrals_per_day_per_address: int = Field(default=5, ge=1)
    # Coming back with a reference and a word (api/referrals/returning.py): tries per
    # reference and per sender (web address or phone number) in the window, like sign-in.
    # Every try counts, right or wrong, so the count itself reveals nothing.
    returning_tries_per_reference: int = Field(default=5, ge=1)
    returning_tries_per_sender: int = Field(default=10, ge=1)
    returning_window_hours: float = Field(default=24.0, gt=0)
    # A check lasts this long, and only in the conversation it was made in.
    returning_verified_minutes: float = Field(default=15.0, gt=0)
    # Without a word: a one-time code sent to the safe contact the referral gave (by SMS
    # or WhatsApp, only if it allows messages), at most this many a day per reference,
    # each good for this long and once. Wrong codes count as wrong words.
    returning_codes_per_reference: int = Field(default=3, ge=1)
    returning_code_minutes: float = Field(default=10.0, gt=0)

    # The OpenAPI document (/openapi.json) and its page (/docs). Unset: on, except in
    # production.
    api_docs: bool | None = None

    log_level: str = "INFO"

    @property
    def api_docs_enabled(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.environment != "production"

    @property
    def rasa_addresses(self) -> list[str]:
        return self.rasa_urls or [self.rasa_url]

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        """Every environment but the tests' needs real secrets: with a known channel key
        anyone could compute a survivor's SMS conversation id from their number."""
        if self.environment == "test":
            return self
        how = "make run creates them in .secrets/local.env; in production, set them"
        for name in SECRET_NAMES:
            value = getattr(self, name).get_secret_value().strip()
            if len(value) < MIN_SECRET_LENGTH or value.lower().startswith(PLACEHOLDER_PREFIXES):
                raise ValueError(f"{name.upper()} must be a long random value ({how})")
        if self.environment == "production" and self.hub_webhook_url:
            self._check_hub_webhook()
        keys = [k.strip() for k in self.referral_keys.get_secret_value().split(",") if k.strip()]
        if not keys:
            raise ValueError(f"REFERRAL_KEYS must be set ({how})")
        for key in keys:
            try:
                Fernet(key.encode())
            except ValueError:
                raise ValueError("REFERRAL_KEYS must be Fernet keys, comma-separated") from None
        return self

    def _check_hub_webhook(self) -> None:
        """Referrals travel to the hub signed and encrypted in transit. A receiver on this
        machine's loopback (a local relay) is the one place plain http is allowed."""
        if len(self.hub_webhook_secret.get_secret_value().strip()) < MIN_SECRET_LENGTH:
            raise ValueError("HUB_WEBHOOK_SECRET must be a long random value in production")
        url = urlsplit(self.hub_webhook_url)
        loopback = url.hostname in {"127.0.0.1", "localhost", "::1"}
        if url.scheme != "https" and not (url.scheme == "http" and loopback):
            raise ValueError("HUB_WEBHOOK_URL must be https:// in production")


@lru_cache
def get_settings() -> Settings:
    return Settings()
