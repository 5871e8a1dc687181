"""The production profile on one machine: PostgreSQL, Redis, two Rasa processes, several
API workers and a separate outbox worker. Run: make run-production.

It needs PostgreSQL and Redis running (by default on 127.0.0.1:5432 and :6379; set
DATABASE_URL and FRONT_DOOR_REDIS_HOST / FRONT_DOOR_REDIS_PORT otherwise). Secrets are
made once into .secrets/production.env (readable by this user only, outside the data
folder) unless the environment already sets them. docs/deployment.md maps this onto
several machines.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psycopg
import redis
from sqlalchemy.engine import make_url

from api.core.db import migrate
from api.core.secrets import (
    EARLIER_PRODUCTION_SECRETS,
    PRODUCTION_SECRETS,
    InsecureSecretsError,
    ensure_secrets,
)
from scripts.stack import ROOT, Stack, port_is_free

DEFAULTS = {
    "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/front_door",
    "FRONT_DOOR_REDIS_HOST": "127.0.0.1",
    "FRONT_DOOR_REDIS_PORT": "6379",
    "FRONT_DOOR_REDIS_TRACKER_DB": "0",
    "FRONT_DOOR_REDIS_LOCK_DB": "1",
    # The API workers' shared rate-limit counters.
    "FRONT_DOOR_REDIS_LIMITS_DB": "2",
    # A conversation left for a day is gone from Redis even if nobody erased it.
    "FRONT_DOOR_TRACKER_EXPIRY_SECONDS": "86400",
    "RASA_PROCESSES": "2",
    "API_WORKERS": "2",
}


def production_secrets(path: Path = PRODUCTION_SECRETS) -> dict[str, str]:
    """Long random secrets, made once and kept owner-only outside the data folder; a file or
    folder that other users could read is refused. The environment wins."""
    values = ensure_secrets(path, moved_from=EARLIER_PRODUCTION_SECRETS)
    return {name: os.environ.get(name, value) for name, value in values.items()}


def ensure_database(url: str) -> None:
    """Create the application database if the server does not have it yet."""
    parsed = make_url(url)
    admin = (
        f"host={parsed.host} port={parsed.port or 5432} user={parsed.username} dbname=postgres"
        + (f" password={parsed.password}" if parsed.password else "")
    )
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{parsed.database}"')


def check_redis(host: str, port: int) -> None:
    redis.Redis(host=host, port=port, socket_connect_timeout=3).ping()


def production_stack(settings: dict[str, str], log_dir: Path | None = None) -> Stack:
    rasa_count = int(settings["RASA_PROCESSES"])
    first_rasa = int(os.environ.get("RASA_PORT", "5005"))
    stack = Stack(
        api_port=int(os.environ.get("API_PORT", "8000")),
        rasa_port=first_rasa,
        more_rasa_ports=[first_rasa + n for n in range(1, rasa_count)],
        database_url=settings["DATABASE_URL"],
        rasa_token=settings["RASA_TOKEN"],
        actions_token=settings["ACTIONS_TOKEN"],
        channel_id_key=settings["CHANNEL_ID_KEY"],
        referral_keys=settings["REFERRAL_KEYS"],
        environment="production",
        endpoints="bot/endpoints.production.yml",
        api_workers=int(settings["API_WORKERS"]),
        log_dir=log_dir,
    )
    stack.extra_env.update(
        {
            **{k: v for k, v in settings.items() if k not in {"RASA_PROCESSES", "API_WORKERS"}},
            "RATE_LIMIT_REDIS_URL": "redis://{}:{}/{}".format(
                settings["FRONT_DOOR_REDIS_HOST"],
                settings["FRONT_DOOR_REDIS_PORT"],
                settings.get("FRONT_DOOR_REDIS_LIMITS_DB", "2"),
            ),
            # Migrated once here, not by every worker at the same moment.
            "MIGRATE_ON_START": "false",
            # Delivery runs in its own process, so API workers only serve requests.
            "OUTBOX_WORKER_IN_API": "false",
            # A conversation's lock outlives a crashed Rasa process by at most this long.
            # A message that takes longer than RASA_TIMEOUT_SECONDS has had its fallback
            # answer anyway, so the lock need not be held much longer than that.
            "TICKET_LOCK_LIFETIME": "10",
            # One thread each for TensorFlow: the processes, not threads, share the cores.
            "TF_INTRA_OP_PARALLELISM_THREADS": "1",
            "TF_INTER_OP_PARALLELISM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
        }
    )
    return stack


def main() -> None:
    settings = {**DEFAULTS, **{k: os.environ[k] for k in DEFAULTS if k in os.environ}}
    try:
        settings.update(production_secrets())
    except InsecureSecretsError as error:
        sys.exit(str(error))
    try:
        ensure_database(settings["DATABASE_URL"])
        check_redis(settings["FRONT_DOOR_REDIS_HOST"], int(settings["FRONT_DOOR_REDIS_PORT"]))
    except (psycopg.Error, redis.RedisError) as error:
        sys.exit(f"PostgreSQL and Redis must be running for the production profile: {error}")
    migrate(settings["DATABASE_URL"])
    stack = production_stack(settings, log_dir=ROOT / "var" / "logs")
    for port in (stack.api_port, *stack.rasa_ports):
        if not port_is_free(port):
            sys.exit(f"Port {port} is in use. Stop what uses it, or set API_PORT / RASA_PORT.")

    print(
        f"Starting {len(stack.rasa_ports)} Rasa processes, {stack.api_workers} API workers"
        " and the outbox worker (logs in var/logs/)...",
        flush=True,
    )
    stack.start_all_rasa()
    stack.start_api()
    if os.environ.get("HUB_WEBHOOK_URL"):
        stack.start_outbox_worker()
    stack.serve(
        f"\n  Front Door (production profile) is running. Chat at {stack.api_url}/"
        f"\n  Rasa: {', '.join(stack.rasa_urls)} (Redis tracker and lock stores)"
        "\n  The staff console's cookies are Secure: reach it through HTTPS."
        "\n  Press Ctrl+C to stop.\n"
    )


if __name__ == "__main__":
    main()
