"""Write training data for Rasa from examples kept elsewhere, so each has one source:

- intents/<locale>/topic_questions.yml (`understand_abuse`) from the topic examples
  (content/topics/examples/): how people ask about each topic in their own words; the
  model learns such a message is a question about abuse (retrieval finds the topic);
- intents/<locale>/danger_examples.yml (`emergency`, `self_harm`) from the danger net's
  exemplars (safety/exemplars/more/): Rasa's own emergency intent is the net behind the
  word lists and the meaning net.

A test fails if these files are stale. python -m scripts.topic_intents
"""

from __future__ import annotations

from pathlib import Path

import yaml

from scripts.intents import examples_in
from scripts.stack import ROOT

EXAMPLES = ROOT / "content" / "topics" / "examples"
EXEMPLARS = ROOT / "safety" / "exemplars" / "more"
PER_KIND = {"danger": ("emergency", 40), "self_harm": ("self_harm", 20)}
INTENTS = ROOT / "intents"
PER_TOPIC = 12
HEADER = (
    "# Generated from content/topics/examples/{locale}.yml by `python -m scripts.topic_intents`:\n"
    "# edit the examples there, not this file. Questions about abuse in people's own words,\n"
    "# up to {n} per topic, for the understand_abuse act (the topic is found by retrieval).\n"
)
REVIEW = (
    "# NEEDS REVIEW by a fluent speaker who knows domestic abuse work, like its source\n"
    "# (docs/translation.md).\n"
)


def rendered(locale: str) -> str:
    data = yaml.safe_load((EXAMPLES / f"{locale}.yml").read_text(encoding="utf-8"))
    # An example the hand-written data already gives (to any intent) is left out: given
    # twice it could sit on both sides of a held-out split, or teach a contradiction.
    taken = {
        _key(example)
        for path in sorted((INTENTS / locale).glob("*.yml"))
        if path != target(locale)
        for _, example in examples_in(path)
    }
    chosen = []
    for examples in data["topics"].values():
        for text in examples[:PER_TOPIC]:
            if _key(_plain(text)) not in taken:
                taken.add(_key(_plain(text)))
                chosen.append(text)
    lines = "".join(f"      - {_plain(text)}\n" for text in chosen)
    return (
        HEADER.format(locale=locale, n=PER_TOPIC)
        + (REVIEW if locale != "en" else "")
        + 'version: "3.1"\n\nnlu:\n  - intent: understand_abuse\n    examples: |\n'
        + lines
    )


def _plain(text: str) -> str:
    """One line of Rasa's example list: no newlines, no leading markup."""
    return " ".join(str(text).split()).lstrip("-# ")


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def target(locale: str) -> Path:
    return INTENTS / locale / "topic_questions.yml"


def danger_target(locale: str) -> Path:
    return INTENTS / locale / "danger_examples.yml"


def rendered_danger(locale: str) -> str:
    data = yaml.safe_load((EXEMPLARS / f"{locale}.yml").read_text(encoding="utf-8"))
    taken = {
        _key(example)
        for path in sorted((INTENTS / locale).glob("*.yml"))
        if path != danger_target(locale)
        for _, example in examples_in(path)
    }
    blocks = []
    for kind, (intent, most) in PER_KIND.items():
        chosen = []
        for text in data.get(kind) or []:
            if len(chosen) == most:
                break
            if _key(_plain(text)) not in taken:
                taken.add(_key(_plain(text)))
                chosen.append(_plain(text))
        lines = "".join(f"      - {text}\n" for text in chosen)
        blocks.append(f"  - intent: {intent}\n    examples: |\n{lines}")
    header = (
        f"# Generated from safety/exemplars/more/{locale}.yml by\n"
        "# `python -m scripts.topic_intents`: edit the exemplars there, not this file. Danger\n"
        "# now and self-harm in people's own words, for Rasa's emergency and self_harm intents\n"
        "# (the net behind the safety screen).\n"
    )
    review = REVIEW if locale != "en" else ""
    return header + review + 'version: "3.1"\n\nnlu:\n' + "".join(blocks)


def main() -> None:
    for path in sorted(EXAMPLES.glob("*.yml")):
        target(path.stem).write_text(rendered(path.stem), encoding="utf-8")
        print(f"wrote {target(path.stem).relative_to(ROOT)}")
    for path in sorted(EXEMPLARS.glob("*.yml")):
        danger_target(path.stem).write_text(rendered_danger(path.stem), encoding="utf-8")
        print(f"wrote {danger_target(path.stem).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
