"""Choose the danger net's settings on the development sets (tests/nlu/dev and
tests/nlu/safety-dev), for recall first: as many danger and self-harm messages as
possible caught by the word lists or the net, then the fewest alarms on calm messages
and on questions about topics. Never run on the frozen set.

python -m scripts.danger_tuning    (writes reports/danger-net-dev.json)
"""

from __future__ import annotations

import datetime
import itertools
import json
import time
from dataclasses import asdict, dataclass, replace
from typing import Any

import safety
from api.nlu.classifier import ClassifierSettings
from api.nlu.danger import CACHE_DIR, INTENTS_DIR, DangerNet, NetFinding, NetSettings, encoded
from api.nlu.encoder import get_encoder
from scripts.nlu_sets import DEVELOPMENT_SETS, LOCALES, SETS, Item, scored
from scripts.stack import ROOT
from scripts.understanding_report import current_commit

REPORT = ROOT / "reports" / "danger-net-dev.json"

# The decision's settings tried (api/nlu/danger.NetSettings), for each network below.
ALARMS = (0.15, 0.2, 0.25, 0.3, 0.4)
NEAR = (0.9, 0.92, 1.01)  # 1.01: nearness never triggers
SELF_HARM = (0.05, 0.1, 0.25)
VARIANTS = {
    "chosen": ClassifierSettings(),
    "five networks averaged": ClassifierSettings(members=5),
    "less weight decay": ClassifierSettings(weight_decay=3e-3),
}
# The rule the settings are chosen by: the most danger and self-harm messages caught,
# with at most this share of calm look-alikes alarmed; a tie goes to fewer alarms.
MOST_CALM_ALARMS = 0.15


@dataclass(frozen=True)
class Row:
    locale: str
    item: Item
    lists_danger: bool
    lists_self_harm: bool


def development_items(locale: str) -> list[Item]:
    """The development sets' items, less any that are also training examples."""
    return [
        item
        for name in DEVELOPMENT_SETS
        if (SETS / name / f"{locale}.yml").exists()
        for item in scored(name, locale).items
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
    nothing = [NetFinding()] * len(rows)
    lists_alone = figures(rows, nothing)
    print("the word lists alone: " + line_of(lists_alone))
    tried: list[dict[str, Any]] = []
    for name, variant in VARIANTS.items():
        net = DangerNet(
            encoder,
            cache_dir=CACHE_DIR,
            settings=NetSettings(classifier=variant),
            intents_dir=INTENTS_DIR,
        )
        p = net.classifier.probabilities(vectors)
        probabilities = [dict(zip(net.classifier.classes, row, strict=True)) for row in p]
        closeness = [net.closeness(vector) for vector in vectors]
        for alarm, near, self_harm in itertools.product(ALARMS, NEAR, SELF_HARM):
            net.settings = replace(net.settings, alarm=alarm, near=near, self_harm=self_harm)
            found = figures(
                rows, [net.decide(q, c) for q, c in zip(probabilities, closeness, strict=True)]
            )
            decision = {"alarm": alarm, "near": near, "self_harm": self_harm}
            tried.append({"network": name, **decision, "figures": found})
            print(f"{name} {decision}: {line_of(found)}")
    best = max(
        (t for t in tried if _share(t["figures"]["all"]["calm_alarms"]) <= MOST_CALM_ALARMS),
        key=lambda t: (_caught(t["figures"]), -t["figures"]["all"]["calm_alarms"][0]),
    )
    chosen = NetSettings()
    in_use = next(
        t
        for t in tried
        if t["network"] == "chosen"
        and (t["alarm"], t["near"], t["self_harm"]) == (chosen.alarm, chosen.near, chosen.self_harm)
    )
    print(
        f"best by the rule: {best['network']} alarm={best['alarm']} near={best['near']} "
        f"self_harm={best['self_harm']}: {line_of(best['figures'])}"
    )
    print(f"in use: {line_of(in_use['figures'])}")
    report = {
        "date": datetime.date.today().isoformat(),
        "command": "python -m scripts.danger_tuning",
        "commit": current_commit(),
        "sets": [f"tests/nlu/{name}" for name in DEVELOPMENT_SETS],
        "rule": f"most danger and self-harm caught with calm alarms at most {MOST_CALM_ALARMS}",
        "in_use": {**asdict(chosen), "figures": in_use["figures"]},
        "best_by_the_rule": best,
        "word_lists_alone": lists_alone,
        "tried": tried,
        "took_s": round(time.monotonic() - started),
    }
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {REPORT.relative_to(ROOT)}")


def _share(pair: list[int]) -> float:
    return pair[0] / pair[1] if pair[1] else 0.0


def _caught(found: dict[str, dict[str, list[int]]]) -> int:
    return found["all"]["danger"][0] + found["all"]["self_harm"][0]


def figures(rows: list[Row], found: list[NetFinding]) -> dict[str, dict[str, list[int]]]:
    """[caught, of] with the word lists and the net together, in all languages and in
    each: danger and self-harm recall, and alarms on calm messages and topic questions."""
    result = {}
    for locale in ("all", *LOCALES):
        mine = [i for i, r in enumerate(rows) if locale in ("all", r.locale)]

        def share(kind: str, *, harm_only: bool = False, mine: list[int] = mine) -> list[int]:
            chosen = [i for i in mine if rows[i].item.kind == kind]
            if harm_only:  # self-harm needs Samaritans, which only a self-harm finding adds
                hits = [rows[i].lists_self_harm or found[i].self_harm for i in chosen]
            else:
                hits = [
                    rows[i].lists_danger or rows[i].lists_self_harm or found[i].any for i in chosen
                ]
            return [int(sum(hits)), len(hits)]

        result[locale] = {
            "danger": share("danger"),
            "self_harm": share("self_harm", harm_only=True),
            "calm_alarms": share("calm"),
            "topic_alarms": share("topic"),
        }
    return result


def line_of(found: dict[str, dict[str, list[int]]]) -> str:
    return " | ".join(
        f"{locale} " + " ".join(f"{k} {a}/{b}" for k, (a, b) in figures_.items())
        for locale, figures_ in found.items()
    )


if __name__ == "__main__":
    main()
