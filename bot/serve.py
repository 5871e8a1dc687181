"""Start Rasa's server (`python -m bot.serve run ...`, the same arguments as `rasa`), with
two fixes for speed, both found with py-spy under load (docs/performance.md):

1. Rasa 3.6 checks every reply from the action server with `jsonschema.validate`, which
   first re-checks the schema itself against its meta-schema: about a fifth of a Rasa
   process's time. Here the validator for a schema is built and checked once, then
   reused; replies are validated exactly as before.
2. Reading a tracker from Redis looks up each event's class by walking every subclass of
   `Event` (and of `Slot`), for every event: about a tenth of the time. Here the walk's
   result is kept, and forgotten whenever a new subclass is defined, so it is always
   the same answer as the walk.

This file runs in Rasa's own environment (Python 3.10) and imports nothing of the API.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

_validators: dict[str, Any] = {}


def validate(
    instance: Any, schema: dict[str, Any], cls: Any = None, *args: Any, **kwargs: Any
) -> None:
    key = json.dumps(schema, sort_keys=True, default=str)
    validator = _validators.get(key)
    if validator is None:
        validator_class = cls or jsonschema.validators.validator_for(schema)
        validator_class.check_schema(schema)
        validator = validator_class(schema, *args, **kwargs)
        _validators[key] = validator
    error = best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def remember_subclasses() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.core.slots import Slot
    from rasa.shared.utils import common

    walk = common.all_subclasses
    known: dict[type, list[Any]] = {}

    def all_subclasses(cls: Any) -> list[Any]:
        if cls not in (Event, Slot):
            return walk(cls)
        if cls not in known:
            known[cls] = walk(cls)
        return list(known[cls])

    def forget(cls: Any, **kwargs: Any) -> None:
        known.clear()

    for base in (Event, Slot):
        base.__init_subclass__ = classmethod(forget)  # type: ignore[assignment]
    common.all_subclasses = all_subclasses


def token_from_environment(argv: list[str]) -> list[str]:
    """Rasa takes its API token only as `--auth-token`, where `ps` shows it to every user of
    the machine. Here it comes from RASA_TOKEN instead; changing sys.argv does not change
    what the operating system shows as the process's command line."""
    if "--enable-api" not in argv or any(a.startswith("--auth-token") for a in argv):
        return argv
    token = os.environ.get("RASA_TOKEN", "")
    if len(token) < 16:
        raise SystemExit("RASA_TOKEN must be set to a long random value to enable Rasa's API")
    # One argument with "=": a random token can begin with "-", which argparse would
    # otherwise read as an option (and Rasa would not start, one time in 64).
    return [*argv, f"--auth-token={token}"]


def main() -> None:
    sys.argv = token_from_environment(sys.argv)
    jsonschema.validate = validate
    remember_subclasses()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
