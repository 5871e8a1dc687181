"""The training data passes Rasa's own validation with warnings treated as errors."""

from __future__ import annotations

import os
import subprocess

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
