"""The one way background work repeats: a failure is logged and the next pass still runs;
setting `stop` ends the loop promptly."""

from __future__ import annotations

import asyncio

import pytest

from api.core.background import run_every


async def test_a_failed_pass_does_not_end_the_loop(caplog: pytest.LogCaptureFixture) -> None:
    passes: list[int] = []
    stop = asyncio.Event()

    async def work() -> None:
        passes.append(len(passes))
        if len(passes) == 1:
            raise OSError("a disk went away")
        if len(passes) == 3:
            stop.set()

    await asyncio.wait_for(run_every("test work", 0.01, stop, work), timeout=5)
    assert len(passes) == 3
    assert "test work failed" in caplog.text


async def test_stop_ends_the_wait_at_once() -> None:
    stop = asyncio.Event()

    async def work() -> None:
        return None

    loop = asyncio.create_task(run_every("slow work", 3600, stop, work))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(loop, timeout=2)  # not an hour
