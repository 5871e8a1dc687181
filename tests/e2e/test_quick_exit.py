"""Quick exit and accessibility, in a real browser (Debian's Chromium, driven by Playwright)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from scripts.stack import Stack
from tests.conftest import origin_of
from tests.e2e.conftest import serious_violations

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 360, "height": 640}, bypass_csp=True)
    opened = context.new_page()
    yield opened
    context.close()


def open_chat(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.api_url}/")
    expect(page.get_by_text("not a person")).to_be_visible()


def tracker_is_empty(stack: Stack, conversation_id: str) -> bool:
    events = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": stack.rasa_token},
    ).json()["events"]
    return not [e for e in events if e["event"] in ("user", "bot", "slot")]


def test_three_shift_presses_exit_and_erase(page: Page, stack: Stack, neutral_site: str) -> None:
    open_chat(page, stack)
    page.get_by_role("button", name="Yes, it's safe").click()
    expect(page.get_by_role("button", name="Understand abuse")).to_be_visible()
    conversation_id = page.evaluate("() => document.body.dataset.conversationId")
    # Rasa held this conversation before the exit: "empty after" then means erased, not
    # never there.
    assert not tracker_is_empty(stack, conversation_id)
    page.keyboard.press("Shift")
    expect(page.locator("#exit-status")).to_have_text("Shift, press 2 more times to exit.")
    page.keyboard.press("Shift")
    expect(page.locator("#exit-status")).to_have_text("Shift, press 1 more time to exit.")
    page.keyboard.press("Shift")
    page.wait_for_url(neutral_site)
    page.go_back()
    assert page.url != f"{stack.api_url}/"
    assert tracker_is_empty(stack, conversation_id)


def test_two_shifts_then_a_letter_does_not_exit(page: Page, stack: Stack) -> None:
    open_chat(page, stack)
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("a")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url == f"{stack.api_url}/"


def test_typing_capitals_in_the_message_box_does_not_exit(page: Page, stack: Stack) -> None:
    open_chat(page, stack)
    box = page.get_by_label("Type your message")
    box.click()
    page.keyboard.type("HELLO I Am OK THANKS")
    page.wait_for_timeout(300)
    assert page.url == f"{stack.api_url}/"
    assert box.input_value() == "HELLO I Am OK THANKS"


def test_exit_stays_on_top_with_a_long_transcript_on_a_small_screen(
    browser: Browser, stack: Stack
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 568})
    page = context.new_page()
    open_chat(page, stack)
    page.get_by_role("button", name="Yes, it's safe").click()
    for _ in range(3):
        page.get_by_role("button", name="Talk to someone").last.click()
        page.get_by_role("button", name="Back to the menu").last.click()
    expect(page.get_by_role("button", name="Understand abuse").last).to_be_visible()
    page.mouse.wheel(0, 20000)
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.scrollY") > 200  # the transcript really is long
    box = page.locator("#exit").bounding_box()
    assert box is not None and box["y"] < 20
    on_top = page.evaluate(
        "([x, y]) => document.getElementById('exit').contains(document.elementFromPoint(x, y))",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top, "something covers the exit button"
    context.close()


def test_the_exit_is_explained_once_with_a_link_to_covering_tracks(
    page: Page, stack: Stack
) -> None:
    open_chat(page, stack)
    note = page.locator("#exit-note")
    expect(note).to_contain_text("does not clear your browser history")
    expect(note.get_by_role("link")).to_have_attribute(
        "href", "/resources/covering-your-tracks?lang=en"
    )
    page.get_by_role("button", name="Got it").click()
    expect(note).to_be_hidden()


def test_nothing_is_kept_in_the_browser(page: Page, stack: Stack) -> None:
    open_chat(page, stack)
    page.get_by_role("button", name="Yes, it's safe").click()
    expect(page.get_by_role("button", name="Understand abuse")).to_be_visible()
    kept = page.evaluate(
        "async () => [localStorage.length, sessionStorage.length, document.cookie,"
        " (await indexedDB.databases()).length]"
    )
    assert kept == [0, 0, "", 0]


def tab_to(page: Page, name: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"could not reach {name!r} with Tab")


def test_a_whole_conversation_by_keyboard_alone(page: Page, stack: Stack) -> None:
    open_chat(page, stack)
    tab_to(page, "Yes, it's safe")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Understand abuse")).to_be_visible()
    tab_to(page, "Understand abuse")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Coercive control")).to_be_visible()
    tab_to(page, "Coercive control")
    page.keyboard.press("Enter")
    expect(page.get_by_text("takes away your freedom")).to_be_visible()
    tab_to(page, "Make a safety plan")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Safety at home")).to_be_visible()
    tab_to(page, "Safety at home")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Add to my plan")).to_be_visible()
    page.get_by_label("Type your message").focus()
    page.keyboard.type("stop")
    page.keyboard.press("Enter")
    expect(page.get_by_text("not saved anywhere")).to_be_visible()


@pytest.mark.parametrize("path", ["/", "/resources/coercive-control", "/resources"])
def test_no_serious_accessibility_violations(page: Page, stack: Stack, path: str) -> None:
    page.goto(f"{stack.api_url}{path}")
    if path == "/":
        expect(page.get_by_text("not a person")).to_be_visible()
    assert serious_violations(page) == []


def test_the_widget_on_a_service_website(page: Page, stack: Stack, neutral_site: str) -> None:
    host = origin_of(neutral_site) + "/host"
    page.goto(host)
    page.get_by_role("button", name="Chat with us").click()
    frame = page.frame_locator("iframe[title='Chat']")
    expect(frame.get_by_text("not a person")).to_be_visible()
    frame.get_by_role("button", name="Yes, it's safe").click()
    expect(frame.get_by_role("button", name="Understand abuse")).to_be_visible()
    assert serious_violations(page) == []
    with page.expect_request(lambda r: r.url.endswith("/exit") and r.method == "POST") as beacon:
        page.get_by_role("button", name="Exit this page").click()
    page.wait_for_url(neutral_site)
    conversation_id = beacon.value.url.split("/")[-2]
    assert tracker_is_empty(stack, conversation_id)


def test_the_embedded_chat_may_only_be_framed_by_configured_sites(
    stack: Stack, neutral_site: str
) -> None:
    allowed = origin_of(neutral_site)
    embed = httpx.get(f"{stack.api_url}/embed", params={"parent_origin": allowed})
    assert f"frame-ancestors 'self' {allowed}" in embed.headers["content-security-policy"]
    assert f'data-parent-origin="{allowed}"' in embed.text
    stranger = httpx.get(f"{stack.api_url}/embed", params={"parent_origin": "https://evil.example"})
    assert 'data-parent-origin=""' in stranger.text
    assert (
        "frame-ancestors 'none'"
        in httpx.get(f"{stack.api_url}/").headers["content-security-policy"]
    )


def test_the_widget_is_small(stack: Stack) -> None:
    import gzip

    script = httpx.get(f"{stack.api_url}/widget.js").content
    assert len(gzip.compress(script)) < 30 * 1024
    assert '"widget_open": "Chat with us"' in script.decode()  # words inlined, not fetched
    assert "fetch(" not in script.decode() and "localStorage" not in script.decode()


def test_text_at_200_percent_still_fits_a_phone_screen(page: Page, stack: Stack) -> None:
    for path in ("/", "/resources/leaving"):
        page.goto(f"{stack.api_url}{path}")
        page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
        page.wait_for_timeout(100)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways at 200% text"
        expect(page.locator("#exit")).to_be_in_viewport()
