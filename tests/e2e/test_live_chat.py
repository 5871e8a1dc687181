"""Live chat with a support worker, end to end: the real trained Rasa, the real API (with
live chat turned on in its hub configuration, open at every hour) and Debian's Chromium
with two browser contexts, the survivor's and the worker's. Queue, take, messages both
ways, danger during the chat, a second worker refused, hand back, exit during the chat,
nobody free within the wait, and closed (the shared stack, where it is off)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from scripts.stack import ROOT, Stack, free_port
from tests.conftest import live_hub_file, running_stack
from tests.e2e.conftest import Chat, serious_violations
from tests.stand_ins import TwilioStandIn

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "test-artifacts" / "live-chat"
PASSWORD = "a passphrase for the live chat test"
WORKERS = {"sam@hub.example": "Sam Worker", "jo@hub.example": "Jo Colleague"}
OFFER = "/live_chat"
SAFE = '/live_chat{"live_step":"safe"}'
AGREE = '/live_chat{"live_step":"agree"}'


@pytest.fixture(scope="module")
def live_stack(
    tmp_path_factory: pytest.TempPathFactory, twilio_stand_in: TwilioStandIn
) -> Iterator[Stack]:
    """A stack of its own: live chat is off everywhere else (the default)."""
    work = tmp_path_factory.mktemp("live")
    extra = {
        "HUB_CONFIG_FILE": str(live_hub_file(work, max_wait_minutes=1)),
        "LIVE_POLL_SECONDS": "0.2",
        "LIVE_QUEUE_CHECK_SECONDS": "1",
        "STAFF_COOKIE_SECURE": "false",
        "TWILIO_API_BASE": twilio_stand_in.url,
        "TWILIO_SMS_FROM": "+447700900000",
    }
    for running in running_stack(work, "logs-live", extra):
        for email, name in WORKERS.items():
            made = subprocess.run(
                [sys.executable, "-m", "api.staff.cli", "create-user", "--email", email,
                 "--name", name, "--role", "staff"],
                env={**running.env(), "FRONT_DOOR_NEW_PASSWORD": PASSWORD},
                cwd=ROOT, capture_output=True, text=True, check=False,
            )  # fmt: skip
            assert made.returncode == 0, made.stderr
        yield running


@pytest.fixture(scope="module")
def second_api(live_stack: Stack) -> Iterator[Stack]:
    """A second API process on the same database (as with several workers or machines):
    the queue and the messages must reach across processes."""
    other = Stack(
        api_port=free_port(),
        rasa_port=live_stack.rasa_port,
        database_url=live_stack.database_url,
        rasa_token=live_stack.rasa_token,
        actions_token=live_stack.actions_token,
        channel_id_key=live_stack.channel_id_key,
        referral_keys=live_stack.referral_keys,
        log_dir=ROOT / "test-artifacts" / "logs-live-2",
        extra_env=dict(live_stack.extra_env),
    )
    other.start_api()
    deadline = time.monotonic() + 120
    while not other.api_ready():
        assert time.monotonic() < deadline, "the second API process did not start"
        time.sleep(0.5)
    yield other
    other.stop("api")


def context(browser: Browser) -> BrowserContext:
    return browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)


@pytest.fixture
def survivor(browser: Browser) -> Iterator[Page]:
    opened = context(browser)
    yield opened.new_page()
    opened.close()


@pytest.fixture
def worker(browser: Browser, live_stack: Stack) -> Iterator[Page]:
    opened = context(browser)
    page = opened.new_page()
    sign_in(page, live_stack, "sam@hub.example")
    yield page
    opened.close()


@pytest.fixture
def colleague(browser: Browser, live_stack: Stack) -> Iterator[Page]:
    opened = context(browser)
    page = opened.new_page()
    sign_in(page, live_stack, "jo@hub.example")
    yield page
    opened.close()


def sign_in(page: Page, stack: Stack, email: str) -> None:
    page.goto(f"{stack.api_url}/staff/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Referral queue")).to_be_visible()


def rows(stack: Stack, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(stack.database_url.removeprefix("sqlite:///")) as connection:
        return connection.execute(sql, args).fetchall()


def queue_by_http(chat: Chat) -> dict[str, Any]:
    """A survivor who asks, says it is safe and agrees, over the web chat contract."""
    assert any(b["payload"] == OFFER for m in chat.send("/talk_to_someone") for b in m["buttons"])
    chat.send(OFFER)
    chat.send(SAFE)
    response = chat.http.post(
        "/api/chat/messages", json={"conversation_id": chat.conversation_id, "text": AGREE}
    )
    body: dict[str, Any] = response.json()
    assert body["live"] == "waiting", body
    return body


def say(page: Page, words: str) -> None:
    page.get_by_label("Type your message").fill(words)
    page.keyboard.press("Enter")


def take_first(worker: Page, stack: Stack) -> None:
    worker.goto(f"{stack.api_url}/staff/live")
    worker.get_by_role("button", name="Take this chat").first.click()
    expect(worker.get_by_label("Your message")).to_be_visible()


def test_a_survivor_and_a_worker_chat_live_then_the_worker_hands_back(
    live_stack: Stack, survivor: Page, worker: Page, colleague: Page
) -> None:
    survivor.goto(f"{live_stack.api_url}/")
    survivor.get_by_role("button", name="Yes, it's safe").click()
    expect(survivor.get_by_role("button", name="Talk to someone")).to_be_visible()
    survivor.get_by_role("button", name="Talk to someone").click()
    expect(survivor.get_by_text("People waiting at the moment: 0")).to_be_visible()
    survivor.get_by_role("button", name="Chat with a support worker now").click()
    expect(survivor.get_by_text("Is it safe for you to chat for a few minutes?")).to_be_visible()
    survivor.get_by_role("button", name="Yes, it's safe").last.click()
    expect(survivor.get_by_text("Nothing you wrote before now is shared")).to_be_visible()
    survivor.get_by_role("button", name="Yes, I agree").click()
    expect(survivor.get_by_text("You're in the queue.")).to_be_visible()

    # The worker's queue: channel and language, no words; axe on the new page.
    worker.goto(f"{live_stack.api_url}/staff/live")
    row = worker.get_by_role("row").filter(has_text="Web chat")
    expect(row).to_contain_text("English")
    assert serious_violations(worker) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    worker.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)
    colleague.goto(f"{live_stack.api_url}/staff/live")  # sees the same chat waiting
    # Focus on the list stops its own update replacing it under the colleague's pointer.
    colleague.get_by_role("button", name="Take this chat").focus()
    row.get_by_role("button", name="Take this chat").click()
    expect(worker.get_by_label("Your message")).to_be_visible()

    # A second worker, on a page from before, is told clearly that it has been taken.
    colleague.get_by_role("button", name="Take this chat").click()
    expect(colleague.get_by_role("alert")).to_contain_text("already been taken")

    expect(survivor.get_by_text("Sam Worker from the hub has joined the chat.")).to_be_visible()
    say(survivor, "hello, is anyone there")
    expect(worker.locator("#live-transcript")).to_contain_text("Them: hello, is anyone there")
    worker.get_by_label("Your message").fill("Hi, I'm Sam. Are you safe to talk?")
    worker.get_by_role("button", name="Send", exact=True).click()
    expect(survivor.get_by_text("Sam Worker: Hi, I'm Sam. Are you safe to talk?")).to_be_visible()

    # Danger during the live chat: the guidance at once for them, a flag for the worker.
    say(survivor, "he's got a knife")
    expect(survivor.get_by_text("If you are in danger now, call 999.").last).to_be_visible()
    expect(worker.locator("#live-flags")).to_contain_text("Danger now")
    helpline = survivor.get_by_text("The National Domestic Abuse Helpline is free and open 24")
    expect(helpline.first).to_be_visible()
    before = helpline.count()
    worker.get_by_role("button", name="The 24-hour helpline").click()
    expect(helpline).to_have_count(before + 1)
    assert serious_violations(worker) == []
    worker.screenshot(path=str(ARTIFACTS / "worker-chat.png"), full_page=True)
    survivor.screenshot(path=str(ARTIFACTS / "survivor-chat.png"), full_page=True)

    # Every view and message is audited, without the words.
    actions = [a for (a,) in rows(live_stack, "SELECT action FROM auditevent ORDER BY id")]
    assert {"live_queue_view", "live_claim_claimed", "live_claim_taken", "live_view"} <= set(
        actions
    )
    assert "live_send" in actions and "live_quick_reply" in actions
    details = " ".join(d or "" for (d,) in rows(live_stack, "SELECT detail FROM auditevent"))
    assert "knife" not in details and "Sam." not in details

    worker.get_by_role("button", name="Hand back to the assistant").click()
    expect(worker.get_by_role("status")).to_contain_text("Handed back")
    expect(survivor.get_by_text("has handed you back to the automated assistant")).to_be_visible()
    assert rows(live_stack, "SELECT body FROM livemessage WHERE body IS NOT NULL") == []
    # The assistant answers again.
    survivor.get_by_role("button", name="Back to the menu").last.click()
    expect(survivor.get_by_role("button", name="Understand abuse").last).to_be_visible()


def test_exit_during_a_live_chat_erases_the_queue_the_messages_and_rasa(
    live_stack: Stack, worker: Page
) -> None:
    chat = Chat(live_stack)
    queue_by_http(chat)
    take_first(worker, live_stack)
    assert chat.send("can we talk about housing") == []  # to the worker, not to Rasa
    expect(worker.locator("#live-transcript")).to_contain_text("can we talk about housing")
    cid = chat.conversation_id
    assert chat.http.post(f"/api/chat/{cid}/exit").status_code == 204
    assert rows(live_stack, "SELECT id FROM livechat WHERE conversation_id = ?", cid) == []
    assert rows(live_stack, "SELECT id FROM livemessage WHERE conversation_id = ?", cid) == []
    events = chat.tracker()["events"]
    assert not [e for e in events if e["event"] in ("user", "bot", "slot")]
    expect(worker.get_by_role("status")).to_contain_text("They exited")
    chat.http.close()


def test_nobody_free_within_the_wait_gives_the_helpline_and_a_referral(
    live_stack: Stack,
) -> None:
    chat = Chat(live_stack)
    queue_by_http(chat)
    seen: list[dict[str, Any]] = []
    with httpx.stream(
        "GET", f"{live_stack.api_url}/api/chat/{chat.conversation_id}/live/events", timeout=120
    ) as events:
        for line in events.iter_lines():
            if line.startswith("data: "):
                seen.append(json.loads(line[6:]))
                if seen[-1]["kind"] == "timed_out":
                    break
    said = " ".join(m["text"] for m in seen[-1]["messages"])
    assert "nobody from the hub is free" in said and "0808 2000 247" in said
    payloads = [b["payload"] for m in seen[-1]["messages"] for b in m["buttons"]]
    assert "/get_support" in payloads  # the offer of a referral
    chat.http.close()


def test_closed_or_turned_off_gives_the_helpline_and_a_referral_never_the_queue(
    chat: Chat,
) -> None:
    """The shared stack has live chat off (the default); out of hours it says the same
    (tests/api/actions/test_live_chat.py tries the sample's own hours and bank holidays)."""
    offered = [b["payload"] for m in chat.send("/talk_to_someone") for b in m["buttons"]]
    assert OFFER not in offered
    said = chat.said(AGREE)  # a payload typed anyway
    assert "isn't available right now" in said and "0808 2000 247" in said
    body = chat.http.post(
        "/api/chat/messages", json={"conversation_id": chat.conversation_id, "text": "hello"}
    ).json()
    assert body.get("live") is None


def test_a_survivor_on_one_api_process_and_a_worker_on_another(
    live_stack: Stack, second_api: Stack, browser: Browser
) -> None:
    chat = Chat(live_stack)
    queue_by_http(chat)
    heard: list[dict[str, Any]] = []

    def listen() -> None:
        url = f"{live_stack.api_url}/api/chat/{chat.conversation_id}/live/events"
        with httpx.stream("GET", url, timeout=60) as events:
            for line in events.iter_lines():
                if line.startswith("data: "):
                    heard.append(json.loads(line[6:]))
                    if heard[-1]["kind"] == "ended":
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    opened = context(browser)
    worker = opened.new_page()
    try:
        sign_in(worker, second_api, "jo@hub.example")
        take_first(worker, second_api)
        assert chat.send("hello from the first process") == []
        expect(worker.locator("#live-transcript")).to_contain_text("hello from the first process")
        worker.get_by_label("Your message").fill("hello from the second process")
        worker.get_by_role("button", name="Send", exact=True).click()
        deadline = time.monotonic() + 20
        while not any(e["kind"] == "text" for e in heard):
            assert time.monotonic() < deadline, heard
            time.sleep(0.2)
        worker.get_by_role("button", name="End the chat").click()
        listener.join(timeout=20)
    finally:
        opened.close()
        chat.http.close()
    kinds = [event["kind"] for event in heard]
    assert kinds == ["joined", "text", "ended"], kinds
    assert heard[1]["messages"][0]["text"] == "hello from the second process"
    assert heard[1]["name"] == "Jo Colleague"
