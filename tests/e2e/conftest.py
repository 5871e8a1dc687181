from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from scripts.stack import ROOT, Stack

AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"


class Chat:
    """A survivor's side of the web chat contract, over real HTTP."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.http = httpx.Client(base_url=stack.api_url, timeout=30)
        self.conversation_id: str | None = None

    def send(self, text: str) -> list[dict[str, Any]]:
        response = self.http.post(
            "/api/chat/messages", json={"conversation_id": self.conversation_id, "text": text}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        self.conversation_id = body["conversation_id"]
        messages: list[dict[str, Any]] = body["messages"]
        return messages

    def said(self, text: str) -> str:
        return " ".join(m["text"] for m in self.send(text))

    def tracker(self) -> dict[str, Any]:
        response = httpx.get(
            f"{self.stack.rasa_url}/conversations/{self.conversation_id}/tracker",
            params={"token": self.stack.rasa_token},
            timeout=30,
        )
        response.raise_for_status()
        tracker: dict[str, Any] = response.json()
        return tracker


@pytest.fixture
def chat(stack: Stack) -> Iterator[Chat]:
    conversation = Chat(stack)
    yield conversation
    conversation.http.close()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright; no browser is downloaded.

    Module-scoped: Playwright's sync API keeps an event loop running while it is open,
    which would break asyncio tests that happen to run after it.
    """
    assert CHROMIUM.exists(), "make test installs Debian's chromium (scripts/setup.sh --browser)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now (needs bypass_csp)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


ADMIN_EMAIL = "console-admin@hub.example"
ADMIN_PASSWORD = "a passphrase for the console test"


@pytest.fixture(scope="session")
def admin_account(stack: Stack) -> str:
    """The first admin, made with the documented command against the stack's database."""
    made = subprocess.run(
        [sys.executable, "-m", "api.staff.cli", "create-user", "--email", ADMIN_EMAIL,
         "--name", "Robin Helpline"],
        # As an IT person would run it: the stack's own settings and secrets.
        env={**stack.env(), "FRONT_DOOR_NEW_PASSWORD": ADMIN_PASSWORD},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return ADMIN_EMAIL


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    opened = context.new_page()
    yield opened
    context.close()
