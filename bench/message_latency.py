"""One conversation at a time through the gateway: how long a message takes, end to end.

python -m bench.message_latency [--rounds 3]

Starts the real stack (trained Rasa, the API) and sends, one at a time, a fixed script of
typed messages (greetings, answers, topic questions in four languages, an emergency),
each in a fresh conversation after the greeting and "yes, it's safe", as a survivor
would. Prints the median, p90 and p99 of the message's own round trip, and the API's
peak memory, and writes reports/bench-message-latency.json with the date. Run it on two
commits to compare them (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.processes import MemoryWatch
from bench.quiet_stack import quiet_stack
from scripts.stack import ROOT

SCRIPT = [
    ("en", "hi"),
    ("en", "he checks my phone every night and knows where i am"),
    ("en", "my husband takes all my wages and gives me pocket money"),
    ("en", "can i talk to a real person"),
    ("en", "i want to make a safety plan"),
    ("en", "yes"),
    ("en", "what is a non molestation order"),
    ("en", "im scared to leave because of the kids"),
    ("pl", "mój mąż zabiera mi całą wypłatę"),
    ("pl", "czy mogę porozmawiać z kimś"),
    ("ur", "mera shohar mujhe ghar se bahar nahi jane deta"),
    ("ur", "کیا میں کسی سے بات کر سکتی ہوں"),
    ("ar", "زوجي يأخذ راتبي كله"),
    ("ar", "بدي احكي مع حدا"),
    ("en", "he's outside with a knife"),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.message_latency")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work, quiet_stack(Path(work)) as stack:
        watch = MemoryWatch(stack.processes)
        watch.start()
        times: list[float] = []
        with httpx.Client(base_url=stack.api_url, timeout=60) as http:
            for round_number in range(args.rounds + 1):  # the first round warms up
                for locale, text in SCRIPT:
                    body = {"text": "/greet", "locale": locale}
                    cid = http.post("/api/chat/messages", json=body).json()["conversation_id"]
                    body = {"conversation_id": cid, "text": "/affirm", "locale": locale}
                    http.post("/api/chat/messages", json=body)
                    started = time.perf_counter()
                    body = {"conversation_id": cid, "text": text, "locale": locale}
                    response = http.post("/api/chat/messages", json=body)
                    took = time.perf_counter() - started
                    response.raise_for_status()
                    if round_number:
                        times.append(took)
        peaks = watch.stop()
    report = {
        "date": datetime.now(UTC).date().isoformat(),
        "command": "python -m bench.message_latency",
        "messages": len(times),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p90_ms": round(percentile(times, 0.9) * 1000, 1),
        "p99_ms": round(percentile(times, 0.99) * 1000, 1),
        "peak_rss_mb": {name: round(mb) for name, mb in peaks.items()},
    }
    print(json.dumps(report, indent=2))
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "bench-message-latency.json").write_text(
        json.dumps(report, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
