"""Work that repeats in the background of each API process, all the same way.

One loop for the idle purge, the erasures waiting for Rasa, the outbox and the spool:
a failed pass is logged and tried again on the next, never ends the loop (a loop that
dies stops that work unseen until a restart), and the loop ends when `stop` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


async def run_every(
    name: str,
    every_seconds: float,
    stop: asyncio.Event,
    work: Callable[[], Awaitable[object]],
) -> None:
    """Run `work` now and then every `every_seconds`, until `stop` is set."""
    while not stop.is_set():
        try:
            await work()
        except Exception:  # any failure: the next pass may succeed
            logger.exception("%s failed; trying again in %s s", name, every_seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_seconds)
