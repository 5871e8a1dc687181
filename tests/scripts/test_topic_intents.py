"""The understand_abuse examples generated from the topic examples are up to date."""

from __future__ import annotations

import pytest

from scripts.topic_intents import EXAMPLES, danger_target, rendered, rendered_danger, target

LOCALES = sorted(path.stem for path in EXAMPLES.glob("*.yml"))


def test_every_language_has_topic_examples() -> None:
    assert LOCALES == ["ar", "en", "pl", "ur"]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_generated_training_data_matches_the_examples(locale: str) -> None:
    assert target(locale).read_text(encoding="utf-8") == rendered(locale), (
        "run: python -m scripts.topic_intents"
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_the_generated_danger_examples_match_the_exemplars(locale: str) -> None:
    assert danger_target(locale).read_text(encoding="utf-8") == rendered_danger(locale), (
        "run: python -m scripts.topic_intents"
    )
