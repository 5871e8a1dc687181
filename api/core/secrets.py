"""The secrets a run needs, made once on first start and kept outside the data folder.

`make run` and `make run-production` call `ensure_secrets`: any secret missing from the
file is generated (long random values, and a Fernet key for the personal fields), and the
file and its folder are readable by their owner only. They live in `.secrets/`, not in
`var/` beside the database, so one copy of the data folder does not carry the key that
opens it. A deployment on a platform passes the same names through its secret store.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from cryptography.fernet import Fernet

from api.core.config import PROJECT_ROOT

SECRETS_DIR = PROJECT_ROOT / ".secrets"
LOCAL_SECRETS = SECRETS_DIR / "local.env"
PRODUCTION_SECRETS = SECRETS_DIR / "production.env"
# Where earlier versions kept them, in the data folder: moved out on first start.
EARLIER_LOCAL_KEY = PROJECT_ROOT / "var" / "referral.key"
EARLIER_PRODUCTION_SECRETS = PROJECT_ROOT / "var" / "production.env"

GENERATED = {
    "RASA_TOKEN": lambda: secrets.token_urlsafe(32),
    "ACTIONS_TOKEN": lambda: secrets.token_urlsafe(32),
    "CHANNEL_ID_KEY": lambda: secrets.token_urlsafe(32),
    "REFERRAL_KEYS": lambda: Fernet.generate_key().decode(),
}


class InsecureSecretsError(RuntimeError):
    """A secrets file or folder that other users of the machine could read."""


def check_private(path: Path) -> None:
    """Refuse a file or folder that anyone but its owner may read or write."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        kind = "folder" if path.is_dir() else "file"
        raise InsecureSecretsError(
            f"The secrets {kind} {path.name} can be read by other users of this machine "
            f"(mode {mode:o}). Run: chmod {'700' if path.is_dir() else '600'} {path}"
        )


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and not name.lstrip().startswith("#"):
            values[name.strip()] = value.strip()
    return values


def _write_private(path: Path, values: dict[str, str]) -> None:
    """Write atomically, owner-only from the first byte."""
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{name}={value}\n" for name, value in values.items()))
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def _read_earlier(earlier: Path | None) -> dict[str, str]:
    if earlier is None or not earlier.exists():
        return {}
    if earlier.suffix == ".key":  # the local referral key, alone in its file
        return {"REFERRAL_KEYS": earlier.read_text(encoding="utf-8").strip()}
    return read_env_file(earlier)


def ensure_secrets(path: Path, *, moved_from: Path | None = None) -> dict[str, str]:
    """The secrets in `path`, with any that are missing generated and saved first.

    A file from an earlier version (`moved_from`, in the data folder) gives its values
    first, so data encrypted with its key stays readable; it is deleted once they are
    safely in the new file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_private(path.parent)
    values = {}
    if path.exists():
        check_private(path)
        values = read_env_file(path)
    earlier = _read_earlier(moved_from)
    missing = [name for name in GENERATED if not values.get(name)]
    if missing:
        for name in missing:
            values[name] = earlier.get(name) or GENERATED[name]()
        _write_private(path, values)
    if moved_from is not None and earlier and all(values.get(k) == v for k, v in earlier.items()):
        moved_from.unlink()
    return values
