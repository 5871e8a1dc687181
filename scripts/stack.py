"""Start and stop the services (Rasa, the API, the outbox worker) for a local run, the
production profile on one machine, the tests and the benchmarks."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
RASA = ROOT / ".venvs" / "bot" / "bin" / "rasa"
BOT_PYTHON = ROOT / ".venvs" / "bot" / "bin" / "python"
API_PYTHON = ROOT / ".venvs" / "api" / "bin" / "python"
MODEL = ROOT / "models" / "front-door.tar.gz"


# For benchmarks, reports and tests whose simulated people all come from loopback: the
# per-address rate limits would take them for one flooding client.
NO_RATE_LIMITS = {
    "CHAT_MESSAGES_PER_MINUTE_PER_ADDRESS": "1000000",
    "CHAT_MESSAGES_PER_MINUTE_PER_CONVERSATION": "1000000",
    "NEW_CONVERSATIONS_PER_HOUR_PER_ADDRESS": "1000000",
    "REFERRALS_PER_DAY_PER_ADDRESS": "1000000",
}


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
    channel_id_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    referral_keys: str = field(default_factory=lambda: Fernet.generate_key().decode())
    environment: str = "development"
    log_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # The production profile: more Rasa processes (sharing Redis), more API workers.
    more_rasa_ports: list[int] = field(default_factory=list)
    endpoints: str = "bot/endpoints.yml"
    api_workers: int = 1

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rasa_ports(self) -> list[int]:
        return [self.rasa_port, *self.more_rasa_ports]

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    @staticmethod
    def rasa_name(index: int) -> str:
        return "rasa" if index == 0 else f"rasa-{index + 1}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "ENVIRONMENT": self.environment,
                "RASA_TELEMETRY_ENABLED": "false",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "RASA_URL": self.rasa_url,
                "RASA_URLS": json.dumps(self.rasa_urls),
                # Secrets travel in the environment, which only this user can read, never
                # on a command line, which every user of the machine can see with `ps`.
                "RASA_TOKEN": self.rasa_token,
                "ACTIONS_TOKEN": self.actions_token,
                "CHANNEL_ID_KEY": self.channel_id_key,
                "REFERRAL_KEYS": self.referral_keys,
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

    def start_all_rasa(self) -> None:
        for index in range(len(self.rasa_ports)):
            self.start_rasa(index)

    def start_rasa(self, index: int = 0) -> None:
        if not MODEL.exists():
            raise RuntimeError("No trained model: run `make model` (or `make run`) first.")
        command = [
            str(BOT_PYTHON), "-m", "bot.serve", "run",
            "--enable-api",  # behind RASA_TOKEN, read from the environment by bot.serve
            "--interface", "127.0.0.1",
            "--port", str(self.rasa_ports[index]),
            "--model", str(MODEL),
            "--endpoints", self.endpoints,
            "--credentials", "bot/credentials.yml",
        ]  # fmt: skip
        name = self.rasa_name(index)
        out = self._output(name)
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT
        )

    def start_api(self) -> None:
        command = [
            str(API_PYTHON), "-m", "uvicorn", "--factory", "api.main:create_app",
            "--host", "127.0.0.1",
            *self.proxy_options(),
            "--port", str(self.api_port),
            "--workers", str(self.api_workers),
            "--no-access-log",
        ]  # fmt: skip
        out = self._output("api")
        self.processes["api"] = subprocess.Popen(
            command, cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT
        )

    def proxy_options(self) -> list[str]:
        """X-Forwarded-For is believed only from the proxies in FORWARDED_ALLOW_IPS; by
        default from none (uvicorn's own default trusts loopback, so anyone on the machine
        could choose the address the rate limits count against)."""
        trusted = self.env().get("FORWARDED_ALLOW_IPS", "").strip()
        return ["--forwarded-allow-ips", trusted] if trusted else ["--no-proxy-headers"]

    def start_outbox_worker(self) -> None:
        """Delivery to the hub in its own process (the API's own worker is then off)."""
        out = self._output("outbox")
        self.processes["outbox"] = subprocess.Popen(
            [str(API_PYTHON), "-m", "api.hub.worker"],
            cwd=ROOT,
            env=self.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def kill(self, name: str) -> None:
        """kill -9: no chance to tidy up, as in a crash."""
        process = self.processes.pop(name)
        process.kill()
        process.wait()

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

    def serve(self, banner: str, timeout: float = 300.0) -> None:
        """For a person at a terminal: wait until ready, print the banner, and keep running
        until Ctrl+C, a SIGTERM, or a service stopping on its own; then stop everything."""
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            self.wait_until_ready(timeout=timeout)
            print(banner, flush=True)
            while all(p.poll() is None for p in self.processes.values()):
                time.sleep(1)
            print("A service stopped unexpectedly; shutting down.", file=sys.stderr)
            sys.exit(1)
        except KeyboardInterrupt:
            print("\nStopping...")
        finally:
            self.stop_all()

    def rasa_ready(self) -> bool:
        """Every Rasa process this stack started has its model loaded."""
        for index, url in enumerate(self.rasa_urls):
            if self.rasa_name(index) not in self.processes:
                continue
            try:
                response = httpx.get(f"{url}/status", params={"token": self.rasa_token}, timeout=2)
            except httpx.HTTPError:
                return False
            if response.status_code != 200 or not response.json().get("model_id"):
                return False
        return True

    def api_ready(self) -> bool:
        try:
            return httpx.get(f"{self.api_url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False
