"""Start Front Door locally: Rasa and the API, then print where to chat.

`make run` sets up the environments and trains the model first if needed.
"""

from __future__ import annotations

import os
import sys

from scripts.stack import ROOT, Stack, port_is_free


def _configured(name: str) -> bool:
    env_file = ROOT / ".env"
    in_file = env_file.exists() and any(
        line.strip().startswith(f"{name}=") for line in env_file.read_text().splitlines()
    )
    return name in os.environ or in_file


def main() -> None:
    stack = Stack(
        api_port=int(os.environ.get("API_PORT", "8000")),
        rasa_port=int(os.environ.get("RASA_PORT", "5005")),
    )
    if "DATABASE_URL" in os.environ:
        stack.database_url = os.environ["DATABASE_URL"]
    if not _configured("STAFF_COOKIE_SECURE"):
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
