"""The web chat in a real browser (Debian's Chromium, driven by Playwright)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from scripts.stack import ROOT, Stack

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    opened = context.new_page()
    yield opened
    context.close()


def test_chat_greets_and_buttons_work(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.api_url}/")
    expect(page.get_by_text("not a person")).to_be_visible()
    page.get_by_role("button", name="Yes, it's safe").click()
    expect(page.get_by_role("button", name="Understand abuse")).to_be_visible()
    page.get_by_role("button", name="Understand abuse").click()
    page.get_by_role("button", name="Coercive control").click()
    expect(page.get_by_text("takes away your freedom")).to_be_visible()
    expect(page.get_by_role("link", name="/resources/coercive-control?lang=en")).to_be_visible()
    page.get_by_label("Type your message").fill("he's got a knife")
    page.keyboard.press("Enter")
    expect(page.get_by_text("press 55").last).to_be_visible()
    shots = ROOT / "test-artifacts"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "web-chat.png"), full_page=False)


def test_exit_leaves_erases_and_back_does_not_return(
    page: Page, stack: Stack, neutral_site: str
) -> None:
    page.goto(f"{stack.api_url}/")
    expect(page.get_by_text("not a person")).to_be_visible()
    page.get_by_role("button", name="Yes, it's safe").click()
    expect(page.get_by_role("button", name="Understand abuse")).to_be_visible()
    with page.expect_request(lambda r: r.url.endswith("/exit") and r.method == "POST") as beacon:
        page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(neutral_site)
    page.go_back()
    assert page.url != f"{stack.api_url}/"  # location.replace: the chat is not in history

    conversation_id = beacon.value.url.split("/")[-2]
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": stack.rasa_token},
    ).json()
    assert not [e for e in tracker["events"] if e["event"] in ("user", "bot", "slot")]

    page.goto(f"{stack.api_url}/healthz")  # same origin as the chat, no chat running
    storage = page.evaluate(
        "async () => [localStorage.length, sessionStorage.length, document.cookie,"
        " (await indexedDB.databases()).length]"
    )
    assert storage == [0, 0, "", 0]


def test_exit_link_works_without_javascript(
    browser: Browser, stack: Stack, neutral_site: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{stack.api_url}/")
    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(neutral_site)
    context.close()
