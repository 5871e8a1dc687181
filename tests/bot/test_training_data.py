"""The training data passes Rasa's own validation with warnings treated as errors, and
gives no example twice."""

from __future__ import annotations

import os
import subprocess

import yaml

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


def _examples_by_locale() -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((ROOT / "intents").glob("*/*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in data.get("nlu", []):
            for line in block.get("examples", "").splitlines():
                if line.strip().startswith("- "):
                    text = " ".join(line.strip()[2:].lower().split())
                    found.setdefault(path.parent.name, []).append((block["intent"], text))
    return found


def test_no_example_is_given_twice() -> None:
    # A repeated example can land in both halves of the held-out split and flatter the
    # NLU figures; one given to two intents teaches the model a contradiction.
    for locale, examples in _examples_by_locale().items():
        seen: dict[str, str] = {}
        repeats = []
        for intent, text in examples:
            if text in seen:
                repeats.append(f"{locale}: {text!r} ({seen[text]} and {intent})")
            seen[text] = intent
        assert not repeats, repeats
