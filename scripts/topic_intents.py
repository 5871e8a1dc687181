"""Write each language's topic examples (content/topics/examples/) as Rasa training data for
the `understand_abuse` act: intents/<locale>/topic_questions.yml.

The examples are how people ask about each topic in their own words; the language model
learns from them that such a message is a question about abuse (the topic itself is then
found by retrieval). One source, two uses: a test fails if these files are stale.

python -m scripts.topic_intents
"""

from __future__ import annotations

from pathlib import Path

import yaml

from scripts.intents import examples_in
from scripts.stack import ROOT

EXAMPLES = ROOT / "content" / "topics" / "examples"
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


def main() -> None:
    for path in sorted(EXAMPLES.glob("*.yml")):
        target(path.stem).write_text(rendered(path.stem), encoding="utf-8")
        print(f"wrote {target(path.stem).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
