"""Who is writing: cues that make sure the page for their audience is offered.

Retrieval ranks topics by what a message is about. Who wrote it matters as much: a
15-year-old asking about a controlling boyfriend needs young people's support and
Childline beside the page on controlling behaviour, whatever the scores say. The cues
are patterns in content/topics/audiences.yml, per language; a cue adds its page to what
is offered and never replaces the answer.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from api.core.config import PROJECT_ROOT
from api.core.locales import SOURCE_LOCALE
from api.nlu.retrieval import TopicChoice

AUDIENCES_FILE = PROJECT_ROOT / "content" / "topics" / "audiences.yml"


class AudienceCues:
    def __init__(self, path: Path = AUDIENCES_FILE) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        self.patterns: dict[str, dict[str, list[re.Pattern[str]]]] = {
            slug: {
                locale: [re.compile(p, re.IGNORECASE) for p in patterns or []]
                for locale, patterns in by_locale.items()
            }
            for slug, by_locale in data.items()
        }

    def found(self, text: str, locale: str) -> list[str]:
        """The audiences the message speaks for, in the file's order."""
        found = []
        for slug, by_locale in self.patterns.items():
            for code in dict.fromkeys((locale, SOURCE_LOCALE)):
                if any(p.search(text) for p in by_locale.get(code, [])):
                    found.append(slug)
                    break
        return found

    def apply(self, choice: TopicChoice, text: str, locale: str, most: int = 3) -> TopicChoice:
        """The same choice, with each cued page offered first among the extras (beside
        the answer, or among the candidates), keeping at most `most` choices."""
        cued = [slug for slug in self.found(text, locale) if slug != choice.answer]
        if not cued:
            return choice
        if choice.answer is not None:
            also = _first(cued, choice.also)[: max(most - 1, 1)]
            return TopicChoice(answer=choice.answer, also=also)
        if not choice.candidates:
            return choice  # not about any topic: a cue alone is no reason to offer pages
        best, rest = choice.candidates[0], choice.candidates[1:]
        candidates = [best, *_first([s for s in cued if s != best], rest)][:most]
        return TopicChoice(answer=None, candidates=candidates)


def _first(first: list[str], then: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *then]))


@lru_cache
def get_cues() -> AudienceCues:
    return AudienceCues()
