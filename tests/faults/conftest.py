"""The production profile under faults: two Rasa processes sharing a Redis of the tests'
own (so it can be restarted), PostgreSQL, and the API, all on loopback."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from cryptography.fernet import Fernet

from api.core.db import migrate
from scripts.production import production_stack
from scripts.stack import NO_RATE_LIMITS, ROOT, Stack, free_port

# The words of the "I can't answer right now" reply (system.unavailable).
DEGRADED = "can't answer right now"


class RedisServer:
    """A redis-server of the tests' own, keeping nothing on disk, restartable on its port."""

    def __init__(self, work: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is required for the fault tests (Debian's redis-server)")
        self.binary, self.work, self.port = binary, work, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.work)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fault_stack(
    redis_server: RedisServer, postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    migrate(postgres_url)
    settings = {
        "DATABASE_URL": postgres_url,
        "FRONT_DOOR_REDIS_HOST": "127.0.0.1",
        "FRONT_DOOR_REDIS_PORT": str(redis_server.port),
        "FRONT_DOOR_REDIS_TRACKER_DB": "0",
        "FRONT_DOOR_REDIS_LOCK_DB": "1",
        "FRONT_DOOR_TRACKER_EXPIRY_SECONDS": "3600",
        "RASA_PROCESSES": "2",
        "API_WORKERS": "1",
        "RASA_TOKEN": secrets.token_urlsafe(24),
        "ACTIONS_TOKEN": secrets.token_urlsafe(24),
        "CHANNEL_ID_KEY": secrets.token_urlsafe(24),
        "REFERRAL_KEYS": Fernet.generate_key().decode(),
    }
    stack = production_stack(settings, log_dir=ROOT / "test-artifacts" / "faults")
    stack.api_port, stack.rasa_port = free_port(), free_port()
    stack.more_rasa_ports = [free_port()]
    stack.extra_env["REFERRAL_SPOOL_DIR"] = str(tmp_path_factory.mktemp("spool"))
    stack.extra_env["SPOOL_REPLAY_SECONDS"] = "1"
    stack.extra_env["ERASE_RETRY_SECONDS"] = "1"
    # Every simulated person comes from loopback: lift the per-address limits.
    stack.extra_env.update(NO_RATE_LIMITS)
    stack.start_all_rasa()
    stack.start_api()
    try:
        stack.wait_until_ready(timeout=300)
        yield stack
    finally:
        stack.stop_all()


class InFlight:
    """How many messages are waiting for their answer, across the simulated people."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()

    def __enter__(self) -> None:
        with self.changed:
            self.count += 1
            self.changed.notify_all()

    def __exit__(self, *exc: object) -> None:
        with self.changed:
            self.count -= 1

    def wait_for(self, at_least: int, timeout: float = 10.0) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.count >= at_least, timeout=timeout)


IN_FLIGHT = InFlight()


@dataclass
class Sent:
    text: str
    status: int
    reply: str
    at: float  # when the answer came
    started: float = 0.0  # when it was sent


@dataclass
class Person:
    """One simulated web chat conversation, run in a thread."""

    stack: Stack
    script: list[str]
    pause: float = 0.3
    conversation_id: str | None = None
    sent: list[Sent] = field(default_factory=list)

    def run(self) -> Person:
        with httpx.Client(base_url=self.stack.api_url, timeout=30) as http:
            for text in self.script:
                started = time.monotonic()
                with IN_FLIGHT:
                    response = http.post(
                        "/api/chat/messages",
                        json={"conversation_id": self.conversation_id, "text": text},
                    )
                reply = " ".join(m["text"] for m in response.json().get("messages", []))
                if response.status_code == 200:
                    self.conversation_id = response.json()["conversation_id"]
                self.sent.append(Sent(text, response.status_code, reply, time.monotonic(), started))
                time.sleep(self.pause)
        return self

    def user_texts_in_rasa(self) -> list[str]:
        for url in self.stack.rasa_urls:
            try:
                response = httpx.get(
                    f"{url}/conversations/{self.conversation_id}/tracker",
                    params={"token": self.stack.rasa_token},
                    timeout=10,
                )
            except httpx.HTTPError:
                continue
            events: list[dict[str, Any]] = response.json()["events"]
            return [e["text"] for e in events if e["event"] == "user"]
        raise AssertionError("no Rasa process answered")


def script_for(number: int) -> list[str]:
    """A topic and a safety plan, with a word that belongs to this conversation only."""
    return [
        "hello", "/affirm", f"quokka{number} what is abuse", "/understand_abuse",
        '/understand_abuse{"topic":"coercive-control"}', "/safety_plan",
        '/safety_plan{"plan_module":"home"}', "/affirm", "/deny", "/stop",
        f"quokka{number} thank you", "/menu",
    ]  # fmt: skip


def run_people(stack: Stack, count: int, fault: Any, fault_after: float) -> list[Person]:
    """`count` conversations at once; `fault()` is called `fault_after` seconds in."""
    people = [Person(stack, script_for(n)) for n in range(count)]
    with ThreadPoolExecutor(max_workers=count + 1) as pool:
        futures = [pool.submit(person.run) for person in people]
        time.sleep(fault_after)
        IN_FLIGHT.wait_for(2)  # fire while messages wait for their answers, not between
        fault_began = time.monotonic()
        fault()
        fault_ended = time.monotonic()
        for future in futures:
            future.result(timeout=300)
    # The fault must hit conversations mid-flight, or the test proves nothing: some message
    # was waiting for its answer while it happened, and the conversations went on after it.
    sent = [s for person in people for s in person.sent]
    assert any(s.started <= fault_ended and s.at >= fault_began for s in sent), (
        "no message was in flight when the fault hit"
    )
    assert any(s.started > fault_ended for s in sent), "nothing was sent after the fault"
    return people


def ensure_in_ci(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
