"""Encode the topic passages once, before anything starts, so the API and the tests start
with them in var/cache/ (a first start would otherwise spend about half a minute of CPU
encoding them while Rasa loads). Run by `make model`; quick when nothing changed.

python -m scripts.warm_caches
"""

from __future__ import annotations

import time

from api.nlu.retrieval import get_retriever


def main() -> None:
    started = time.monotonic()
    retriever = get_retriever()
    print(
        f"Topic passages ready: {len(retriever.passages)} in "
        f"{time.monotonic() - started:.1f} s (var/cache/)"
    )


if __name__ == "__main__":
    main()
