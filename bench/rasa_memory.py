"""Where a Rasa process's memory goes: importing Rasa, loading the trained model, answering.

Runs in the Rasa environment, on the trained model (make model):
    .venvs/bot/bin/python -m bench.rasa_memory
prints figures and writes reports/bench-rasa-memory.json with the date.

For each stage it reads the kernel's own accounting (/proc/self/smaps_rollup): RSS, which
counts shared library pages in every process that maps them; the private part (USS),
which is what each extra Rasa process really adds; and the shared part. While the model
loads, tracemalloc attributes Python-level allocations (numpy arrays included) to the
file that made them; native memory (TensorFlow's runtime, its kernels) is the remainder.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "front-door.tar.gz"
MESSAGES = [
    "hi",
    "yes",
    "he checks my phone every night and knows where i am",
    "what is a non molestation order",
    "mój mąż zabiera mi całą wypłatę",
    "mera shohar mujhe ghar se bahar nahi jane deta",
    "i want to make a safety plan",
    "can i talk to a real person",
]


def memory_mb() -> dict[str, int]:
    fields = {}
    with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            name, *rest = line.split()
            if rest and rest[-1] == "kB":
                fields[name.rstrip(":")] = int(rest[0]) // 1024
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    shared = fields.get("Shared_Clean", 0) + fields.get("Shared_Dirty", 0)
    return {"rss": fields.get("Rss", 0), "private": private, "shared": shared}


def main() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    stages: dict[str, dict[str, int]] = {"python": memory_mb()}

    import structlog
    from rasa.core.agent import Agent

    # Rasa's debug log would print every message and slot: warnings only.
    logging.basicConfig(level=logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    stages["rasa imported"] = memory_mb()
    tracemalloc.start(1)
    agent = Agent.load(str(MODEL))
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    stages["model loaded"] = memory_mb()

    async def talk() -> None:
        for round_ in range(3):
            for number, text in enumerate(MESSAGES):
                await agent.handle_text(text, sender_id=f"bench-{round_}-{number % 3}")

    asyncio.run(talk())
    stages[f"after {3 * len(MESSAGES)} messages"] = memory_mb()

    by_file = snapshot.statistics("filename")
    traced = sum(stat.size for stat in by_file) // 2**20
    top: list[dict[str, Any]] = [
        {"file": _short(stat.traceback[0].filename), "mb": round(stat.size / 2**20, 1)}
        for stat in by_file[:8]
    ]
    loaded = stages["model loaded"]["rss"] - stages["rasa imported"]["rss"]
    report = {
        "date": time.strftime("%Y-%m-%d", time.gmtime()),  # Rasa's Python 3.10: no datetime.UTC
        "command": ".venvs/bot/bin/python -m bench.rasa_memory",
        "stages_mb": stages,
        "model_load_mb": {
            "rss_added": loaded,
            "python_traced": traced,
            "native_rest": loaded - traced,
        },
        "python_traced_by_file_mb": top,
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "bench-rasa-memory.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def _short(filename: str) -> str:
    """A file's place in the project or in site-packages, without this machine's paths."""
    for marker in ("site-packages/", "lib/python3.10/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    try:
        return str(Path(filename).resolve().relative_to(ROOT))
    except ValueError:
        return Path(filename).name


if __name__ == "__main__":
    main()
