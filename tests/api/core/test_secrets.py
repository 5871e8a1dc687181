"""Secrets made on first start: long, random, owner-only, outside the data folder, and kept."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from api.core.config import PROJECT_ROOT
from api.core.secrets import (
    LOCAL_SECRETS,
    InsecureSecretsError,
    ensure_secrets,
    read_env_file,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_start_makes_every_secret_owner_only(tmp_path: Path) -> None:
    path = tmp_path / ".secrets" / "local.env"
    made = ensure_secrets(path)

    assert set(made) == {"RASA_TOKEN", "ACTIONS_TOKEN", "CHANNEL_ID_KEY", "REFERRAL_KEYS"}
    assert all(len(value) >= 32 for value in made.values())
    Fernet(made["REFERRAL_KEYS"].encode())
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert read_env_file(path) == made


def test_a_second_start_keeps_them_and_fills_only_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "s" / "local.env"
    first = ensure_secrets(path)
    path.write_text(f"CHANNEL_ID_KEY={first['CHANNEL_ID_KEY']}\n")
    path.chmod(0o600)

    second = ensure_secrets(path)

    assert second["CHANNEL_ID_KEY"] == first["CHANNEL_ID_KEY"]
    assert second["REFERRAL_KEYS"] != first["REFERRAL_KEYS"]  # made again: it was missing
    assert ensure_secrets(path) == second


@pytest.mark.parametrize("loosen", ["file", "folder"])
def test_secrets_other_users_could_read_are_refused(tmp_path: Path, loosen: str) -> None:
    path = tmp_path / "s" / "local.env"
    ensure_secrets(path)
    (path if loosen == "file" else path.parent).chmod(0o644 if loosen == "file" else 0o755)

    with pytest.raises(InsecureSecretsError, match="chmod"):
        ensure_secrets(path)


def test_an_earlier_key_in_the_data_folder_is_moved_out(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir()
    earlier = data / "referral.key"
    key = Fernet.generate_key().decode()
    earlier.write_text(key)

    made = ensure_secrets(tmp_path / ".secrets" / "local.env", moved_from=earlier)

    assert made["REFERRAL_KEYS"] == key, "data encrypted with it stays readable"
    assert not earlier.exists()


def test_the_local_secrets_live_outside_the_data_folder_and_out_of_git() -> None:
    assert PROJECT_ROOT / "var" not in LOCAL_SECRETS.parents
    ignored = (PROJECT_ROOT / ".gitignore").read_text().splitlines()
    assert ".secrets/" in ignored
