"""Rasa's own conversation tests, run against the trained model with our action server."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from scripts.stack import MODEL, RASA, ROOT, Stack

pytestmark = pytest.mark.e2e


def test_conversations_follow_the_stories(stack: Stack, tmp_path: Path) -> None:
    command = [
        str(RASA), "test", "core",
        "--model", str(MODEL),
        "--stories", "tests/bot/conversations.yml",
        "--endpoints", "bot/endpoints.yml",
        "--fail-on-prediction-errors",
        "--out", str(tmp_path),
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=ROOT, env=stack.env(), capture_output=True, text=True, timeout=600
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else result.stdout[-3000:]
    assert result.returncode == 0, details
