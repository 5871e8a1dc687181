"""Encode the topic passages and train the danger net once, before anything starts, so
the API and the tests start with them in var/cache/ (a first start would otherwise spend
a minute or two of CPU on them while Rasa loads, and the first message would wait). Run
by `make model`; quick when nothing changed.

python -m scripts.warm_caches
"""

from __future__ import annotations

import time

from api.nlu.danger import get_danger_net
from api.nlu.retrieval import get_retriever


def main() -> None:
    started = time.monotonic()
    retriever = get_retriever()
    print(
        f"Topic passages ready: {len(retriever.passages)} in "
        f"{time.monotonic() - started:.1f} s (var/cache/)"
    )
    started = time.monotonic()
    net = get_danger_net()
    print(
        f"Danger net ready: {len(net.classifier.classes)} kinds of message learned in "
        f"{time.monotonic() - started:.1f} s (var/cache/)"
    )


if __name__ == "__main__":
    main()
