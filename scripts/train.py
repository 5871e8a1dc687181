"""Train the Rasa model when, and only when, its training data changed.

The fingerprint is a hash of every file that shapes the model. Rasa's output is
shown as it trains, so a newcomer sees progress rather than a silent wait.
Usage: python scripts/train.py [--force]
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
MODEL = MODELS / "front-door.tar.gz"
FINGERPRINT = MODELS / "front-door.fingerprint"
RASA = ROOT / ".venvs" / "bot" / "bin" / "rasa"
TRAINING_INPUTS = [
    ROOT / "bot" / "config.yml",
    ROOT / "bot" / "domain",
    ROOT / "bot" / "data",
    ROOT / "bot" / "nlu",
    ROOT / "intents",
    ROOT / "requirements" / "bot.lock",
]


def pinned_versions(lock: Path) -> bytes:
    """A lock file's `name==version` lines: the versions shape the model, the hashes that
    follow them (scripts/hash_locks.py) and its comments do not."""
    lines = lock.read_text().splitlines()
    pins = [line.split()[0] for line in lines if line[:1].isalnum() and "==" in line]
    return "\n".join(pins).encode()


def fingerprint() -> str:
    digest = hashlib.sha256()
    for entry in TRAINING_INPUTS:
        files = sorted(entry.rglob("*")) if entry.is_dir() else [entry]
        for path in files:
            if path.is_file():
                digest.update(str(path.relative_to(ROOT)).encode())
                is_lock = path.suffix == ".lock"
                digest.update(pinned_versions(path) if is_lock else path.read_bytes())
    return digest.hexdigest()


def rasa_env() -> dict[str, str]:
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    # The pipeline names our own component (bot.nlu...), so the project must be importable.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def train(force: bool = False) -> bool:
    """Train if needed; return True when a new model was made."""
    wanted = fingerprint()
    up_to_date = MODEL.exists() and FINGERPRINT.exists()
    if not force and up_to_date and FINGERPRINT.read_text().strip() == wanted:
        print(f"Model is up to date ({MODEL.relative_to(ROOT)}); not retraining.")
        return False
    if not RASA.exists():
        sys.exit("The Rasa environment is missing: run scripts/setup.sh (or make setup) first.")
    MODELS.mkdir(exist_ok=True)
    print("Training data changed: training the Rasa model (two to three minutes)...", flush=True)
    started = time.monotonic()
    command = [
        str(RASA), "train",
        "--config", "bot/config.yml",
        "--domain", "bot/domain",
        "--data", "bot/data", "intents",
        "--out", str(MODELS),
        "--fixed-model-name", "front-door",
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, env=rasa_env(), check=True)
    FINGERPRINT.write_text(wanted + "\n")
    print(f"Trained in {time.monotonic() - started:.0f} s: {MODEL.relative_to(ROOT)}")
    return True


if __name__ == "__main__":
    train(force="--force" in sys.argv)
