"""The stack the one-at-a-time benchmarks time: the trained Rasa and the API on SQLite,
with no rate limits and quiet logs, ready before the first message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scripts.stack import NO_RATE_LIMITS, ROOT, Stack, free_port


@contextmanager
def quiet_stack(work: Path) -> Iterator[Stack]:
    stack = Stack(
        api_port=free_port(),
        rasa_port=free_port(),
        database_url=f"sqlite:///{work / 'bench.db'}",
        log_dir=ROOT / "reports" / "bench" / "logs",
        extra_env={"LOG_LEVEL": "WARNING", **NO_RATE_LIMITS},
    )
    stack.start_api()
    stack.start_rasa()
    try:
        stack.wait_until_ready(timeout=300)
        yield stack
    finally:
        stack.stop_all()
