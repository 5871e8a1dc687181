"""The API on its own (Rasa unreachable), started as a real process on a free loopback port,
with the limits and settings an attack needs to meet. Fast to start: no model to load."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scripts.stack import ROOT, Stack, free_port
from tests.conftest import DEAD_RASA

START_API = Callable[..., Stack]


@pytest.fixture(scope="module")
def start_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[START_API]:
    started: list[Stack] = []

    def start(**env: str) -> Stack:
        work = tmp_path_factory.mktemp("api")
        stack = Stack(
            api_port=free_port(),
            database_url=f"sqlite:///{work / 'front-door.db'}",
            log_dir=ROOT / "test-artifacts" / "security" / work.name,
            extra_env={
                "RASA_URL": DEAD_RASA,
                "RASA_URLS": json.dumps([DEAD_RASA]),
                "RASA_TIMEOUT_SECONDS": "1",
                "STAFF_COOKIE_SECURE": "false",
                "REFERRAL_SPOOL_DIR": str(work / "spool"),
                **env,
            },
        )
        stack.start_api()
        started.append(stack)
        stack.wait_until_ready(timeout=60)
        return stack

    yield start
    for stack in started:
        stack.stop_all()


def database_file(stack: Stack) -> Path:
    return Path(stack.database_url.removeprefix("sqlite:///"))
