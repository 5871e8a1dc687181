"""How well the assistant understands people as they write: measured through the running
service, on the frozen test set (tests/nlu/frozen) and the development set (tests/nlu/dev).

Each message is sent as a survivor would send it: a fresh web conversation in the item's
language, the greeting and "yes, it's safe" (as buttons), then the message. The answer
is read as the survivor sees it:
  - emergency guidance given (the 999 line) or not, and Samaritans (116 123) or not;
  - a topic page shown (its link), or an "Is it about ...?" choice (its buttons);
and Rasa's own parse of the message gives the dialogue act it recognised.

Per language it reports topic top-1 (the page shown was the right one) and top-3 (the
right one was shown or offered), the clarification rate, dialogue-act macro-F1, danger
and self-harm recall, false alarms on calm messages, and confusion tables; the summary
goes to reports/understanding-<set>.json with the date. Messages that are also training
examples are left out and counted (scripts/nlu_sets.py).

python -m scripts.understanding_report [--sets frozen,dev] [--locales en,pl,ur,ar]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from api.languages.registry import load_languages
from api.render.renderer import Renderer
from api.resources.store import ResourceStore
from scripts.nlu_sets import LOCALES, Item, scored
from scripts.stack import NO_RATE_LIMITS, ROOT, Stack, free_port

REPORTS = ROOT / "reports"
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
TOPIC_LINK = re.compile(r"/resources/([a-z0-9-]+)\?lang=")
TOPIC_BUTTON = re.compile(r'^/understand_abuse\{"topic":"([a-z0-9-]+)"\}$')
# Rasa's intents as the dialogue acts of the frozen set.
ACT_OF_INTENT = {
    "affirm": "yes", "deny": "no", "menu": "menu", "skip": "skip", "stop": "stop",
    "help": "help", "talk_to_someone": "talk_to_someone", "safety_plan": "plan",
    "get_support": "refer", "for_myself": "refer", "change_language": "language",
    "choose_language": "language", "bot_challenge": "bot", "greet": "greet",
    "thanks": "thanks", "understand_abuse": "topic_question",
}  # fmt: skip
UNLIMITED = {**NO_RATE_LIMITS, "LOG_LEVEL": "WARNING"}


@dataclass
class Answer:
    emergency: bool
    self_harm: bool
    shown: str | None  # the topic whose page was shown
    offered: list[str] = field(default_factory=list)  # topics offered as a choice
    act: str = "other"

    @property
    def candidates(self) -> list[str]:
        """The topics the answer put in front of the person, best first."""
        return [self.shown, *self.offered] if self.shown else self.offered


class Reader:
    """Sends an item as a survivor would, and reads the answer."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.http = httpx.Client(base_url=stack.api_url, timeout=60)
        renderer = Renderer(
            ROOT / "content" / "locales",
            {"hub_name": "x", "hub_short_name": "x"},
            ResourceStore(),
            "",
            load_languages(locales_dir=ROOT / "content" / "locales", default="en"),
        )
        self.call_999 = {plain(renderer.text("emergency.call_999", loc)) for loc in LOCALES}

    def send(self, conversation: str | None, text: str, locale: str) -> dict[str, Any]:
        response = self.http.post(
            "/api/chat/messages",
            json={"conversation_id": conversation, "text": text, "locale": locale},
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def act(self, text: str) -> str:
        parsed = self.http.post(
            f"{self.stack.rasa_url}/model/parse",
            params={"token": self.stack.rasa_token},
            json={"text": text},
        ).json()
        return ACT_OF_INTENT.get(str((parsed.get("intent") or {}).get("name") or ""), "other")

    def answer(self, item: Item, locale: str) -> Answer:
        opened = self.send(None, "/greet", locale)
        conversation = opened["conversation_id"]
        self.send(conversation, "/affirm", locale)
        reply = self.send(conversation, item.text, locale)
        self.http.post(f"/api/chat/{conversation}/exit")
        text = plain("\n".join(m["text"] for m in reply["messages"]))
        payloads = [b["payload"] for m in reply["messages"] for b in m["buttons"]]
        shown = TOPIC_LINK.search(text)
        # Topic buttons, in order: "Is it about...?" choices, or the topics shown beside a
        # page as what the question may also have been about.
        offered = [m.group(1) for p in payloads if (m := TOPIC_BUTTON.match(p))]
        offered = [slug for slug in offered if not slug.startswith("page-")]
        return Answer(
            emergency=any(line in text for line in self.call_999),
            self_harm="116 123" in text,
            shown=shown.group(1) if shown else None,
            offered=offered,
            act=self.act(item.text),
        )


def plain(text: str) -> str:
    """Without the marks that keep numbers left to right in Urdu and Arabic, and with
    ordinary spaces, so the same words compare equal however they were rendered."""
    return BIDI_MARKS.sub("", text).replace("\u00a0", " ")


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    labels = sorted({gold for gold, _ in pairs})
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in pairs)
        fp = sum(g != label and p == label for g, p in pairs)
        fn = sum(g == label and p != label for g, p in pairs)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def figures(results: list[tuple[Item, Answer]]) -> dict[str, Any]:
    topics = [(i, a) for i, a in results if i.kind == "topic"]
    acts = [(i.label or "", a.act) for i, a in results if i.kind == "act"]
    acts += [("topic_question", a.act) for i, a in topics]
    danger = [a.emergency for i, a in results if i.kind == "danger"]
    # Self-harm needs Samaritans (116 123), not only the emergency guidance.
    harm = [a.self_harm for i, a in results if i.kind == "self_harm"]
    calm = [a.emergency or a.self_harm for i, a in results if i.kind == "calm"]
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for item, answer in topics:
        confusion[item.label or ""][answer.shown or ("offered" if answer.offered else "none")] += 1
    act_confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for gold, predicted in acts:
        act_confusion[gold][predicted] += 1
    missed_danger = [i.text for i, a in results if i.kind == "danger" and not a.emergency]
    missed_harm = [i.text for i, a in results if i.kind == "self_harm" and not a.self_harm]

    def share(values: list[bool]) -> float | None:
        return round(sum(values) / len(values), 3) if values else None

    return {
        "items": len(results),
        "topic_items": len(topics),
        # The assistant's best guess: the page it showed, or the first topic it offered.
        "topic_top1": share([a.candidates[:1] == [i.label] for i, a in topics]),
        # The right topic shown, or one tap away among the first three.
        "topic_top3": share([i.label in a.candidates[:3] for i, a in topics]),
        # Shown straight away, and the right page.
        "topic_answered_right": share([a.shown == i.label for i, a in topics]),
        "clarification_rate": share([a.shown is None and bool(a.offered) for _, a in topics]),
        "no_topic_rate": share([not a.candidates for _, a in topics]),
        "dialogue_act_macro_f1": round(macro_f1(acts), 3) if acts else None,
        "danger_recall": share(danger),
        "self_harm_recall": share(harm),
        "calm_false_alarm_rate": share(calm),
        "missed_danger": missed_danger,
        "missed_self_harm": missed_harm,
        "calm_false_alarms": [
            i.text for i, a in results if i.kind == "calm" and (a.emergency or a.self_harm)
        ],
        # (main() keeps only the counts of these for the frozen set.)
        "topic_confusion": {k: dict(v) for k, v in sorted(confusion.items())},
        "act_confusion": {k: dict(v) for k, v in sorted(act_confusion.items())},
    }


