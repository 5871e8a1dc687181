"""Topic resources: chat-sized summaries and full pages, loaded from content/resources/<locale>/.

Content is data. It is loaded and checked once at start-up: a missing field, an over-long
summary, a link to a topic that does not exist or an unknown next step stops the start.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from api.core.config import PROJECT_ROOT
from api.core.locales import SOURCE_LOCALE

RESOURCES_DIR = PROJECT_ROOT / "content" / "resources"
SUMMARY_LIMIT = 600
# Where a page says what depends on the hub's configuration: `%{setting}` in the body.
VARIANT = re.compile(r"%\{(\w+)\}")

NextStep = Literal["safety_plan", "get_support", "talk_to_someone"]

# The police's quick protection differs by area: the Domestic Violence Protection Notice and
# Order (Crime and Security Act 2010), or the Domestic Abuse Protection Notice and Order
# (Domestic Abuse Act 2021), piloted in some areas from November 2024 and being rolled out.
PoliceProtectionOrders = Literal["dvpo", "dapo"]

# What a topic page may vary by (`variants:` in content/resources), with the values each
# setting can take: every page that varies must say something for every value. Each is a
# setting in the hub's configuration (api/hub/config.py), which chooses one.
PAGE_CHOICES: dict[str, tuple[str, ...]] = {
    "police_protection_orders": get_args(PoliceProtectionOrders),
}


class Resource(BaseModel):
    slug: str
    locale: str
    title: str = Field(min_length=3, max_length=80)
    summary: str = Field(min_length=40, max_length=SUMMARY_LIMIT)
    keywords: list[str] = Field(min_length=1)
    related: list[str] = Field(min_length=1, max_length=4)
    next: NextStep
    # A translation may give the title, summary and keywords before its full page: the
    # page is then shown in English, with a note in the reader's language.
    body: str | None = Field(default=None, min_length=100)
    # What differs from hub to hub (which police protection order the area has): for each
    # `%{setting}` in the body, a paragraph for every value the setting can take. Content,
    # not code, so every language says it in its own words.
    variants: dict[str, dict[str, str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _every_variant_written(self) -> Resource:
        used = set(VARIANT.findall(self.body or ""))
        if used != set(self.variants):
            raise ValueError(
                f"the body uses {sorted(used)} but variants has {sorted(self.variants)}"
            )
        for setting, texts in self.variants.items():
            values = PAGE_CHOICES.get(setting)
            if values is None:
                raise ValueError(f"no hub setting {setting!r} (known: {sorted(PAGE_CHOICES)})")
            if sorted(texts) != sorted(values) or not all(t.strip() for t in texts.values()):
                raise ValueError(f"{setting} needs a paragraph for each of {list(values)}")
        return self

    def page(self, choices: Mapping[str, str] | None = None) -> str | None:
        """The full page, with the paragraph for the hub's value of each setting it varies
        by; without `choices`, every paragraph (so a question about either finds the page)."""
        if self.body is None:
            return None

        def paragraph(found: re.Match[str]) -> str:
            texts = self.variants[found[1]]
            chosen = [texts[choices[found[1]]]] if choices is not None else texts.values()
            return "\n\n".join(text.strip() for text in chosen)

        return VARIANT.sub(paragraph, self.body)


class ContentError(ValueError):
    """The content folder does not describe a consistent set of topics."""


class ResourceStore:
    def __init__(self, root: Path = RESOURCES_DIR) -> None:
        self.root = root
        english = {path.stem: _load(path, SOURCE_LOCALE) for path in _topics(root / SOURCE_LOCALE)}
        self._by_locale: dict[str, dict[str, Resource]] = {SOURCE_LOCALE: english}
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name != SOURCE_LOCALE):
            self._by_locale[folder.name] = {
                path.stem: _load(path, folder.name, english.get(path.stem))
                for path in _topics(folder)
            }
        menu = yaml.safe_load((root / "menu.yml").read_text(encoding="utf-8"))
        self.menu_pages: list[list[str]] = menu["pages"]
        self._check()

    def _check(self) -> None:
        english = self._by_locale[SOURCE_LOCALE]
        if not english:
            raise ContentError("there must be English resources to fall back to")
        if any(resource.body is None for resource in english.values()):
            raise ContentError("every English topic needs its full page")
        for locale, resources in self._by_locale.items():
            for resource in resources.values():
                for slug in resource.related:
                    if slug not in english:
                        raise ContentError(f"{locale}/{resource.slug} links to unknown {slug!r}")
                original = english.get(resource.slug)
                if resource.body and original and set(resource.variants) != set(original.variants):
                    raise ContentError(
                        f"{locale}/{resource.slug} varies by other settings than English"
                    )
            extra = set(resources) - set(english)
            if extra:
                raise ContentError(f"{locale} has topics English lacks: {sorted(extra)}")
        offered = [slug for page in self.menu_pages for slug in page]
        if sorted(offered) != sorted(english):
            raise ContentError("menu.yml must offer every topic exactly once")

    @property
    def slugs(self) -> list[str]:
        return list(self._by_locale[SOURCE_LOCALE])

    def locales(self) -> list[str]:
        return list(self._by_locale)

    def english(self, slug: str) -> Resource | None:
        return self._by_locale[SOURCE_LOCALE].get(slug)

    def get(self, slug: str, locale: str) -> Resource | None:
        """The topic in the reader's language, or in English if it is not translated yet."""
        found = self._by_locale.get(locale, {}).get(slug)
        return found or self._by_locale[SOURCE_LOCALE].get(slug)

    def all(self, locale: str) -> list[Resource]:
        return [r for slug in self.slugs if (r := self.get(slug, locale)) is not None]

    def match(self, text: str, locale: str) -> Resource | None:
        """The topic whose keywords best match a message, for free-text questions.

        A keyword counts when it appears as whole words; longer keywords weigh more, so
        "non molestation order" beats "order".
        """
        words = f" {_plain(text)} "
        best: tuple[int, Resource] | None = None
        for resource in self.all(locale):
            # English words turn up in every language ("refuge", "Clare's Law").
            english = self.english(resource.slug)
            keywords = {*resource.keywords, *(english.keywords if english else [])}
            score = sum(len(k) for k in keywords if f" {_plain(k)} " in words)
            if score and (best is None or score > best[0]):
                best = (score, resource)
        return best[1] if best else None


def _plain(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation as spaces."""
    text = text.casefold().replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _topics(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yml")) if folder.is_dir() else []


def _load(path: Path, locale: str, english: Resource | None = None) -> Resource:
    """One topic. A translation takes its links and next step from the English topic."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if english is not None:
            data = {"related": english.related, "next": english.next, **data}
        return Resource(slug=path.stem, locale=locale, **data)
    except (ValidationError, yaml.YAMLError, TypeError) as error:
        raise ContentError(f"{path.relative_to(path.parents[2])}: {error}") from error


@lru_cache
def get_store() -> ResourceStore:
    """The topic pages as this process read them once: the API serves these, and its
    actions and topic retriever use the same reading (api/main.py)."""
    return ResourceStore()
