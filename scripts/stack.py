"""Start and stop the two services (Rasa and the API) for a local run and for the tests."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
RASA = ROOT / ".venvs" / "bot" / "bin" / "rasa"
API_PYTHON = ROOT / ".venvs" / "api" / "bin" / "python"
MODEL = ROOT / "models" / "front-door.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@dataclass
class Stack:
    api_port: int = 8000
    rasa_port: int = 5005
    database_url: str = f"sqlite:///{ROOT / 'var' / 'front-door.db'}"
    rasa_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    actions_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    log_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "RASA_TELEMETRY_ENABLED": "false",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "RASA_URL": self.rasa_url,
                "RASA_TOKEN": self.rasa_token,
                "ACTIONS_TOKEN": self.actions_token,
                "FRONT_DOOR_ACTIONS_URL": f"{self.api_url}/webhook",
                "FRONT_DOOR_ACTIONS_TOKEN": self.actions_token,
                "DATABASE_URL": self.database_url,
                "API_PORT": str(self.api_port),
            }
        )
        env.update(self.extra_env)
        return env

    def _output(self, name: str) -> int | None:
        if self.log_dir is None:
            return None
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return os.open(self.log_dir / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)

    def start_rasa(self) -> None:
        if not MODEL.exists():
            raise RuntimeError("No trained model: run `make model` (or `make run`) first.")
        command = [
            str(RASA), "run",
            "--enable-api",
            "--auth-token", self.rasa_token,
            "--interface", "127.0.0.1",
            "--port", str(self.rasa_port),
            "--model", str(MODEL),
            "--endpoints", "bot/endpoints.yml",
            "--credentials", "bot/credentials.yml",
        ]  # fmt: skip
        out = self._output("rasa")
        self.processes["rasa"] = subprocess.Popen(
            command, cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT
        )

    def start_api(self) -> None:
        command = [
            str(API_PYTHON), "-m", "uvicorn", "api.main:app",
            "--host", "127.0.0.1",
            "--port", str(self.api_port),
            "--no-access-log",
        ]  # fmt: skip
        out = self._output("api")
        self.processes["api"] = subprocess.Popen(
            command, cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT
        )

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def wait_until_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with code {process.returncode}")
            if self.rasa_ready() and self.api_ready():
                return
            time.sleep(0.5)
        raise TimeoutError("Rasa and the API did not become ready in time")

    def rasa_ready(self) -> bool:
        try:
            response = httpx.get(
                f"{self.rasa_url}/status", params={"token": self.rasa_token}, timeout=2
            )
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and bool(response.json().get("model_id"))

    def api_ready(self) -> bool:
        try:
            return httpx.get(f"{self.api_url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False
