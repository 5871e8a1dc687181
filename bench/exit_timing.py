"""How fast the quick exit blanks the page and leaves, in Debian's Chromium.

python -m bench.exit_timing [--runs N]
Starts the API on a free port (Rasa is not needed for this) and a local neutral page, then
for each run: opens the chat, triggers the exit, and records, from the trigger:
  blank    the overlay is shown (the DOM change, in the page's own clock; it is painted in
           the next frame, at most 16.7 ms later at 60 Hz)
  left     the neutral page's URL is committed (wall clock, includes Playwright's overhead)
The page starts leaving at once, so no later animation frame of it can be timed.
Prints medians and p95 in ms and writes reports/bench-exit-timing.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

from scripts.stack import ROOT, Stack, free_port
from tests.conftest import NeutralPage
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

MEASURE = """() => new Promise((resolve) => {
  const overlay = document.getElementById('exit-overlay');
  const times = {};
  new MutationObserver(() => {
    if (!overlay.hidden && times.blank === undefined) {
      times.blank = performance.now() - times.start;
      resolve(times);
    }
  }).observe(overlay, { attributes: true });
  times.start = performance.now();
  window.FrontDoorExit.now();
})"""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    neutral = ThreadingHTTPServer(("127.0.0.1", 0), NeutralPage)
    threading.Thread(target=neutral.serve_forever, daemon=True).start()
    destination = f"http://127.0.0.1:{neutral.server_address[1]}/weather"
    results: dict[str, list[float]] = {"blank": [], "left": []}
    with tempfile.TemporaryDirectory() as work:
        stack = Stack(
            api_port=free_port(),
            rasa_port=free_port(),  # nothing listens there: the page does not need Rasa
            database_url=f"sqlite:///{Path(work) / 'bench.db'}",
            extra_env={"EXIT_DESTINATION": destination},
        )
        stack.start_api()
        try:
            while not stack.api_ready():
                time.sleep(0.2)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                for _ in range(runs):
                    page = browser.new_page()
                    page.goto(f"{stack.api_url}/")
                    page.wait_for_selector(".msg-bot")
                    started = time.perf_counter()
                    times = page.evaluate(MEASURE)
                    page.wait_for_url(destination)
                    results["left"].append((time.perf_counter() - started) * 1000)
                    results["blank"].append(times.get("blank", float("nan")))
                    page.close()
                browser.close()
        finally:
            stack.stop_all()
            neutral.shutdown()
    figures = {
        name: {
            "median_ms": round(statistics.median(values), 2),
            "p95_ms": round(percentile(values, 0.95), 2),
        }
        for name, values in results.items()
    }
    figures["runs"] = runs  # type: ignore[assignment]
    for name in ("blank", "left"):
        print(
            f"{name:>8}: median {figures[name]['median_ms']} ms, p95 {figures[name]['p95_ms']} ms"
        )
    reports = ROOT / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "bench-exit-timing.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
