"""How long the safety screen takes per message (target: well under 1 ms), in English
and in Polish, Urdu and Arabic. Every message is screened with every language's lexicon,
so the figures cover all four.

python -m bench.safety_screen [--rounds N]
prints figures and writes reports/bench-safety-screen.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from safety import screen
from tests.safety.test_screen import IMMEDIATE_DANGER, NOT_AN_ALARM, SELF_HARM
from tests.safety.test_screen_languages import CALM, DANGER
from tests.safety.test_screen_languages import SELF_HARM as SELF_HARM_BY_LANGUAGE

REPORTS = Path(__file__).resolve().parents[1] / "reports"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    rounds = parser.parse_args().rounds
    english = IMMEDIATE_DANGER + SELF_HARM + NOT_AN_ALARM
    english += [m + " " + "and then some more words about my day " * 20 for m in NOT_AN_ALARM[:20]]
    messages = [(m, "en") for m in english]
    for corpus in (DANGER, SELF_HARM_BY_LANGUAGE, CALM):
        messages += [(m, locale) for locale, texts in corpus.items() for m in texts]
    screen("warm up")
    timings_us = []
    by_language: dict[str, list[float]] = {}
    for _ in range(rounds):
        for message, locale in messages:
            started = time.perf_counter_ns()
            screen(message, locale)
            took = (time.perf_counter_ns() - started) / 1000
            timings_us.append(took)
            by_language.setdefault(locale, []).append(took)
    timings_us.sort()
    figures = {
        "messages": len(timings_us),
        "mean_us": round(statistics.fmean(timings_us), 1),
        "p50_us": round(timings_us[len(timings_us) // 2], 1),
        "p99_us": round(timings_us[int(len(timings_us) * 0.99)], 1),
        "max_us": round(timings_us[-1], 1),
    }
    for locale, times in sorted(by_language.items()):
        times.sort()
        figures[f"p50_us_{locale}"] = round(times[len(times) // 2], 1)
    for name, value in figures.items():
        print(f"{name:>9}: {value}")
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "bench-safety-screen.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
