"""What a checkout makes for itself (environments, the trained model, caches, local
settings) is never committed: checking out a committed link to one replaced the
environments of the checkout it came from."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MADE_HERE = (".venvs", "models", "var", ".env", "test-artifacts")


def test_nothing_made_by_a_checkout_is_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    committed = [
        path for path in tracked if path.split("/")[0] in MADE_HERE and path != ".env.example"
    ]
    assert committed == []
