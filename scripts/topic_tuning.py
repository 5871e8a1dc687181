"""Choose the topic retriever's settings on the development set (tests/nlu/dev), never the
frozen one: the weights of the three scores, then when to answer and when to ask.

python -m scripts.topic_tuning [--set dev] [--part weights|decisions]
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace

import numpy as np

from api.nlu.encoder import get_encoder
from api.nlu.retrieval import TopicRetriever, decide
from api.resources.store import ResourceStore
from scripts.nlu_sets import LOCALES, load
from scripts.stack import ROOT


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="dev")
    parser.add_argument("--part", default="decisions", choices=["weights", "decisions"])
    args = parser.parse_args()
    encoder = get_encoder()
    retriever = TopicRetriever(ResourceStore(), encoder, cache_dir=ROOT / "var" / "cache")
    items = {loc: load(args.set, loc) for loc in LOCALES}
    vectors = {loc: encoder.queries([i.text for i in items[loc]]) for loc in LOCALES}
    base = retriever.settings

    def rankings(locale: str, kinds: set[str]) -> list[tuple[object, str | None]]:
        return [
            (retriever.rank(item.text, locale, vector), item.label)
            for item, vector in zip(items[locale], vectors[locale], strict=True)
            if item.kind in kinds
        ]

    if args.part == "weights":
        for lexical, pieces, top_k in itertools.product((0.0, 0.3, 0.6), (0.0, 0.3, 0.6), (2, 3)):
            retriever.settings = replace(
                base, lexical_weight=lexical, pieces_weight=pieces, top_k=top_k
            )
            row = []
            for locale in LOCALES:
                found = rankings(locale, {"topic"})
                top1 = np.mean([r.best == label for r, label in found])  # type: ignore[attr-defined]
                top3 = np.mean([label in r.top(3) for r, label in found])  # type: ignore[attr-defined]
                row.append(f"{locale} {top1:.2f}/{top3:.2f}")
            print(f"lexical {lexical} pieces {pieces} top_k {top_k}: " + " | ".join(row))
        return

    for temperature in (0.5, 1.0, 1.5, 2.0, 3.0):
        retriever.settings = replace(base, temperature=temperature)
        calibration = []
        for locale in LOCALES:
            found = rankings(locale, {"topic"})
            p1 = np.mean([r.topics[0][1] for r, _ in found])  # type: ignore[attr-defined]
            top1 = np.mean([r.best == label for r, label in found])  # type: ignore[attr-defined]
            calibration.append(f"{locale} mean p1 {p1:.2f} vs right {top1:.2f}")
        print(f"T={temperature}: " + " | ".join(calibration))
    retriever.settings = base
    topics = {loc: rankings(loc, {"topic"}) for loc in LOCALES}
    others = {loc: rankings(loc, {"act"}) for loc in LOCALES}
    for locale in LOCALES:
        on = [r.similarity for r, _ in topics[locale]]  # type: ignore[attr-defined]
        off = [r.similarity for r, _ in others[locale]]  # type: ignore[attr-defined]
        print(
            f"{locale} similarity: topics p5 {np.percentile(on, 5):.3f} p50 {np.median(on):.3f}"
            f" | acts p50 {np.median(off):.3f} p95 {np.percentile(off, 95):.3f}"
        )
    for probability, floor in itertools.product((0.5, 0.6, 0.7, 0.8, 0.9), (0.02, 0.05, 0.1)):
        settings = replace(base, answer_probability=probability, offer_floor=floor)
        row = []
        for locale in LOCALES:
            choices = [(decide(r, settings), label) for r, label in topics[locale]]  # type: ignore[arg-type]
            answered = [c for c in choices if c[0].answer]
            right = sum(c.answer == label for c, label in answered)
            offered = [label in c.candidates for c, label in choices if not c.answer]
            row.append(
                f"{locale} answered {len(answered) / len(choices):.2f}"
                f" right {right / max(1, len(answered)):.2f}"
                f" offered-has-it {np.mean(offered) if offered else 1:.2f}"
            )
        print(f"p>={probability} floor {floor}: " + " | ".join(row))


if __name__ == "__main__":
    main()
