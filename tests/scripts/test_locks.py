"""Both environments install only files whose hashes are in the lock files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHA256 = re.compile(r"--hash=sha256:[0-9a-f]{64}")


@pytest.mark.parametrize("env", ["api", "bot"])
def test_every_pinned_package_carries_a_hash(env: str) -> None:
    text = (ROOT / "requirements" / f"{env}.lock").read_text()
    # One requirement per logical line: join the backslash continuations.
    requirements = [
        line for line in text.replace("\\\n", " ").splitlines() if line and line[0].isalnum()
    ]
    assert len(requirements) > 100
    for requirement in requirements:
        assert re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*==\S+ ", requirement), requirement
        assert SHA256.search(requirement), f"no hash for {requirement.split()[0]}"


def test_setup_installs_the_locks_with_hashes_required() -> None:
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    installs = [line for line in setup.splitlines() if "-r requirements/" in line]
    assert len(installs) == 2
    assert all("--require-hashes" in line and "--no-deps" in line for line in installs)
