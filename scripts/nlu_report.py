"""Held-out NLU evaluation, per language: precision, recall and F1 by intent, and a
confusion matrix.

Each language's examples (intents/<locale>/) get a fixed, stratified 80/20 split (seeded,
so the figures are repeatable). One NLU-only model is trained on every language's 80 %,
as the real model is, then tested on each language's unseen 20 % on its own. Also checks
that every held-out emergency and self-harm phrase is caught by the safety screen (in
its own language) or by the NLU.

Usage: make nlu-report   (writes reports/nlu/<locale>/ and reports/nlu-summary.json)
To compare another pipeline on the same split:
  python -m scripts.nlu_report --config my-config.yml --out reports/other
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from safety import screen
from scripts.intents import INTENTS, examples_in
from scripts.stack import RASA, ROOT
from scripts.train import rasa_env

REPORTS = ROOT / "reports"
SAFETY_INTENTS = {"emergency", "self_harm"}


def run(*args: str) -> None:
    subprocess.run([str(RASA), *args], cwd=ROOT, env=rasa_env(), check=True)


def split(locale: str, work: Path, seed: int) -> tuple[Path, Path]:
    out = work / "split" / locale
    run("data", "split", "nlu", "--nlu", str(INTENTS / locale), "--training-fraction", "0.8",
        "--random-seed", str(seed), "--out", str(out))  # fmt: skip
    return next(out.glob("training_data*")), next(out.glob("test_data*"))


def predictions(report_dir: Path) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in ("intent_successes.json", "intent_errors.json"):
        path = report_dir / name
        if path.exists():
            for item in json.loads(path.read_text(encoding="utf-8")):
                found[item["text"]] = (item["intent_prediction"] or {}).get("name")
    return found


def fallback_threshold(config_file: Path) -> float:
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "FallbackClassifier":
            return float(component["threshold"])
    return 0.0


def confidences(report_dir: Path, name: str) -> list[float]:
    path = report_dir / name
    if not path.exists():
        return []
    items = json.loads(path.read_text(encoding="utf-8"))
    return [float((item["intent_prediction"] or {}).get("confidence") or 0.0) for item in items]


def fallback_figures(report_dir: Path, config_file: Path) -> dict[str, float]:
    """What the FallbackClassifier's threshold does to the held-out guesses: the share of
    right guesses still answered, and of wrong ones turned into a clarifying question."""
    threshold = fallback_threshold(config_file)
    right = confidences(report_dir, "intent_successes.json")
    wrong = confidences(report_dir, "intent_errors.json")
    kept = sum(c >= threshold for c in right)
    asked = sum(c < threshold for c in wrong)
    return {
        "threshold": threshold,
        "right_guesses_answered": round(kept / max(len(right), 1), 3),
        "wrong_guesses_asked_again": round(asked / max(len(wrong), 1), 3),
    }


def figures_for(
    locale: str, report_dir: Path, held_out: list[tuple[str, str]], config_file: Path
) -> dict[str, Any]:
    report = json.loads((report_dir / "intent_report.json").read_text(encoding="utf-8"))
    predicted = predictions(report_dir)
    missed, safety_total = [], 0
    for intent, text in held_out:
        if intent not in SAFETY_INTENTS:
            continue
        safety_total += 1
        screened = screen(text, locale)
        if not (screened.emergency or screened.self_harm) and (
            predicted.get(text) not in SAFETY_INTENTS
        ):
            missed.append(text)
    per_intent = {
        name: {
            k: round(v, 3) for k, v in figures.items() if k in ("precision", "recall", "f1-score")
        }
        | {"support": figures["support"]}
        for name, figures in report.items()
        if isinstance(figures, dict) and "support" in figures and "avg" not in name
    }
    return {
        "held_out_examples": len(held_out),
        "intents": len(per_intent),
        "macro_f1": round(report["macro avg"]["f1-score"], 3),
        "weighted_f1": round(report["weighted avg"]["f1-score"], 3),
        "accuracy": round(report.get("accuracy", 0.0), 3),
        "fallback": fallback_figures(report_dir, config_file),
        "safety_phrases_held_out": safety_total,
        "safety_phrases_missed_by_both_nets": missed,
        "per_intent": per_intent,
    }


def evaluate(seed: int, config_file: Path, reports: Path) -> dict[str, dict[str, Any]]:
    """Split every language with this seed, train one model on all the training parts,
    and test each language on its held-out part."""
    locales = sorted(p.name for p in INTENTS.iterdir() if p.is_dir())
    if reports.exists():
        shutil.rmtree(reports)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        splits = {locale: split(locale, work, seed) for locale in locales}
        training = work / "training"
        training.mkdir()
        for locale, (train, _test) in splits.items():
            shutil.copy(train, training / f"{locale}.yml")
        run("train", "nlu", "--config", str(config_file), "--nlu", str(training),
            "--out", str(work / "models"), "--fixed-model-name", "nlu-eval")  # fmt: skip
        for locale, (_train, test) in splits.items():
            report_dir = reports / locale
            run("test", "nlu", "--model", str(work / "models" / "nlu-eval.tar.gz"),
                "--nlu", str(test), "--out", str(report_dir), "--successes")  # fmt: skip
            held_out = examples_in(test)
            results[locale] = figures_for(locale, report_dir, held_out, config_file)
    return results


def spread(runs: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Macro F1 per language over several splits: each, the mean, the lowest and highest."""
    found = {}
    for locale in runs[0]:
        scores = [run_[locale]["macro_f1"] for run_ in runs]
        found[locale] = {
            "macro_f1": scores,
            "mean": round(sum(scores) / len(scores), 3),
            "min": min(scores),
            "max": max(scores),
        }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "bot" / "config.yml")
    parser.add_argument("--out", type=Path, default=REPORTS)
    parser.add_argument(
        "--seeds",
        default="7",
        help="comma-separated split seeds; with several, the summary gives the spread "
        "(the detailed reports are the first seed's)",
    )
    args = parser.parse_args()
    config_file, out = args.config.resolve(), args.out.resolve()
    seeds = [int(seed) for seed in args.seeds.split(",")]
    runs = [
        evaluate(seed, config_file, out / ("nlu" if index == 0 else f"nlu-seed-{seed}"))
        for index, seed in enumerate(seeds)
    ]
    results = runs[0]
    missed = [
        text
        for run_ in runs
        for f in run_.values()
        for text in f["safety_phrases_missed_by_both_nets"]
    ]

    summary = {
        "split": f"stratified 80/20 of each intents/<locale>, random seed {seeds[0]}; one model "
        "trained on every language's 80 %",
        "config": str(
            config_file.relative_to(ROOT) if config_file.is_relative_to(ROOT) else config_file
        ),
        "languages": results,
    }
    if len(runs) > 1:
        summary["seeds"] = seeds
        summary["macro_f1_over_seeds"] = spread(runs)
    (out / "nlu-summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print()
    print(
        f"{'language':<10}{'held out':>10}{'macro F1':>10}{'accuracy':>10}{'safety missed':>15}"
        f"{'right kept':>12}{'wrong asked':>13}"
    )
    for locale, figures in results.items():
        print(
            f"{locale:<10}{figures['held_out_examples']:>10}{figures['macro_f1']:>10}"
            f"{figures['accuracy']:>10}{len(figures['safety_phrases_missed_by_both_nets']):>15}"
            f"{figures['fallback']['right_guesses_answered']:>12}"
            f"{figures['fallback']['wrong_guesses_asked_again']:>13}"
        )
        worst = sorted(figures["per_intent"].items(), key=lambda item: item[1]["f1-score"])[:3]
        print("   weakest: " + ", ".join(f"{n} {f['f1-score']}" for n, f in worst))
    if len(runs) > 1:
        print(f"macro F1 over {len(runs)} splits (seeds {args.seeds}): mean (lowest to highest)")
        for locale, figures in summary["macro_f1_over_seeds"].items():
            print(f"   {locale:<6} {figures['mean']} ({figures['min']} to {figures['max']})")
    print(f"Confusion matrices: {out / 'nlu'}/<locale>/intent_confusion_matrix.png")
    if missed:
        print("Held-out danger or self-harm phrases missed by both the screen and the model:")
        print("\n".join(f"   {text}" for text in sorted(set(missed))))
        sys.exit(1)


if __name__ == "__main__":
    main()
