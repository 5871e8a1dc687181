"""Each language in a real browser: the page chosen from Accept-Language, right-to-left
layout for Urdu and Arabic, numbers kept readable, switching language mid-conversation,
topic pages (translated and not yet translated) and the widget, with axe on each.
Screenshots go to test-artifacts/ (the ones in docs/images come from these)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from api.core.config import PROJECT_ROOT
from api.render.bidi import LEFT_TO_RIGHT_ISOLATE, NO_BREAK_SPACE
from scripts.stack import ROOT, Stack
from tests.e2e.conftest import serious_violations

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "test-artifacts"
DIRECTION = {"en": "ltr", "pl": "ltr", "ur": "rtl", "ar": "rtl"}
WIDTH = 390


@cache
def words(locale: str, namespace: str) -> dict[str, Any]:
    path = PROJECT_ROOT / "content" / "locales" / locale / f"{namespace}.yml"
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def bare(text: str) -> str:
    return text.replace(LEFT_TO_RIGHT_ISOLATE, "").replace("\u2069", "")


@pytest.fixture
def browser_in(browser: Browser) -> Iterator[Any]:
    contexts = []

    def open_page(locale: str) -> Page:
        context = browser.new_context(
            viewport={"width": WIDTH, "height": 800},
            locale=locale,
            extra_http_headers={"Accept-Language": f"{locale};q=1, en;q=0.5"},
            bypass_csp=True,  # for axe only; the pages' own CSP is tested elsewhere
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("locale", ["pl", "ur", "ar"])
def test_the_chat_in_each_language(browser_in: Any, stack: Stack, locale: str) -> None:
    page: Page = browser_in(locale)
    page.goto(f"{stack.api_url}/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", locale)
    expect(html).to_have_attribute("dir", DIRECTION[locale])
    chat = words(locale, "chat")
    expect(page.locator(".msg-bot").first).to_contain_text(chat["intro"]["bot"].split("%")[0])
    page.get_by_role("button", name=chat["safe_to_talk"]["yes"]).click()
    expect(page.get_by_role("button", name=chat["menu"]["talk"])).to_be_visible()
    page.get_by_role("button", name=chat["menu"]["talk"]).click()
    helpline = page.locator(".msg-bot", has_text="0808 2000 247").first
    expect(helpline).to_be_visible()

    exit_box = page.locator("#exit").bounding_box()
    user_box = page.locator(".msg-user").last.bounding_box()
    bot_box = helpline.bounding_box()
    assert exit_box and user_box and bot_box
    if DIRECTION[locale] == "rtl":
        # Mirrored: the exit at the left, the survivor's own words on the left, the bot's on
        # the right; and the helpline number isolated (and unbreakable) so it reads
        # 0808 2000 247.
        assert exit_box["x"] < WIDTH / 2
        assert user_box["x"] < bot_box["x"]
        shown = helpline.inner_text().replace(NO_BREAK_SPACE, " ")
        assert f"{LEFT_TO_RIGHT_ISOLATE}0808 2000 247" in shown
    else:
        assert exit_box["x"] > WIDTH / 2
        assert user_box["x"] > bot_box["x"]
    assert serious_violations(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"chat-{locale}.png"))


def test_switching_language_keeps_the_conversation(browser_in: Any, stack: Stack) -> None:
    page: Page = browser_in("en")
    page.goto(f"{stack.api_url}/")
    expect(page.get_by_text("not a person")).to_be_visible()
    page.get_by_role("navigation", name="Language").get_by_role("link", name="العربية").click()
    arabic_web = words("ar", "web")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text(arabic_web["heading"])
    expect(page.get_by_role("button", name=arabic_web["send"])).to_be_visible()
    expect(page.get_by_text(words("ar", "chat")["language"]["changed"])).to_be_visible()
    expect(page.get_by_text("not a person")).to_be_visible()  # the English start is still there
    page.get_by_label(arabic_web["input_label"]).fill("شكرا")
    page.keyboard.press("Enter")
    expect(page.get_by_text(words("ar", "chat")["thanks"]["answer"])).to_be_visible()
    assert serious_violations(page) == []


@pytest.mark.parametrize("locale", ["pl", "ur", "ar"])
def test_topic_pages_in_each_language(browser_in: Any, stack: Stack, locale: str) -> None:
    page: Page = browser_in(locale)
    page.goto(f"{stack.api_url}/resources/leaving")  # a core topic: translated in full
    expect(page.locator("html")).to_have_attribute("dir", DIRECTION[locale])
    expect(page.locator(".notice")).to_have_count(0)
    expect(page.locator(".resource-body")).to_have_attribute("lang", locale)
    assert serious_violations(page) == []
    page.screenshot(path=str(SHOTS / f"topic-{locale}.png"), full_page=False)

    # Links keep the reader's language. (A page not yet translated in full is shown in
    # English with a notice: tests/api/test_resources.py, as every page is translated.)
    expect(page.locator(".crumbs a")).to_have_attribute("href", f"/resources?lang={locale}")


def test_the_widget_in_arabic(browser_in: Any, stack: Stack, neutral_site: str) -> None:
    page: Page = browser_in("ar")
    page.goto(neutral_site.rstrip("/").rsplit("/", 1)[0] + "/host")
    web = words("ar", "web")
    launch = page.get_by_role("button", name=web["widget_open"])
    expect(launch).to_have_attribute("dir", "rtl")
    box = launch.bounding_box()
    assert box and box["x"] < WIDTH / 2  # mirrored: bottom left
    launch.click()
    frame = page.frame_locator(f"iframe[title='{web['widget_frame_title']}']")
    expect(frame.locator("html")).to_have_attribute("dir", "rtl")
    expect(frame.locator(".msg-bot").first).to_be_visible()
    assert serious_violations(page) == []
    page.screenshot(path=str(SHOTS / "widget-ar.png"))
