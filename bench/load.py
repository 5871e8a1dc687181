"""Conversation load: scripted conversations through the web chat contract and signed
Twilio webhooks, against the production profile (PostgreSQL, Redis, 1 or 2 Rasa
processes, 2 API workers), next to the same messages sent straight to Rasa's REST channel.

python -m bench.load [--duration 15] [--quick]
prints a table, writes reports/bench/load.json and reports/bench/load.png.

Closed loop: N simulated people each send their next message as soon as the last answer
arrives. Open loop: conversations start at a fixed rate so that messages arrive at R per
second overall, with a person's think time between one conversation's messages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator

from api.core.db import migrate
from api.rasa.client import WEBHOOK_PATH
from bench.processes import MemoryWatch
from scripts.production import production_stack
from scripts.stack import NO_RATE_LIMITS, ROOT, Stack, free_port

REPORTS = ROOT / "reports" / "bench"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/front_door_bench"
REDIS_TRACKER_DB, REDIS_LOCK_DB = 4, 5
TWILIO_TOKEN = "bench-twilio-auth-token"  # noqa: S105 (a throwaway for signing)
# The words of the "I can't answer right now" reply (system.unavailable).
DEGRADED_MARK = "can't answer right now"

START = ["hello", "/affirm"]
SCRIPTS: dict[str, list[str]] = {
    "menu": [*START, "/menu", "what is coercive control"],
    "topic": [
        *START,
        "/understand_abuse",
        '/understand_abuse{"topic":"coercive-control"}',
        '/understand_abuse{"topic":"economic-abuse"}',
    ],
    "safety_plan": [
        *START, "/safety_plan", '/safety_plan{"plan_module":"home"}',
        "/affirm", "/deny", "/affirm", "/stop",
    ],
    "referral": [
        *START, "/get_support", "/for_myself", "/affirm", "34", "YO1 7HH", "Sam",
        '/inform{"contact_method":"text"}', "07700 900461", "/deny", "weekday mornings",
        "/skip", "/deny", "/skip", "0", "/skip", '/inform{"situation":"separated"}', "/skip",
        "/deny", "/deny", "/deny", "/deny", '/inform{"need":"housing"}',
        '/inform{"need":"done"}', "/skip", "/affirm",
    ],
}  # fmt: skip
PATHS = list(SCRIPTS)


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: Counter[str] = field(default_factory=Counter)
    degraded: int = 0
    offered: int = 0
    answered_in_window: int = 0
    started: float = field(default_factory=time.perf_counter)
    finished: float = 0.0

    def figures(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        elapsed = (self.finished or time.perf_counter()) - self.started

        def pct(p: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000, 1)

        if self.offered:  # open loop: what was answered while the load was offered
            throughput = round(self.answered_in_window / elapsed, 1)
        else:
            throughput = round(len(ordered) / elapsed, 1)
        return {
            "messages": len(ordered),
            "offered": self.offered or None,
            "throughput_per_s": throughput,
            "p50_ms": pct(0.50) if ordered else None,
            "p95_ms": pct(0.95) if ordered else None,
            "p99_ms": pct(0.99) if ordered else None,
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else None,
            "errors": self.errors,
            "error_kinds": dict(self.error_kinds),
            "degraded_replies": self.degraded,
        }


class Target:
    """Where a message goes: the gateway (web or SMS) or Rasa's REST channel directly."""

    def __init__(self, stack: Stack, kind: str, http: httpx.AsyncClient) -> None:
        self.stack, self.kind, self.http = stack, kind, http
        self.validator = RequestValidator(TWILIO_TOKEN)

    async def send(self, conversation: dict[str, Any], text: str, results: Results) -> None:
        started = time.perf_counter()
        response: httpx.Response | None = None
        try:
            if self.kind == "direct":
                urls = self.stack.rasa_urls
                url = urls[hash(conversation["id"]) % len(urls)]
                response = await self.http.post(
                    f"{url}{WEBHOOK_PATH}",
                    json={"sender": conversation["id"], "message": text},
                    headers={"Authorization": f"Bearer {self.stack.rasa_token}"},
                )
                ok = response.status_code == 200 and isinstance(response.json(), list)
                degraded = False
            elif self.kind == "web":
                response = await self.http.post(
                    f"{self.stack.api_url}/api/chat/messages",
                    json={"conversation_id": conversation.get("web_id"), "text": text},
                )
                ok = response.status_code == 200
                if ok:
                    conversation["web_id"] = response.json()["conversation_id"]
                degraded = DEGRADED_MARK in response.text
            else:
                response = await self._sms(conversation, text)
                ok = response.status_code == 200 and "<Message>" in response.text
                degraded = DEGRADED_MARK in response.text
        except httpx.HTTPError as error:
            ok, degraded, response = False, False, None
            results.error_kinds[f"{self.kind}: {type(error).__name__}"] += 1
        elapsed = time.perf_counter() - started
        if ok:
            results.latencies.append(elapsed)
            results.degraded += degraded
        else:
            results.errors += 1
            if response is not None:
                results.error_kinds[f"{self.kind}: HTTP {response.status_code}"] += 1
                if self.kind == "sms" and response.status_code == 200:
                    results.error_kinds[f"sms: empty reply to {text[:20]!r}"] += 1

    async def _sms(self, conversation: dict[str, Any], text: str) -> httpx.Response:
        url = f"{self.stack.api_url}/channels/twilio/messages"
        form = {
            "MessageSid": "SM" + secrets.token_hex(16),
            "From": conversation["phone"],
            "To": "+447700900000",
            "Body": text,
            "NumMedia": "0",
        }
        signature = self.validator.compute_signature(url, form)
        return await self.http.post(url, data=form, headers={"X-Twilio-Signature": signature})


