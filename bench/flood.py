"""A flood does not slow real conversations.

python -m bench.flood [--people 8] [--seconds 20]

Starts the real stack (trained Rasa and the API, default limits) behind a pretend proxy
on loopback (FORWARDED_ALLOW_IPS=127.0.0.1), so each simulated person has an address of
their own. Each person talks through the web chat contract, a message every second or so,
first alone, then while one address floods the chat as fast as 16 connections allow.
Prints the people's reply times (median, p95, p99) in both runs and what the flood got,
and writes reports/bench-flood.json with the date.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from multiprocessing import Queue
from pathlib import Path
from typing import Any

import httpx

from scripts.stack import ROOT, Stack, free_port

SCRIPT = ["hello", "/affirm", "what is coercive control", "/menu", "how can i stay safe"]
FLOOD_CONNECTIONS = 16


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def person(http: httpx.AsyncClient, number: int, until: float, times: list[float]) -> None:
    headers = {"X-Forwarded-For": f"198.51.100.{number + 1}"}
    conversation: str | None = None
    turn = 0
    while time.monotonic() < until:
        started = time.perf_counter()
        response = await http.post(
            "/api/chat/messages",
            json={"conversation_id": conversation, "text": SCRIPT[turn % len(SCRIPT)]},
            headers=headers,
        )
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"a real person was refused: {response.status_code}")
        conversation = response.json()["conversation_id"]
        turn += 1
        await asyncio.sleep(1.0)


async def flood(http: httpx.AsyncClient, until: float, statuses: Counter[int]) -> None:
    headers = {"X-Forwarded-For": "203.0.113.66"}
    while time.monotonic() < until:
        response = await http.post("/api/chat/messages", json={"text": "x"}, headers=headers)
        statuses[response.status_code] += 1


async def flood_for(api_url: str, seconds: float) -> dict[int, int]:
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=FLOOD_CONNECTIONS)
    async with httpx.AsyncClient(base_url=api_url, timeout=30, limits=limits) as http:
        until = time.monotonic() + seconds
        await asyncio.gather(*(flood(http, until, statuses) for _ in range(FLOOD_CONNECTIONS)))
    return dict(statuses)


def flood_process(api_url: str, seconds: float, results: Queue[dict[int, int]]) -> None:
    """The attacker, in a process of its own so its event loop cannot delay the people's,
    and at the lowest priority: a real attacker's client runs on their own machine, so here
    it may only use what the service leaves idle. What is measured is then what the
    service spends on refusing the flood."""
    os.nice(19)
    results.put(asyncio.run(flood_for(api_url, seconds)))


async def run(stack: Stack, people: int, seconds: float, flooding: bool) -> dict[str, Any]:
    times: list[float] = []
    statuses: Counter[int] = Counter()
    results: Queue[dict[int, int]] = multiprocessing.Queue()
    flooder = multiprocessing.Process(
        target=flood_process, args=(stack.api_url, seconds, results), daemon=True
    )
    if flooding:
        flooder.start()
    limits = httpx.Limits(max_connections=people + 4)
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30, limits=limits) as http:
        until = time.monotonic() + seconds
        tasks = [person(http, n + (100 if flooding else 0), until, times) for n in range(people)]
        await asyncio.gather(*tasks)
    if flooding:
        statuses.update(results.get(timeout=60))
        flooder.join()
    figures: dict[str, Any] = {
        "messages": len(times),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(percentile(times, 0.95) * 1000, 1),
        "p99_ms": round(percentile(times, 0.99) * 1000, 1),
    }
    if flooding:
        figures["flood_requests"] = sum(statuses.values())
        figures["flood_per_second"] = round(sum(statuses.values()) / seconds, 1)
        figures["flood_statuses"] = {str(k): v for k, v in sorted(statuses.items())}
    return figures


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_of(stack: Stack, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The run's figures, with the CPU seconds each process spent on it: on two cores the
    flooding client itself takes a share that a real attacker's own machine would pay."""
    pids = {name: p.pid for name, p in stack.processes.items()} | {"bench": os.getpid()}
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    figures = work()
    figures["cpu_seconds"] = {
        name: round(cpu_seconds(pid) - before[name], 1) for name, pid in pids.items()
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.flood")
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    work = ROOT / "var" / "bench-flood"
    work.mkdir(parents=True, exist_ok=True)
    (work / "flood.db").unlink(missing_ok=True)
    stack = Stack(
        api_port=free_port(),
        rasa_port=free_port(),
        database_url=f"sqlite:///{work / 'flood.db'}",
        log_dir=ROOT / "reports" / "bench" / "logs",
        extra_env={"FORWARDED_ALLOW_IPS": "127.0.0.1", "LOG_LEVEL": "WARNING"},
    )
    stack.start_api()
    stack.start_rasa()
    try:
        stack.wait_until_ready(timeout=300)
        asyncio.run(run(stack, 2, 5, flooding=False))  # warm up Rasa's caches
        alone = cpu_of(stack, lambda: asyncio.run(run(stack, args.people, args.seconds, False)))
        flooded = cpu_of(stack, lambda: asyncio.run(run(stack, args.people, args.seconds, True)))
    finally:
        stack.stop_all()
    report = {
        "date": datetime.now(UTC).date().isoformat(),
        "command": "python -m bench.flood",
        "people": args.people,
        "seconds": args.seconds,
        "alone": alone,
        "during_flood": flooded,
    }
    print(json.dumps(report, indent=2))
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "bench-flood.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
