"""Which topic a message is about, found in the content itself.

Every topic page (its title, summary, keywords and the paragraphs of its full page, in
every language it has) is cut into passages. A message is compared with all of them in
two ways: by meaning (the multilingual sentence encoder, so an Urdu question can land on
an English paragraph) and by words (BM25 over each topic's text in the message's
language and in English). The two scores are put on one scale per message, added, and
turned into a probability per topic. The caller answers with the best topic when it is
clearly ahead, and asks "Is it about ...?" when two or three are close.

Settings (the weights, the temperature, the thresholds) were chosen on the development
set in tests/nlu/dev/, never on the frozen test set (docs/nlu.md).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from api.core.config import PROJECT_ROOT
from api.core.locales import SOURCE_LOCALE
from api.nlu.encoder import Encoder, Vectors, get_encoder
from api.resources.store import ContentError, Resource, ResourceStore, get_store
from safety.normalise import fold_letters

_WORD = re.compile(r"\w+", re.UNICODE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=#)|\n(?=- )")
MAX_PASSAGE_CHARS = 400
EXAMPLES_DIR = PROJECT_ROOT / "content" / "topics" / "examples"
CACHE_DIR = PROJECT_ROOT / "var" / "cache"


@dataclass(frozen=True)
class Passage:
    slug: str
    locale: str
    text: str


@dataclass(frozen=True)
class RetrievalSettings:
    # Chosen on tests/nlu/dev with scripts/topic_tuning.py (docs/nlu.md).
    lexical_weight: float = 0.3
    pieces_weight: float = 0.3
    temperature: float = 0.5
    top_k: int = 3
    # Answer with the best topic when it is at least this likely; otherwise offer up to
    # `offer` topics, each at least `offer_floor` likely (and always two).
    answer_probability: float = 0.7
    offer_floor: float = 0.02
    offer: int = 3
    # A message the language model could not place is offered topics only if it comes at
    # least this close to one (cosine); below, it gets the kind "sorry" and the menu.
    relevance_floor: float = 0.87


@dataclass(frozen=True)
class Ranking:
    """Topics best first, with their probabilities (which add up to 1)."""

    topics: list[tuple[str, float]]
    # How close the message came to any passage (cosine): low means it is not about any
    # topic at all ("what's the weather like").
    similarity: float = 1.0

    @property
    def best(self) -> str:
        return self.topics[0][0]

    def top(self, n: int) -> list[str]:
        return [slug for slug, _ in self.topics[:n]]


@dataclass(frozen=True)
class TopicChoice:
    """What to do with a message about a topic: answer with one, or ask which of a few."""

    answer: str | None
    candidates: list[str] = field(default_factory=list)
    # With an answer: the next likeliest topics, offered beside it.
    also: list[str] = field(default_factory=list)


def words(text: str) -> list[str]:
    return _WORD.findall(fold_letters(text.casefold()))


def passages_of(resource: Resource) -> list[str]:
    """A topic page cut into the pieces a question is compared with."""
    pieces = [resource.title, resource.summary]
    keywords = list(resource.keywords)
    pieces += [", ".join(keywords[i : i + 3]) for i in range(0, len(keywords), 3)]
    # Every hub's paragraphs: a question about either police order finds the page.
    for block in _PARAGRAPH_BREAK.split(resource.page() or ""):
        block = " ".join(block.replace("#", " ").split()).removeprefix("- ")
        if len(block) >= 20:
            pieces.append(block[:MAX_PASSAGE_CHARS])
    return pieces


def example_passages(folder: Path, slugs: Sequence[str]) -> list[Passage]:
    """How people ask about each topic, in their own words (content/topics/examples/)."""
    found = []
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for slug, examples in (data.get("topics") or {}).items():
            if slug not in slugs:
                raise ContentError(f"{path.name} has examples for unknown topic {slug!r}")
            found += [Passage(slug, path.stem, str(text)) for text in examples]
    return found


def content_passages(store: ResourceStore) -> list[Passage]:
    found = []
    for locale in store.locales():
        for slug in store.slugs:
            resource = store.get(slug, locale)
            if resource is None or resource.locale != locale:
                continue  # not translated: its English passages are there already
            found += [Passage(slug, locale, text) for text in passages_of(resource)]
    return found


class Bm25:
    """Okapi BM25 over one document per topic (its passages in one language)."""

    def __init__(self, documents: dict[str, list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.counts = {slug: Counter(tokens) for slug, tokens in documents.items()}
        self.lengths = {slug: len(tokens) for slug, tokens in documents.items()}
        self.average = (sum(self.lengths.values()) / len(self.lengths)) if self.lengths else 1.0
        frequency: Counter[str] = Counter()
        for counts in self.counts.values():
            frequency.update(counts.keys())
        n = len(self.counts)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}

    def scores(self, query: Iterable[str]) -> dict[str, float]:
        terms = [t for t in set(query) if t in self.idf]
        result = {}
        for slug, counts in self.counts.items():
            norm = self.k1 * (1 - self.b + self.b * self.lengths[slug] / self.average)
            result[slug] = sum(
                self.idf[t] * counts[t] * (self.k1 + 1) / (counts[t] + norm)
                for t in terms
                if counts[t]
            )
        return result


def character_grams(text: str) -> Counter[str]:
    """Three- and four-letter pieces of the words: "shohar" and "shauhar", "dzieci" and
    "dzieciaki" share most of theirs, where whole words would not match at all."""
    joined = f" {' '.join(words(text))} "
    return Counter(joined[i : i + n] for n in (3, 4) for i in range(len(joined) - n + 1))


class CharacterGrams:
    """TF-IDF cosine over letter pieces, one document per topic (in one language)."""

    def __init__(self, documents: dict[str, Counter[str]]) -> None:
        frequency: Counter[str] = Counter()
        for grams in documents.values():
            frequency.update(grams.keys())
        n = len(documents)
        self.idf = {g: math.log((n + 1) / (f + 0.5)) for g, f in frequency.items()}
        self.vectors = {slug: self._unit(grams) for slug, grams in documents.items()}

    def _unit(self, grams: Counter[str]) -> dict[str, float]:
        weights = {g: (1 + math.log(c)) * self.idf.get(g, 0.0) for g, c in grams.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {g: w / norm for g, w in weights.items() if w}

    def scores(self, text: str) -> dict[str, float]:
        query = self._unit(character_grams(text))
        return {
            slug: sum(w * vector.get(g, 0.0) for g, w in query.items())
            for slug, vector in self.vectors.items()
        }


class TopicRetriever:
    def __init__(
        self,
        store: ResourceStore,
        encoder: Encoder,
        settings: RetrievalSettings | None = None,
        cache_dir: Path | None = None,
        examples_dir: Path = EXAMPLES_DIR,
    ) -> None:
        self.settings = settings or RetrievalSettings()
        self.slugs = list(store.slugs)
        self.encoder = encoder
        self.passages = content_passages(store) + example_passages(examples_dir, store.slugs)
        self.vectors = self._passage_vectors(cache_dir)
        self.passage_topic = np.array([self.slugs.index(p.slug) for p in self.passages])
        self.topic_rows = [np.flatnonzero(self.passage_topic == i) for i in range(len(self.slugs))]
        self.passage_locale = [p.locale for p in self.passages]
        documents: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        grams: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        for passage in self.passages:
            documents[passage.locale][passage.slug] += words(passage.text)
            grams[passage.locale][passage.slug] += character_grams(passage.text)
        self.lexical = {locale: Bm25(docs) for locale, docs in documents.items()}
        self.pieces = {locale: CharacterGrams(docs) for locale, docs in grams.items()}

    def _passage_vectors(self, cache_dir: Path | None) -> Vectors:
        """Encoded once; kept on disk by a hash of the passages, so a restart is quick."""
        texts = [p.text for p in self.passages]
        key = hashlib.sha256(json.dumps(texts, ensure_ascii=False).encode()).hexdigest()[:16]
        cached = cache_dir / f"passages-{key}.npy" if cache_dir else None
        if cached is not None and cached.exists():
            vectors: Vectors = np.load(cached)
            if vectors.shape[0] == len(texts):
                return vectors
        vectors = self.encoder.passages(texts)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            np.save(cached, vectors)
        return vectors

    def rank(self, text: str, locale: str, vector: Vectors | None = None) -> Ranking:
        """Topics for a message, best first. `vector` is the message's encoding, if the
        caller has it already."""
        query = self.encoder.queries([text])[0] if vector is None else vector
        dense = self.dense_scores(self.vectors @ query)
        lexical = np.zeros(len(self.slugs))
        pieces = np.zeros(len(self.slugs))
        tokens = words(text)
        for code in dict.fromkeys((locale, SOURCE_LOCALE)):
            if (index := self.lexical.get(code)) is not None:
                found = index.scores(tokens)
                lexical = np.maximum(lexical, [found.get(slug, 0.0) for slug in self.slugs])
            if (grams := self.pieces.get(code)) is not None:
                found = grams.scores(text)
                pieces = np.maximum(pieces, [found.get(slug, 0.0) for slug in self.slugs])
        combined = (
            _standardise(dense)
            + self.settings.lexical_weight * _standardise(lexical)
            + self.settings.pieces_weight * _standardise(pieces)
        )
        logits = combined / self.settings.temperature
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        order = np.argsort(-probabilities)
        return Ranking(
            [(self.slugs[i], float(probabilities[i])) for i in order], float(dense.max())
        )

    def dense_scores(self, similarity: np.ndarray) -> np.ndarray:
        """Per topic, the mean of its `top_k` most similar passages."""
        k = self.settings.top_k
        scores = np.empty(len(self.slugs))
        for index in range(len(self.slugs)):
            mine = similarity[self.topic_rows[index]]
            scores[index] = np.sort(mine)[-k:].mean() if k > 1 else mine.max()
        return scores

    def choose(self, text: str, locale: str, *, unclear: bool = False) -> TopicChoice:
        """For a question about abuse: a topic, or a short choice. For a message the
        language model could not place (`unclear`): the same, or nothing if the message
        is not near any topic."""
        ranking = self.rank(text, locale)
        if unclear and ranking.similarity < self.settings.relevance_floor:
            return TopicChoice(answer=None)
        return decide(ranking, self.settings)


def decide(ranking: Ranking, settings: RetrievalSettings) -> TopicChoice:
    """Answer when the best topic is likely enough (the probabilities are calibrated on the
    development set: on average the best topic's probability matches how often it is
    right); otherwise offer the two or three likeliest, never a generic list."""
    best, p1 = ranking.topics[0]
    offered = [slug for slug, p in ranking.topics[: settings.offer] if p >= settings.offer_floor]
    if p1 >= settings.answer_probability:
        return TopicChoice(answer=best, also=[slug for slug in offered if slug != best])
    if len(offered) < 2:
        offered = ranking.top(2)
    return TopicChoice(answer=None, candidates=offered)


def _standardise(values: Sequence[float] | np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    spread = array.std()
    return (array - array.mean()) / spread if spread > 1e-9 else np.zeros_like(array)


_building = threading.Lock()


@lru_cache
def _retriever() -> TopicRetriever:
    return TopicRetriever(get_store(), get_encoder(), cache_dir=CACHE_DIR)


def get_retriever() -> TopicRetriever:
    """One retriever per process, built on first use (the API warms it at start-up; the
    passages' vectors are kept under var/cache, so only the first start encodes them)."""
    with _building:
        return _retriever()
