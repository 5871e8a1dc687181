"""Languages from content/languages.yml, offered only where catalogs exist.

A language is chosen three ways: the browser's Accept-Language (a suggestion), a button or
numbered reply whose payload names it (`/choose_language{"language":"pl"}`), or a message
that is only its name ("polski", "اردو").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

from api.core.config import PROJECT_ROOT
from api.core.locales import SOURCE_LOCALE
from api.core.payloads import intent_payload

LANGUAGES_FILE = PROJECT_ROOT / "content" / "languages.yml"
LOCALES_DIR = PROJECT_ROOT / "content" / "locales"

# The intents whose payload may carry a language (see bot/domain/core.yml).
_PAYLOAD = re.compile(r"^/(greet|choose_language)(\{.*\})$", re.DOTALL)
_ACCEPT_ITEM = re.compile(
    r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$"
)
_MAX_ACCEPT_ITEMS = 20

Direction = Literal["ltr", "rtl"]


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    direction: Direction
    words: frozenset[str]


def language_payload(intent: str, code: str) -> str:
    """The payload of a button that chooses a language (read back by chosen_by_payload)."""
    return intent_payload(intent, language=code)


def plain(text: str) -> str:
    """Lower case, punctuation gone, single spaces: how typed language names are compared."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


class Languages:
    def __init__(self, languages: list[Language], default: str) -> None:
        self._by_code = {language.code: language for language in languages}
        if default not in self._by_code:
            raise ValueError(f"the default language {default!r} has no catalogs")
        self.default = default

    @property
    def codes(self) -> list[str]:
        return list(self._by_code)

    def all(self) -> list[Language]:
        return list(self._by_code.values())

    def supports(self, code: str | None) -> bool:
        return code is not None and code in self._by_code

    def get(self, code: str) -> Language:
        return self._by_code.get(code) or self._by_code[self.default]

    def direction(self, code: str) -> Direction:
        return self.get(code).direction

    def from_accept_language(self, header: str | None) -> str | None:
        """The best offered language the browser asks for, by quality; None if none is."""
        ranked: list[tuple[float, int, str]] = []
        for position, item in enumerate((header or "").split(",")[:_MAX_ACCEPT_ITEMS]):
            match = _ACCEPT_ITEM.match(item)
            if not match:
                continue
            try:
                quality = float(match.group(2)) if match.group(2) else 1.0
            except ValueError:
                continue
            code = match.group(1).lower()
            if quality > 0 and code in self._by_code:
                ranked.append((-quality, position, code))
        return min(ranked)[2] if ranked else None

    def named_in(self, text: str) -> str | None:
        """The language a message chooses when it is nothing but a language's name."""
        said = plain(text)
        for language in self._by_code.values():
            if said in language.words:
                return language.code
        return None

    def chosen_by_payload(self, text: str) -> str | None:
        """The offered language a button's payload names, if it names one."""
        match = _PAYLOAD.match(text.strip())
        if not match:
            return None
        try:
            entities = json.loads(match.group(2))
        except ValueError:
            return None
        code = entities.get("language") if isinstance(entities, dict) else None
        return code if isinstance(code, str) and code in self._by_code else None


def load_languages(
    path: Path = LANGUAGES_FILE, locales_dir: Path = LOCALES_DIR, default: str = SOURCE_LOCALE
) -> Languages:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    with_catalogs = {p.name for p in locales_dir.iterdir() if p.is_dir()}
    languages = [
        Language(
            code=str(code),
            name=str(entry["name"]),
            direction="rtl" if entry.get("direction") == "rtl" else "ltr",
            words=frozenset(plain(str(w)) for w in [entry["name"], *entry.get("words", [])]),
        )
        for code, entry in data.items()
        if str(code) in with_catalogs
    ]
    return Languages(languages, default)


@lru_cache
def get_languages() -> Languages:
    return load_languages()