def current_commit() -> str:
    """The commit measured, marked when the tree had changes not yet committed."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=ROOT).returncode != 0
    return f"{head} (with uncommitted changes)" if dirty else head


WORD_LISTS = ("missed_danger", "missed_self_harm", "calm_false_alarms")


def without_words(found: dict[str, Any]) -> dict[str, Any]:
    """The frozen set's figures without its messages: a report that lists the misses
    would invite tuning on the test set. Counts only; the development set lists them."""
    return {k: len(v) if k in WORD_LISTS else v for k, v in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.understanding_report")
    parser.add_argument("--sets", default="frozen,dev")
    parser.add_argument("--locales", default=",".join(LOCALES))
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as work:
        stack = Stack(
            api_port=free_port(),
            rasa_port=free_port(),
            database_url=f"sqlite:///{Path(work) / 'report.db'}",
            log_dir=REPORTS / "understanding" / "logs",
            extra_env=UNLIMITED,
        )
        measured = current_commit()  # before the stack reads the code and content
        stack.start_api()
        stack.start_rasa()
        try:
            stack.wait_until_ready(timeout=300)
            reader = Reader(stack)
            for name in args.sets.split(","):
                summary: dict[str, Any] = {
                    "date": datetime.now(UTC).date().isoformat(),
                    "set": f"tests/nlu/{name}",
                    "command": f"python -m scripts.understanding_report --sets {name}",
                    "commit": measured,
                    "per_locale": {},
                }
                for locale in args.locales.split(","):
                    chosen = scored(name, locale)
                    results = [(item, reader.answer(item, locale)) for item in chosen.items]
                    found = figures(results)
                    if name == "frozen":
                        found = without_words(found)
                    summary["per_locale"][locale] = {**found, "left_out": chosen.left_out}
                    brief = {
                        k: v
                        for k, v in summary["per_locale"][locale].items()
                        if not k.endswith("confusion") and not isinstance(v, list)
                    }
                    print(name, locale, json.dumps(brief), flush=True)
                summary["took_s"] = round(time.monotonic() - started)
                REPORTS.mkdir(exist_ok=True)
                (REPORTS / f"understanding-{name}.json").write_text(
                    json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
                )
        finally:
            stack.stop_all()


if __name__ == "__main__":
    main()
