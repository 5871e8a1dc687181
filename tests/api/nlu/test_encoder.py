"""The sentence encoder: the pinned weights only, translations close together, and no
message's words kept in its cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from api.nlu import encoder as encoder_module
from api.nlu.encoder import E5Encoder, EncoderUnavailableError, get_encoder


def test_weights_that_are_not_the_pinned_ones_are_refused(tmp_path: Path) -> None:
    forged = tmp_path / encoder_module.WEIGHTS_FILE
    forged.write_bytes(b"not the model")
    with pytest.raises(EncoderUnavailableError, match="checksum"):
        encoder_module._check_weights(forged)


def test_the_installed_weights_are_the_pinned_ones() -> None:
    encoder_module._check_weights(encoder_module._package_dir() / encoder_module.WEIGHTS_FILE)


def test_a_message_and_its_translations_are_close_and_an_unrelated_one_is_not() -> None:
    encoder = get_encoder()
    english, polish, urdu, arabic, weather = encoder.queries(
        [
            "he hits me",
            "on mnie bije",
            "وہ مجھے مارتا ہے",
            "هو يضربني",
            "what time does the bus leave",
        ]
    )
    for translation in (polish, urdu, arabic):
        assert float(english @ translation) > float(english @ weather) + 0.05
    assert np.isclose(np.linalg.norm(english), 1.0, atol=1e-3)


def test_the_cache_keeps_hashes_and_vectors_never_words() -> None:
    encoder = E5Encoder()
    text = "my name is Jane Example and he hurts me"
    first = encoder.query(text)
    assert np.array_equal(first, encoder.query(text))
    for key in encoder._recent:
        assert isinstance(key, bytes) and len(key) == 32
        assert b"Jane" not in key


def test_the_cache_is_bounded() -> None:
    encoder = E5Encoder()
    for n in range(encoder_module.RECENT_QUERIES + 10):
        encoder.query(f"message {n}")
    assert len(encoder._recent) == encoder_module.RECENT_QUERIES
