"""Start Front Door locally: Rasa and the API, then print where to chat.

`make run` sets up the environments and trains the model first if needed.
"""

from __future__ import annotations

import os
import sys

from api.core.secrets import (
    EARLIER_LOCAL_KEY,
    LOCAL_SECRETS,
    InsecureSecretsError,
    ensure_secrets,
    read_env_file,
)
from scripts.stack import ROOT, Stack, port_is_free

ENV_FILE = ROOT / ".env"


def main() -> None:
    dotenv = read_env_file(ENV_FILE) if ENV_FILE.exists() else {}
    try:
        made = ensure_secrets(LOCAL_SECRETS, moved_from=EARLIER_LOCAL_KEY)
    except InsecureSecretsError as error:
        sys.exit(str(error))
    # The environment (or .env) wins over the generated file, as in the settings.
    chosen = {name: os.environ.get(name) or dotenv.get(name) or made[name] for name in made}
    stack = Stack(
        api_port=int(os.environ.get("API_PORT", "8000")),
        rasa_port=int(os.environ.get("RASA_PORT", "5005")),
        rasa_token=chosen["RASA_TOKEN"],
        actions_token=chosen["ACTIONS_TOKEN"],
        channel_id_key=chosen["CHANNEL_ID_KEY"],
        referral_keys=chosen["REFERRAL_KEYS"],
    )
    if "DATABASE_URL" in os.environ:
        stack.database_url = os.environ["DATABASE_URL"]
    if "STAFF_COOKIE_SECURE" not in os.environ and "STAFF_COOKIE_SECURE" not in dotenv:
        # This local run serves the console over plain http on loopback, where a browser
        # may refuse a Secure cookie. Anywhere else, cookies stay Secure.
        stack.extra_env["STAFF_COOKIE_SECURE"] = "false"
    for port in (stack.api_port, stack.rasa_port):
        if not port_is_free(port):
            sys.exit(f"Port {port} is in use. Stop what uses it, or set API_PORT / RASA_PORT.")

    print("Starting Rasa and the API (Rasa takes about 20 seconds to load)...", flush=True)
    stack.start_api()
    stack.start_rasa()
    stack.serve(
        f"\n  Front Door is running. Chat at {stack.api_url}/"
        f"\n  Staff console at {stack.api_url}/staff (create an account: see the README)"
        "\n  Press Ctrl+C to stop.\n"
    )


if __name__ == "__main__":
    main()
