"""The training data passes Rasa's own validation with warnings treated as errors, and
gives no example twice."""

from __future__ import annotations

import os
import subprocess

from scripts.intents import examples_by_locale
from scripts.stack import RASA, ROOT


def test_rasa_data_validate_fails_on_warnings() -> None:
    command = [
        str(RASA), "data", "validate", "--fail-on-warnings",
        "--config", "bot/config.yml",
        "--domain", "bot/domain",
        "--data", "bot/data", "intents",
    ]  # fmt: skip
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_no_example_is_given_twice() -> None:
    # A repeated example can land in both halves of the held-out split and flatter the
    # NLU figures; one given to two intents teaches the model a contradiction.
    for locale, examples in examples_by_locale().items():
        seen: dict[str, str] = {}
        repeats = []
        for intent, example in examples:
            text = " ".join(example.lower().split())
            if text in seen:
                repeats.append(f"{locale}: {text!r} ({seen[text]} and {intent})")
            seen[text] = intent
        assert not repeats, repeats
