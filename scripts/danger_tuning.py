"""Choose the danger net's settings on the development sets (tests/nlu/dev and
tests/nlu/safety-dev), for recall first: as many danger and self-harm messages as
possible caught by the word lists or the net, then the fewest alarms on calm messages
and on questions about topics. Never run on the frozen set.

python -m scripts.danger_tuning    (writes reports/danger-net-dev.json)
"""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

import safety
from api.nlu.classifier import ClassifierSettings
from api.nlu.danger import CACHE_DIR, DangerNet, NetSettings, encoded
from api.nlu.encoder import get_encoder
from scripts.nlu_sets import DEVELOPMENT_SETS, LOCALES, SETS, Item, load
from scripts.stack import ROOT
from scripts.understanding_report import current_commit

REPORT = ROOT / "reports" / "danger-net-dev.json"

THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
VARIANTS = {
    "chosen": ClassifierSettings(),
    "one network": ClassifierSettings(members=1),
    "less weight decay": ClassifierSettings(weight_decay=1e-3),
    "more weight decay": ClassifierSettings(weight_decay=1e-2),
}


@dataclass(frozen=True)
class Row:
    locale: str
    item: Item
    lists_danger: bool
    lists_self_harm: bool


def development_items(locale: str) -> list[Item]:
    return [
        item
        for name in DEVELOPMENT_SETS
        if (SETS / name / f"{locale}.yml").exists()
        for item in load(name, locale)
    ]


def main() -> None:
    started = time.monotonic()
    encoder = get_encoder()
    rows = []
    for locale in LOCALES:
        for item in development_items(locale):
            screened = safety.screen(item.text, locale)
            rows.append(Row(locale, item, screened.emergency, screened.self_harm))
    vectors = encoded(encoder, [r.item.text for r in rows], CACHE_DIR)
    nothing = np.zeros(len(rows), dtype=bool)
    lists_alone = figures(rows, nothing, nothing)
    print("the word lists alone: " + line_of(lists_alone))
    variants: dict[str, Any] = {}
    for name, variant in VARIANTS.items():
        net = DangerNet(encoder, cache_dir=CACHE_DIR, settings=NetSettings(classifier=variant))
        p = net.classifier.probabilities(vectors)
        danger = p[:, net.classifier.classes.index("danger")]
        harm = p[:, net.classifier.classes.index("self_harm")]
        variants[name] = {"settings": asdict(variant), "by_threshold": {}}
        for threshold in THRESHOLDS:
            settings = replace(net.settings, danger=threshold, self_harm=threshold)
            found = figures(rows, danger >= settings.danger, harm >= settings.self_harm)
            variants[name]["by_threshold"][str(threshold)] = found
            print(f"{name}, {threshold}: {line_of(found)}")
    chosen = NetSettings()
    report = {
        "date": datetime.date.today().isoformat(),
        "command": "python -m scripts.danger_tuning",
        "commit": current_commit(),
        "sets": [f"tests/nlu/{name}" for name in DEVELOPMENT_SETS],
        "chosen": {
            "danger": chosen.danger,
            "self_harm": chosen.self_harm,
            "classifier": asdict(chosen.classifier),
        },
        "word_lists_alone": lists_alone,
        "variants": variants,
        "took_s": round(time.monotonic() - started),
    }
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {REPORT.relative_to(ROOT)}")


def figures(
    rows: list[Row], net_danger: np.ndarray, net_harm: np.ndarray
) -> dict[str, dict[str, list[int]]]:
    """[caught, of] with the word lists and the net together, in all languages and in
    each: danger and self-harm recall, and alarms on calm messages and topic questions."""
    found = {}
    for locale in ("all", *LOCALES):
        mine = [i for i, r in enumerate(rows) if locale in ("all", r.locale)]

        def share(kind: str, *, harm_only: bool = False, mine: list[int] = mine) -> list[int]:
            chosen = [i for i in mine if rows[i].item.kind == kind]
            if harm_only:  # self-harm needs Samaritans, which only a self-harm finding adds
                hits = [rows[i].lists_self_harm or net_harm[i] for i in chosen]
            else:
                hits = [
                    rows[i].lists_danger or rows[i].lists_self_harm or net_danger[i] or net_harm[i]
                    for i in chosen
                ]
            return [int(sum(hits)), len(hits)]

        found[locale] = {
            "danger": share("danger"),
            "self_harm": share("self_harm", harm_only=True),
            "calm_alarms": share("calm"),
            "topic_alarms": share("topic"),
        }
    return found


def line_of(found: dict[str, dict[str, list[int]]]) -> str:
    return " | ".join(
        f"{locale} " + " ".join(f"{k} {a}/{b}" for k, (a, b) in figures_.items())
        for locale, figures_ in found.items()
    )


if __name__ == "__main__":
    main()
