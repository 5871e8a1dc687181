"""Compare intent classifier variants quickly, with a scikit-learn copy of the pipeline.

`make nlu-report` trains real Rasa models (about four minutes a split); this copy takes
seconds a variant once the sentence vectors are cached, so it is the way to try ideas.
It has the pipeline's word and character counts and sentence vectors, but not the
regex and lexical features, and its own stratified split: confirm a winner with
`python -m scripts.nlu_report --config ... --seeds ...` before changing bot/config.yml.

Runs in the Rasa environment (it needs the encoder):
  .venvs/bot/bin/python -m scripts.nlu_variants [--seeds 7,11,23]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

from bot.nlu.ensemble_classifier import mostly_latin
from scripts.intents import examples_by_locale

CACHE = Path(__file__).resolve().parents[1] / "reports" / "nlu-vectors.npz"


@dataclass(frozen=True)
class Variant:
    name: str
    weight: float = 4.0  # the sentence vectors' weight among the word counts
    svm_share: float = 0.0  # the vector model's share of the average; 0 for none
    latin_only: bool = True  # the vector model votes only on Latin-script messages
    logistic: bool = True  # False: the vector model alone


VARIANTS = [
    Variant("logistic regression, vectors x4 (the previous pipeline)"),
    Variant("logistic regression, vectors x8", weight=8),
    Variant("support vector machine alone", svm_share=1.0, latin_only=False, logistic=False),
    Variant("average, every message, x8", weight=8, svm_share=0.5, latin_only=False),
    Variant("average, Latin script only, x8", weight=8, svm_share=0.5),
    Variant("average, Latin script only, x4 (chosen)", svm_share=0.5),
    Variant("Latin script only, x4, vector share 0.35", svm_share=0.35),
]


def words_of(text: str) -> str:
    # Roughly what WhitespaceTokenizer keeps: words, with apostrophes inside them.
    text = unicodedata.normalize("NFC", text.lower())
    return " ".join(re.findall(r"[^\W_]+(?:['’][^\W_]+)*", text))


def sentence_vectors(texts: list[str]) -> np.ndarray:
    """The encoder's vectors, cached by text so a second run takes seconds."""
    cached: dict[str, np.ndarray] = {}
    if CACHE.exists():
        with np.load(CACHE) as data:
            cached = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    key = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    missing = [i for i, k in enumerate(key) if k not in cached]
    if missing:
        from bot.nlu.minilm import MiniLM

        model = MiniLM.load()
        for i in missing:
            cached[key[i]] = model.encode_words(words_of(texts[i]).split()).sentence
        CACHE.parent.mkdir(exist_ok=True)
        np.savez(CACHE, keys=np.array(list(cached)), vectors=np.stack(list(cached.values())))
    return np.stack([cached[k] for k in key])


def split(locales: np.ndarray, labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    train, test = [], []
    for locale in sorted(set(locales)):
        index = np.where(locales == locale)[0]
        a, b = train_test_split(index, test_size=0.2, random_state=seed, stratify=labels[index])
        train += list(a)
        test += list(b)
    return np.array(train), np.array(test)


def main() -> None:
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="7,11,23")
    args = parser.parse_args()
    rows = [(loc, i, t) for loc, ex in examples_by_locale().items() for i, t in ex]
    locales = np.array([r[0] for r in rows])
    labels = np.array([r[1] for r in rows])
    texts = [words_of(r[2]) for r in rows]
    vectors = sentence_vectors([r[2] for r in rows])
    latin = np.array([mostly_latin(r[2]) for r in rows])
    scores: dict[tuple[str, str], list[float]] = {}
    for seed in (int(s) for s in args.seeds.split(",")):
        train, test = split(locales, labels, seed)
        counts = [
            CountVectorizer(ngram_range=(1, 2), tokenizer=str.split, token_pattern=None),
            CountVectorizer(analyzer="char_wb", ngram_range=(1, 4)),
        ]
        sparse = [c.fit([texts[i] for i in train]).transform(texts) for c in counts]
        svm = SVC(C=10, probability=True, class_weight="balanced", random_state=7)
        by_meaning = svm.fit(vectors[train], labels[train]).predict_proba(vectors[test])
        for variant in VARIANTS:
            features = hstack([*sparse, csr_matrix(vectors * variant.weight)]).tocsr()
            logistic = LogisticRegression(max_iter=500, class_weight="balanced", random_state=7)
            by_words = logistic.fit(features[train], labels[train]).predict_proba(features[test])
            share = np.where(latin[test] | (not variant.latin_only), variant.svm_share, 0.0)
            mixed = (
                by_meaning
                if not variant.logistic
                else ((1 - share[:, None]) * by_words + share[:, None] * by_meaning)
            )
            predicted = logistic.classes_[mixed.argmax(1)]
            for locale in sorted(set(locales)):
                held = locales[test] == locale
                f1 = f1_score(labels[test][held], predicted[held], average="macro")
                scores.setdefault((variant.name, locale), []).append(f1)
    print(f"macro F1, mean over splits {args.seeds}")
    order = sorted(set(locales))
    print(f"{'variant':<58}" + "".join(f"{loc:>7}" for loc in order))
    for variant in VARIANTS:
        cells = "".join(f"{np.mean(scores[(variant.name, loc)]):>7.3f}" for loc in order)
        print(f"{variant.name:<58}{cells}")


if __name__ == "__main__":
    main()
