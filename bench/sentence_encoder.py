"""How long the sentence encoder (bot/nlu/minilm.py) adds to each message, and the memory
its weights take. It runs inside the Rasa process, once per message.

Runs in the Rasa environment: .venvs/bot/bin/python -m bench.sentence_encoder
prints figures and writes reports/bench-sentence-encoder.json
"""

from __future__ import annotations

import json
import resource
import statistics
import time
from pathlib import Path

from bot.nlu.minilm import MiniLM
from scripts.intents import examples_by_locale

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    model = MiniLM.load()
    load_s = time.perf_counter() - started
    model_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kb) / 1024
    messages = [text for examples in examples_by_locale().values() for _, text in examples]
    longest = "i need to tell someone what happens at home " * 45  # about the 2,000 limit
    model.encode("warm up")
    timings_ms = []
    for text in messages:
        started = time.perf_counter()
        model.encode(text)
        timings_ms.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    model.encode(longest)
    longest_ms = (time.perf_counter() - started) * 1000
    timings_ms.sort()
    figures = {
        "messages": len(messages),
        "p50_ms": round(statistics.median(timings_ms), 2),
        "p99_ms": round(timings_ms[int(len(timings_ms) * 0.99) - 1], 2),
        "max_ms": round(timings_ms[-1], 2),
        "longest_message_ms": round(longest_ms, 2),
        "load_s": round(load_s, 2),
        "memory_mb": round(model_mb),
    }
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "bench-sentence-encoder.json").write_text(json.dumps(figures, indent=2))
    print(
        f"sentence encoder over {figures['messages']} training examples: "
        f"p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms; "
        f"a 2,000-character message {figures['longest_message_ms']} ms; "
        f"loads in {figures['load_s']} s and takes {figures['memory_mb']} MB"
    )


if __name__ == "__main__":
    main()
