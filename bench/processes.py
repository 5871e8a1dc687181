"""Peak memory of the stack's processes while a benchmark runs, read from /proc."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

PROC = Path("/proc")


def children(pid: int) -> list[int]:
    found = []
    for task in (PROC / str(pid) / "task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class MemoryWatch:
    """Samples every process (and, for the API, each worker) four times a second."""

    def __init__(self, processes: dict[str, subprocess.Popen[bytes]]) -> None:
        self.processes = processes
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        for name, process in self.processes.items():
            pids = [(name, process.pid)]
            pids += [(f"{name}-worker-{n + 1}", c) for n, c in enumerate(children(process.pid))]
            for label, pid in pids:
                self.peaks[label] = max(self.peaks.get(label, 0.0), rss_mb(pid))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(0.25)

    def start(self) -> None:
        self.peaks = {}
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, float]:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return {name: round(peak, 1) for name, peak in sorted(self.peaks.items())}
