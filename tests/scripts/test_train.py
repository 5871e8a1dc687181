"""Training runs only when the training data changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import train


def test_unchanged_data_does_not_retrain(capsys: pytest.CaptureFixture[str]) -> None:
    assert train.MODEL.exists(), "make test trains the model before the tests run"
    assert train.train() is False
    assert "not retraining" in capsys.readouterr().out


def test_any_change_to_the_training_data_changes_the_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "intents"
    data.mkdir()
    (data / "a.yml").write_text("nlu: []\n")
    monkeypatch.setattr(train, "ROOT", tmp_path)
    monkeypatch.setattr(train, "TRAINING_INPUTS", [data])
    before = train.fingerprint()
    (data / "a.yml").write_text("nlu: [x]\n")
    assert train.fingerprint() != before


def test_a_changed_pin_retrains_but_new_hashes_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = tmp_path / "bot.lock"
    lock.write_text("rasa==3.6.21 \\\n    --hash=sha256:aaaa\n")
    monkeypatch.setattr(train, "ROOT", tmp_path)
    monkeypatch.setattr(train, "TRAINING_INPUTS", [lock])
    before = train.fingerprint()
    lock.write_text(
        "# a comment\nrasa==3.6.21 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\n"
    )
    assert train.fingerprint() == before
    lock.write_text("rasa==3.6.20 \\\n    --hash=sha256:aaaa\n")
    assert train.fingerprint() != before
