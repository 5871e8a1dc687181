"""The evaluation sets stay honest: big enough, apart from each other, and apart from
everything the assistant learns from (a test message that is also a training example
would flatter every figure)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from scripts.nlu_sets import DEVELOPMENT_SETS, LOCALES, SHORT, load, same, scored, training_texts

SMALLEST = {"en": 300, "pl": 150, "ur": 150, "ar": 150}
KINDS = {"topic", "act", "danger", "self_harm", "calm"}
# A few common phrases coincide ("i want to die"); many would mean a set was copied.
MOST_LEFT_OUT = 0.08
# Everyday acts are short and said in few ways ("can i talk to someone", "thank you so
# much"): English, with about 100 training examples per act, shares more of them.
MOST_LEFT_OUT_OF_ACTS = 0.2


@pytest.mark.parametrize("locale", LOCALES)
def test_the_frozen_set_is_big_enough_and_labelled(locale: str) -> None:
    items = scored("frozen", locale).items
    assert len(items) >= SMALLEST[locale]
    assert {item.kind for item in items} <= KINDS
    assert all(item.label for item in items if item.kind in {"topic", "act"})


@pytest.mark.parametrize("name", ["frozen", *DEVELOPMENT_SETS])
@pytest.mark.parametrize("locale", LOCALES)
def test_what_counts_is_apart_from_training_and_from_each_other(name: str, locale: str) -> None:
    chosen = scored(name, locale)
    learned = training_texts()
    others = (
        {same(i.text) for dev in DEVELOPMENT_SETS for i in load(dev, locale)}
        if name == "frozen"
        else set()
    )
    for item in chosen.items:
        text = same(item.text)
        if len(text.split()) > SHORT:
            assert text not in learned and text not in others
    most = MOST_LEFT_OUT_OF_ACTS if name == "act-dev" else MOST_LEFT_OUT
    assert sum(chosen.left_out.values()) <= most * len(load(name, locale))


def test_no_scored_message_is_in_two_languages() -> None:
    counted = Counter(
        same(item.text)
        for locale in LOCALES
        for item in scored("frozen", locale).items
        if len(same(item.text).split()) > SHORT
    )
    assert [text for text, n in counted.items() if n > 1] == []


def test_the_training_texts_are_all_found() -> None:
    assert len(training_texts()) > 5000


def test_messages_seen_elsewhere_are_left_out_and_counted(tmp_path: Path) -> None:
    learned = next(t for t in sorted(training_texts()) if len(t.split()) > 4)
    for name in ("dev", "frozen"):
        (tmp_path / name).mkdir()
        for locale in LOCALES:
            items = [{"text": "yes", "kind": "act", "label": "yes"}]
            if name == "dev":
                items.append({"text": "a sentence written for the development set", "kind": "calm"})
            else:
                items.append(
                    {"text": "A sentence written for the development set!", "kind": "calm"}
                )
                items.append({"text": "the same sentence in every language", "kind": "calm"})
                items.append({"text": learned.upper(), "kind": "calm"})
            (tmp_path / name / f"{locale}.yml").write_text(
                yaml.safe_dump({"locale": locale, "items": items}), encoding="utf-8"
            )
    english = scored("frozen", "en", tmp_path)
    assert [i.text for i in english.items] == ["yes", "the same sentence in every language"]
    assert english.left_out == {
        "seen_in_training": 1,
        "in_development_set": 1,
        "in_another_language": 0,
    }
    polish = scored("frozen", "pl", tmp_path)
    assert [i.text for i in polish.items] == ["yes"]
    assert polish.left_out["in_another_language"] == 1


def test_the_frozen_report_keeps_counts_not_messages() -> None:
    from scripts.understanding_report import without_words

    found = {"danger_recall": 0.5, "missed_danger": ["a message"], "calm_false_alarms": []}
    assert without_words(found) == {
        "danger_recall": 0.5,
        "missed_danger": 1,
        "calm_false_alarms": 0,
    }