def new_conversation(number: int) -> dict[str, Any]:
    return {
        "id": f"bench-{secrets.token_hex(8)}",
        "phone": f"+4477009{number % 100000:05d}",
        "script": SCRIPTS[PATHS[number % len(PATHS)]],
    }


async def closed_loop(targets: list[Target], people: int, duration: float) -> Results:
    results = Results()
    deadline = time.perf_counter() + duration
    counter = iter(range(10**9))

    async def person(index: int) -> None:
        target = targets[index % len(targets)]
        while time.perf_counter() < deadline:
            conversation = new_conversation(next(counter))
            for text in conversation["script"]:
                if time.perf_counter() >= deadline:
                    return
                await target.send(conversation, text, results)

    await asyncio.gather(*(person(i) for i in range(people)))
    results.finished = time.perf_counter()
    return results


async def open_loop(
    targets: list[Target], rate: float, duration: float, think: float = 1.5
) -> Results:
    """Messages go out at `rate` per second whatever the replies do: each tick takes a
    conversation that is ready (its last reply came, and its person has thought for a
    while) or starts a new one, and sends its next message without waiting for it."""
    results = Results()
    ready: asyncio.Queue[tuple[dict[str, Any], int]] = asyncio.Queue()
    randomness = random.Random(7)
    tasks: set[asyncio.Task[None]] = set()
    started_conversations = 0

    async def send(conversation: dict[str, Any], step: int, target: Target) -> None:
        await target.send(conversation, conversation["script"][step], results)
        if step + 1 < len(conversation["script"]):
            await asyncio.sleep(randomness.expovariate(1 / think))
            ready.put_nowait((conversation, step + 1))

    start = time.perf_counter()
    ticks = int(rate * duration)
    for tick in range(ticks):
        await asyncio.sleep(max(0.0, start + tick / rate - time.perf_counter()))
        if ready.empty():
            conversation, step = new_conversation(started_conversations), 0
            conversation["target"] = targets[started_conversations % len(targets)]
            started_conversations += 1
        else:
            conversation, step = ready.get_nowait()
        task = asyncio.create_task(send(conversation, step, conversation["target"]))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    results.finished = time.perf_counter()  # the offered load ends here
    sent_at_end = len(results.latencies) + results.errors
    await asyncio.gather(*tasks)
    results.offered = ticks
    results.answered_in_window = sent_at_end
    return results


