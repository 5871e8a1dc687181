"""Every language has every message, with the same placeholders, and says it needs review.

A missing key would fall back to English mid-conversation; a missing or renamed
placeholder would fail at the worst moment (a referral's reference, a phone number).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.core.config import PROJECT_ROOT
from api.languages.registry import load_languages
from api.resources.store import ResourceStore
from scripts.intents import examples_by_locale

LOCALES = PROJECT_ROOT / "content" / "locales"
RESOURCES = PROJECT_ROOT / "content" / "resources"
TRANSLATED = sorted(p.name for p in LOCALES.iterdir() if p.is_dir() and p.name != "en")
NAMESPACES = sorted(p.stem for p in (LOCALES / "en").glob("*.yml"))
PLACEHOLDER = re.compile(r"%\{(\w+)\}")
# The ten topics every language has as full pages; the rest may fall back to English.
CORE_TOPICS = [
    "what-is-domestic-abuse", "coercive-control", "physical-abuse", "staying-safely",
    "leaving", "legal-protection", "how-abuse-affects-children", "covering-your-tracks",
    "migrants-and-no-recourse", "honour-based-abuse-and-forced-marriage",
]  # fmt: skip


def flatten(node: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            yield from flatten(value, path)
        else:
            yield path, str(value)


def catalog(locale: str, namespace: str) -> dict[str, str]:
    path = LOCALES / locale / f"{namespace}.yml"
    return dict(flatten(yaml.safe_load(path.read_text(encoding="utf-8")) or {}))


def test_the_languages_the_issue_asks_for_are_there() -> None:
    assert TRANSLATED == ["ar", "pl", "ur"]
    languages = load_languages()
    assert languages.codes == ["en", "pl", "ur", "ar"]
    assert [languages.direction(c) for c in languages.codes] == ["ltr", "ltr", "rtl", "rtl"]


@pytest.mark.parametrize("locale", TRANSLATED)
@pytest.mark.parametrize("namespace", NAMESPACES)
def test_no_key_is_missing_or_extra(locale: str, namespace: str) -> None:
    english, translated = catalog("en", namespace), catalog(locale, namespace)
    assert sorted(set(english) - set(translated)) == [], "missing"
    assert sorted(set(translated) - set(english)) == [], "not in English"


@pytest.mark.parametrize("locale", TRANSLATED)
@pytest.mark.parametrize("namespace", NAMESPACES)
def test_placeholders_match_english(locale: str, namespace: str) -> None:
    english, translated = catalog("en", namespace), catalog(locale, namespace)
    different = {
        key: (PLACEHOLDER.findall(english[key]), PLACEHOLDER.findall(text))
        for key, text in translated.items()
        if key in english
        and sorted(PLACEHOLDER.findall(english[key])) != sorted(PLACEHOLDER.findall(text))
    }
    assert different == {}


@pytest.mark.parametrize("locale", TRANSLATED)
@pytest.mark.parametrize("namespace", NAMESPACES)
def test_no_message_is_left_empty_or_in_english(locale: str, namespace: str) -> None:
    english, translated = catalog("en", namespace), catalog(locale, namespace)
    # Names of languages and services are the same everywhere; sentences are not.
    copied = [
        key
        for key, text in translated.items()
        if text.strip() == "" or (text == english.get(key) and len(text.split()) > 3)
    ]
    assert copied == []


def translated_files() -> list[Path]:
    files = [LOCALES / locale / f"{ns}.yml" for locale in TRANSLATED for ns in NAMESPACES]
    files += [p for locale in TRANSLATED for p in (RESOURCES / locale).glob("*.yml")]
    files += [PROJECT_ROOT / "safety" / "lexicons" / f"{locale}.yml" for locale in TRANSLATED]
    files += [p for locale in TRANSLATED for p in (PROJECT_ROOT / "intents" / locale).glob("*")]
    return files


@pytest.mark.parametrize("path", translated_files(), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_each_translated_file_says_it_needs_review(path: Path) -> None:
    assert "NEEDS REVIEW" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_topic_has_a_translated_title_and_summary(locale: str) -> None:
    store = ResourceStore()
    for slug in store.slugs:
        resource = store.get(slug, locale)
        assert resource is not None and resource.locale == locale, slug
        assert resource.summary != store.english(slug).summary  # type: ignore[union-attr]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_ten_core_topics_have_full_pages(locale: str) -> None:
    store = ResourceStore()
    assert len(CORE_TOPICS) == 10
    for slug in CORE_TOPICS:
        resource = store.get(slug, locale)
        assert resource is not None and resource.locale == locale and resource.body, slug


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_intent_has_ten_examples_in_each_language(locale: str) -> None:
    by_locale = examples_by_locale()
    english, translated = (
        Counter(intent for intent, _ in by_locale["en"]),
        Counter(intent for intent, _ in by_locale[locale]),
    )
    assert set(translated) == set(english)
    thin = {intent: n for intent, n in translated.items() if n < 10}
    assert thin == {}
    for intent in ("emergency", "get_support", "stop"):
        assert translated[intent] >= 12, intent
