"""The words that always work by SMS and WhatsApp (content/channel_words.yml)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import yaml

from api.core.config import PROJECT_ROOT
from api.core.locales import SOURCE_LOCALE
from api.languages.registry import plain

WORDS_FILE = PROJECT_ROOT / "content" / "channel_words.yml"


class Command(StrEnum):
    EXIT = "exit"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    MENU = "menu"
    LANGUAGE = "language"


@dataclass(frozen=True)
class ChannelWords:
    by_locale: dict[str, dict[Command, frozenset[str]]]

    def command(self, text: str, locale: str) -> Command | None:
        """The command a whole message is: in its language, in English, or in any other
        (someone may type "wyjdź" before they have chosen Polish)."""
        said = plain(text)
        for code in dict.fromkeys((locale, SOURCE_LOCALE, *self.by_locale)):
            for command, words in self.by_locale.get(code, {}).items():
                if said in words:
                    return command
        return None


def load_channel_words(path: Path = WORDS_FILE) -> ChannelWords:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ChannelWords(
        {
            locale: {
                Command(name): frozenset(plain(w) for w in words) for name, words in groups.items()
            }
            for locale, groups in data.items()
        }
    )


@lru_cache
def get_channel_words() -> ChannelWords:
    return load_channel_words()