def fresh_stores() -> None:
    url = make_url(POSTGRES)
    with psycopg.connect(
        f"host={url.host} port={url.port} user={url.username} dbname=postgres", autocommit=True
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{url.database}"')
    migrate(POSTGRES)
    for db in (REDIS_TRACKER_DB, REDIS_LOCK_DB):
        redis.Redis(db=db).flushdb()


def bench_stack(rasa_processes: int) -> Stack:
    api_port = free_port()
    settings = {
        "DATABASE_URL": POSTGRES,
        "FRONT_DOOR_REDIS_HOST": "127.0.0.1",
        "FRONT_DOOR_REDIS_PORT": "6379",
        "FRONT_DOOR_REDIS_TRACKER_DB": str(REDIS_TRACKER_DB),
        "FRONT_DOOR_REDIS_LOCK_DB": str(REDIS_LOCK_DB),
        "FRONT_DOOR_TRACKER_EXPIRY_SECONDS": "3600",
        "RASA_PROCESSES": str(rasa_processes),
        "API_WORKERS": "2",
        "RASA_TOKEN": secrets.token_urlsafe(24),
        "ACTIONS_TOKEN": secrets.token_urlsafe(24),
        "CHANNEL_ID_KEY": secrets.token_urlsafe(24),
        "REFERRAL_KEYS": Fernet.generate_key().decode(),
    }
    stack = production_stack(settings, log_dir=ROOT / "reports" / "bench" / "logs")
    stack.api_port = api_port
    stack.rasa_port = free_port()
    stack.more_rasa_ports = [free_port() for _ in range(rasa_processes - 1)]
    stack.extra_env.update(
        {
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "PUBLIC_BASE_URL": stack.api_url,
            "LOG_LEVEL": "WARNING",
            "STAFF_COOKIE_SECURE": "true",
            **NO_RATE_LIMITS,  # every simulated person comes from loopback
        }
    )
    return stack


async def run_profile(
    rasa_processes: int, plan: list[tuple[str, str, float]], duration: float
) -> dict[str, Any]:
    fresh_stores()
    stack = bench_stack(rasa_processes)
    stack.start_all_rasa()
    stack.start_api()
    figures: dict[str, Any] = {"rasa_processes": rasa_processes, "runs": []}
    try:
        stack.wait_until_ready(timeout=300)
        watch = MemoryWatch(stack.processes)
        limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            direct = [Target(stack, "direct", http)]
            gateway = [Target(stack, "web", http), Target(stack, "sms", http)]
            await closed_loop(gateway, 10, 5)  # warm up: models, caches, connections
            await closed_loop(direct, 10, 3)
            for mode, target_name, load in plan:
                targets = direct if target_name == "direct" else gateway
                watch.start()
                if mode == "closed":
                    results = await closed_loop(targets, int(load), duration)
                else:
                    results = await open_loop(targets, load, max(duration * 2, 30))
                memory = watch.stop()
                run = {"mode": mode, "target": target_name, "load": load, **results.figures()}
                run["peak_rss_mb"] = memory
                figures["runs"].append(run)
                print_run(rasa_processes, run)
    finally:
        stack.stop_all()
    return figures


def print_run(rasa_processes: int, run: dict[str, Any]) -> None:
    load = f"N={int(run['load'])}" if run["mode"] == "closed" else f"{run['load']:g}/s"
    print(
        f"rasa x{rasa_processes} {run['mode']:6} {run['target']:7} {load:>7}: "
        f"{run['messages']:5} msgs {run['throughput_per_s']:6.1f}/s  "
        f"p50 {run['p50_ms']} ms  p95 {run['p95_ms']} ms  p99 {run['p99_ms']} ms  "
        f"errors {run['errors']}  degraded {run['degraded_replies']}",
        flush=True,
    )


def summarise(profiles: list[dict[str, Any]]) -> dict[str, Any]:
    one = {(r["mode"], r["target"], r["load"]): r for r in profiles[0]["runs"]}
    overhead = {}
    for load in (10, 50, 200):
        gateway, direct = one.get(("closed", "gateway", load)), one.get(("closed", "direct", load))
        if gateway and direct and gateway["p50_ms"] and direct["p50_ms"]:
            overhead[f"closed_N{load}_p50_ratio"] = round(gateway["p50_ms"] / direct["p50_ms"], 2)
    gateway_open, direct_open = (
        one.get(("open", "gateway", 20.0)),
        one.get(("open", "direct", 20.0)),
    )
    if gateway_open and direct_open:
        overhead["open_20_per_s_p50_ratio"] = round(
            gateway_open["p50_ms"] / direct_open["p50_ms"], 2
        )
        overhead["open_20_per_s_p99_ratio"] = round(
            gateway_open["p99_ms"] / direct_open["p99_ms"], 2
        )
    # Saturation: the most messages a second answered with no errors and no fallback
    # answers (a fallback is quick, so counting those would flatter an overloaded system).
    saturation: dict[str, float | None] = {}
    for profile in profiles:
        for target in ("gateway", "direct"):
            clean = [
                r["throughput_per_s"]
                for r in profile["runs"]
                if r["mode"] == "closed"
                and r["target"] == target
                and not r["errors"]
                and not r["degraded_replies"]
            ]
            saturation[f"{target}_rasa_x{profile['rasa_processes']}"] = max(clean, default=None)
    return {"gateway_overhead": overhead, "saturation_throughput_per_s": saturation}


def plot(profiles: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(11, 4.2))
    for profile in profiles:
        for target, style in (("gateway", "-o"), ("direct", "--s")):
            runs = [r for r in profile["runs"] if r["mode"] == "closed" and r["target"] == target]
            if not runs:
                continue
            loads = [r["load"] for r in runs]
            label = f"{target}, {profile['rasa_processes']} Rasa"
            latency.plot(loads, [r["p50_ms"] for r in runs], style, label=f"p50 {label}")
            latency.plot(
                loads, [r["p99_ms"] for r in runs], style, alpha=0.45, label=f"p99 {label}"
            )
            throughput.plot(loads, [r["throughput_per_s"] for r in runs], style, label=label)
    latency.set(
        xscale="log",
        yscale="log",
        xlabel="concurrent conversations (closed loop)",
        ylabel="latency per message (ms)",
        title="Latency",
    )
    throughput.set(
        xscale="log",
        xlabel="concurrent conversations (closed loop)",
        ylabel="messages per second",
        title="Throughput",
    )
    latency.legend(fontsize=7)
    throughput.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per closed run")
    parser.add_argument("--quick", action="store_true", help="one short run per profile")
    parser.add_argument(
        "--summarise", action="store_true", help="redo the summary and plot of the last run"
    )
    args = parser.parse_args()
    if args.summarise:
        report = json.loads((REPORTS / "load.json").read_text())
        report["summary"] = summarise(report["profiles"])
        (REPORTS / "load.json").write_text(json.dumps(report, indent=2))
        plot(report["profiles"], REPORTS / "load.png")
        print(json.dumps(report["summary"], indent=2))
        return
    one_rasa: list[tuple[str, str, float]] = [
        ("closed", "direct", 10), ("closed", "gateway", 10),
        ("closed", "direct", 50), ("closed", "gateway", 50),
        ("closed", "direct", 200), ("closed", "gateway", 200),
        ("open", "direct", 5.0), ("open", "gateway", 5.0),
        ("open", "direct", 20.0), ("open", "gateway", 20.0),
    ]  # fmt: skip
    two_rasa: list[tuple[str, str, float]] = [
        ("closed", "direct", 50), ("closed", "gateway", 50),
        ("closed", "direct", 200), ("closed", "gateway", 200),
        ("open", "direct", 5.0), ("open", "gateway", 5.0),
        ("open", "direct", 20.0), ("open", "gateway", 20.0),
    ]  # fmt: skip
    if args.quick:
        one_rasa, two_rasa = [("closed", "gateway", 10)], [("closed", "gateway", 10)]
    started = time.monotonic()
    profiles = [
        asyncio.run(run_profile(1, one_rasa, args.duration)),
        asyncio.run(run_profile(2, two_rasa, args.duration)),
    ]
    report = {
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip(),
        "machine": {"cpus": os.cpu_count()},
        "duration_per_closed_run_s": args.duration,
        "profiles": profiles,
        "summary": summarise(profiles),
        "took_s": round(time.monotonic() - started, 1),
    }
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "load.json").write_text(json.dumps(report, indent=2))
    plot(profiles, REPORTS / "load.png")
    print(json.dumps(report["summary"], indent=2))
    print(f"Wrote reports/bench/load.json and reports/bench/load.png in {report['took_s']} s")


if __name__ == "__main__":
    main()
