"""Does a message cost more the longer the conversation? A self-referral, one message at a
time, through the gateway: the time of each message by its place in the conversation.

python -m bench.referral_turns [--rounds 5]

Starts the real stack (trained Rasa, the API, SQLite) and sends the load benchmark's
referral script (bench/load.py) in fresh web conversations, one after another, nothing
else running. Prints and writes reports/bench-referral-turns.json with the date and
commit: the median time of each message by its place, and the 26th against the 3rd (the
"flat conversations" target: at most 1.5 times).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.load import SCRIPTS
from bench.quiet_stack import quiet_stack
from scripts.stack import ROOT

REPORT = ROOT / "reports" / "bench-referral-turns.json"


def one_referral(http: httpx.Client) -> list[float]:
    """Each message's round trip, in seconds, in the order sent."""
    cid: str | None = None
    times = []
    for text in SCRIPTS["referral"]:
        body = {"conversation_id": cid, "text": text, "locale": "en"}
        started = time.perf_counter()
        response = http.post("/api/chat/messages", json=body)
        times.append(time.perf_counter() - started)
        response.raise_for_status()
        cid = response.json()["conversation_id"]
    # The script must really have walked the referral to "Send it", or the figures would
    # be those of a question asked again and again.
    said = " ".join(m["text"] for m in response.json()["messages"])
    if "Your reference is FD-" not in said:
        raise SystemExit(f"the referral script did not end with a sent referral: {said[:200]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.referral_turns")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as work,
        quiet_stack(Path(work)) as stack,
        httpx.Client(base_url=stack.api_url, timeout=60) as http,
    ):
        one_referral(http)  # warms up every path once
        rounds = [one_referral(http) for _ in range(args.rounds)]
    by_place = [statistics.median(times) * 1000 for times in zip(*rounds, strict=True)]
    third, twenty_sixth = by_place[2], by_place[25]
    report = {
        "date": datetime.now(UTC).date().isoformat(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip(),
        "command": "python -m bench.referral_turns",
        "rounds": args.rounds,
        "messages_per_referral": len(by_place),
        "median_ms_by_place": [round(ms, 1) for ms in by_place],
        "third_ms": round(third, 1),
        "twenty_sixth_ms": round(twenty_sixth, 1),
        "twenty_sixth_over_third": round(twenty_sixth / third, 2),
    }
    print(json.dumps(report, indent=2))
    REPORT.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
