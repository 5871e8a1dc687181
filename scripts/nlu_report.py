"""Held-out NLU evaluation: per-intent precision, recall and F1, and a confusion matrix.

A fixed, stratified 80/20 split of intents/en (seeded, so the figures are repeatable): train
an NLU-only model on 80 %, test on the unseen 20 %. Also checks that every held-out
emergency and self-harm phrase is caught by the safety screen or by the NLU.

Usage: make nlu-report   (writes reports/nlu/ and reports/nlu-summary.json)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from safety import screen
from scripts.stack import RASA, ROOT
from scripts.train import rasa_env

OUT = ROOT / "reports" / "nlu"
SAFETY_INTENTS = {"emergency", "self_harm"}


def run(*args: str) -> None:
    subprocess.run([str(RASA), *args], cwd=ROOT, env=rasa_env(), check=True)


def held_out_examples(test_file: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(test_file.read_text())
    pairs = []
    for block in data.get("nlu", []):
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                pairs.append((block["intent"], line.strip()[2:]))
    return pairs


def main() -> None:
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        run("data", "split", "nlu", "--nlu", "intents/en", "--training-fraction", "0.8",
            "--random-seed", "7", "--out", str(work / "split"))  # fmt: skip
        train = next((work / "split").glob("training_data*"))
        test = next((work / "split").glob("test_data*"))
        run("train", "nlu", "--config", "bot/config.yml", "--nlu", str(train),
            "--out", str(work / "models"), "--fixed-model-name", "nlu-eval")  # fmt: skip
        if OUT.exists():
            shutil.rmtree(OUT)
        run("test", "nlu", "--model", str(work / "models" / "nlu-eval.tar.gz"),
            "--nlu", str(test), "--out", str(OUT), "--successes")  # fmt: skip
        held_out = held_out_examples(test)

    report = json.loads((OUT / "intent_report.json").read_text())
    predictions = {}
    for name in ("intent_successes.json", "intent_errors.json"):
        path = OUT / name
        if path.exists():
            for item in json.loads(path.read_text()):
                predictions[item["text"]] = (item["intent_prediction"] or {}).get("name")

    missed = []
    safety_total = 0
    for intent, text in held_out:
        if intent not in SAFETY_INTENTS:
            continue
        safety_total += 1
        screened = screen(text)
        caught_by_screen = screened.emergency or screened.self_harm
        if not caught_by_screen and predictions.get(text) not in SAFETY_INTENTS:
            missed.append(text)

    per_intent = {
        name: {
            k: round(v, 3) for k, v in figures.items() if k in ("precision", "recall", "f1-score")
        }
        | {"support": figures["support"]}
        for name, figures in report.items()
        if isinstance(figures, dict) and "support" in figures and "avg" not in name
    }
    summary = {
        "split": "stratified 80/20 of intents/en, random seed 7",
        "held_out_examples": len(held_out),
        "intents": len(per_intent),
        "macro_f1": round(report["macro avg"]["f1-score"], 3),
        "weighted_f1": round(report["weighted avg"]["f1-score"], 3),
        "accuracy": round(report.get("accuracy", 0.0), 3),
        "safety_phrases_held_out": safety_total,
        "safety_phrases_missed_by_both_nets": missed,
        "per_intent": per_intent,
    }
    (ROOT / "reports" / "nlu-summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nHeld-out macro F1: {summary['macro_f1']}  accuracy: {summary['accuracy']}")
    print(f"Safety phrases held out: {safety_total}, missed by both nets: {len(missed)}")
    worst = sorted(per_intent.items(), key=lambda item: item[1]["f1-score"])[:5]
    for name, figures in worst:
        print(f"  {name:<20} F1 {figures['f1-score']}")
    print(f"Confusion matrix: {(OUT / 'intent_confusion_matrix.png').relative_to(ROOT)}")
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
