"""How long the meaning-based steps take per message, in the API process: the encoder
(once per message), the danger net, topic retrieval and the audience cues.

Messages are the development set's, in four languages, each encoded afresh (the cache of
recent messages is bypassed), one at a time on one core, as the gateway does.

python -m bench.danger_net
prints figures and writes reports/bench-danger-net.json
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from api.nlu.audiences import get_cues
from api.nlu.danger import get_danger_net
from api.nlu.encoder import get_encoder
from api.nlu.retrieval import get_retriever
from scripts.nlu_sets import LOCALES, load

REPORTS = Path(__file__).resolve().parents[1] / "reports"


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)

    return {"p50_ms": at(0.5), "p90_ms": at(0.9), "p99_ms": at(0.99), "max_ms": at(1.0)}


def main() -> None:
    encoder = get_encoder()
    net = get_danger_net()
    retriever = get_retriever()
    cues = get_cues()
    messages = [(item.text, locale) for locale in LOCALES for item in load("dev", locale)]
    timings: dict[str, list[float]] = {"encode": [], "net": [], "retrieval": [], "cues": []}
    for text, locale in messages:
        encoder._recent.clear()  # each message encoded afresh, as a new message is
        started = time.perf_counter()
        vector = encoder.query(text)
        encoded = time.perf_counter()
        net.check(text, vector)
        checked = time.perf_counter()
        choice = retriever.choose(text, locale)  # finds the vector just made in the cache
        ranked = time.perf_counter()
        cues.apply(choice, text, locale)
        done = time.perf_counter()
        timings["encode"].append((encoded - started) * 1000)
        timings["net"].append((checked - encoded) * 1000)
        timings["retrieval"].append((ranked - checked) * 1000)
        timings["cues"].append((done - ranked) * 1000)
    figures = {step: percentiles(values) for step, values in timings.items()}
    summary = {
        "date": datetime.now(UTC).date().isoformat(),
        "command": "python -m bench.danger_net",
        "messages": len(messages),
        "note": "per message: encode once; the net and retrieval reuse that vector",
        **figures,
    }
    for step, found in figures.items():
        print(f"{step:>9}: " + ", ".join(f"{k} {v}" for k, v in found.items()))
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "bench-danger-net.json").write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
