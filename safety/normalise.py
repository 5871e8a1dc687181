"""Turn a raw chat message into a predictable form the screen can match.

People in danger type fast: no capitals, no apostrophes, text-speak and typos.
Normalising first keeps the patterns in the lexicon short and readable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

_APOSTROPHES = "'\u2018\u2019\u02bc\u0060\u00b4"
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
# Letters only: "heeelp" is "help", but 999 must stay 999.
_REPEATS = re.compile(r"([^\W\d_])\1{2,}", re.UNICODE)
_DIGITS_IN_WORD = str.maketrans({"0": "o", "3": "e", "1": "i", "4": "a", "@": "a"})

# Letters people type interchangeably, folded to one form. Polish is often typed without
# its accents ("zabije" for "zabiję"); Arabic and Urdu keyboards give different letters for
# the same sound (Urdu ی and Arabic ي), and their digits stand for the same numbers.
_LETTER_FOLDS = str.maketrans(
    {
        "ł": "l",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ی": "ي",
        "ے": "ي",
        "ک": "ك",
        "ہ": "ه",
        "ھ": "ه",
        "ۃ": "ه",
        "\u0640": "",  # tatweel, a stretching stroke
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
    }
)


def fold_letters(text: str) -> str:
    """Drop accents and vowel marks and fold look-alike letters (see _LETTER_FOLDS).

    Applied to messages and to the lexicons' patterns alike, so a lexicon may be written
    with its proper spelling. Only letters change; regular-expression syntax is ASCII.
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", bare.translate(_LETTER_FOLDS))


def basic_form(text: str) -> str:
    """Case-fold, drop apostrophes and punctuation, squeeze runs like 'heeelp'."""
    text = unicodedata.normalize("NFKC", text).casefold()
    # Zero-width and formatting characters would split words invisibly. (Plain ASCII has
    # none, and most messages are plain ASCII: skip the walk for them.)
    if not text.isascii():
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
        text = fold_letters(text)
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    text = _REPEATS.sub(r"\1", text)
    return " ".join(text.split())


def _leet_fix(word: str) -> str:
    """'kn1fe' -> 'knife', but leave numbers such as 999 or 55 alone."""
    if word.isdigit() or not any(ch.isalpha() for ch in word):
        return word
    return word.translate(_DIGITS_IN_WORD)


def edit_distance_at_most_one(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    if la > lb:
        a, b = b, a
    # b is one longer: find the one extra character.
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


class Normaliser:
    """Applies a locale's rewrites (text-speak, known typos) and fuzzy keyword repair."""

    def __init__(
        self,
        rewrites: Mapping[str, str],
        fuzzy_keywords: Iterable[str],
        fuzzy_min_length: int = 6,
    ) -> None:
        self._rewrites = {basic_form(k): v for k, v in rewrites.items()}
        self._keywords = tuple(sorted({basic_form(k) for k in fuzzy_keywords}))
        self._min_length = fuzzy_min_length

    @lru_cache(maxsize=4096)  # noqa: B019 - one Normaliser per locale, kept for the process
    def _repair(self, word: str) -> str:
        if word in self._rewrites:
            return self._rewrites[word]
        fixed = _leet_fix(word)
        if fixed in self._rewrites:
            return self._rewrites[fixed]
        if len(fixed) >= self._min_length and fixed not in self._keywords:
            for keyword in self._keywords:
                if edit_distance_at_most_one(fixed, keyword):
                    return keyword
        return fixed

    def __call__(self, text: str) -> str:
        return self.repair(basic_form(text))

    def repair(self, basic: str) -> str:
        """Rewrite and repair a message already in basic_form (shared across languages)."""
        return " ".join(" ".join(self._repair(word) for word in basic.split()).split())
