"""Every way a conversation ends leaves nothing behind: web exit, SMS and WhatsApp EXIT, an
opt-out, erasure by reference in the console and the idle purge. After each, every table
of the stack's database is read and the real Rasa's tracker is asked through its API."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from api.channels.identity import conversation_id_for
from scripts.stack import Stack
from tests.e2e.conftest import Chat
from tests.e2e.test_console import make_referral, sign_in
from tests.e2e.test_sms import Phone

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def tables_naming(stack: Stack, needle: str) -> list[str]:
    """The tables with any row that mentions `needle`, reading every column of every row."""
    database = stack.database_url.removeprefix("sqlite:///")
    found = []
    with sqlite3.connect(database) as connection:
        names = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in names:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                if any(needle in str(value) for value in row):
                    found.append(table)
                    break
    return found


def rasa_holds(stack: Stack, conversation_id: str) -> bool:
    response = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": stack.rasa_token},
        timeout=30,
    )
    response.raise_for_status()
    return any(e["event"] in ("user", "bot", "slot") for e in response.json()["events"])


def held_everywhere(stack: Stack, conversation_id: str) -> None:
    """Before erasing: proof that there was something to erase, here and in Rasa."""
    assert "conversation" in tables_naming(stack, conversation_id)
    assert rasa_holds(stack, conversation_id)


def wait_until_erased(stack: Stack, conversation_id: str, kept: list[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if tables_naming(stack, conversation_id) == kept and not rasa_holds(stack, conversation_id):
            return
        time.sleep(0.5)
    assert tables_naming(stack, conversation_id) == kept
    assert not rasa_holds(stack, conversation_id)


def test_web_exit_leaves_nothing(chat: Chat, stack: Stack) -> None:
    chat.send("hello")
    chat.send("/affirm")
    cid = chat.conversation_id
    assert cid is not None
    held_everywhere(stack, cid)
    exited = chat.http.post(f"/api/chat/{cid}/exit")
    assert exited.status_code in (200, 204)
    wait_until_erased(stack, cid, kept=[])


@pytest.mark.parametrize(
    ("address", "word", "kept"),
    [
        ("+447700900211", "EXIT", []),
        ("whatsapp:+447700900212", "EXIT", []),
        # Only the opt-out itself is kept: nothing may be sent to the number until START.
        ("+447700900213", "STOP", ["optout"]),
    ],
)
def test_text_exit_and_opt_out_leave_nothing(
    stack: Stack, address: str, word: str, kept: list[str]
) -> None:
    phone = Phone(stack, address)
    phone.send("hello")
    phone.send("1")
    cid = conversation_id_for(address, stack.channel_id_key)
    held_everywhere(stack, cid)
    assert "inboundmessage" in tables_naming(stack, cid)
    phone.send(word)
    wait_until_erased(stack, cid, kept=kept)


def test_erasure_by_reference_in_the_console_leaves_nothing(
    chat: Chat, stack: Stack, admin_account: str, page: Page
) -> None:
    reference = make_referral(chat)
    cid = chat.conversation_id
    assert cid is not None
    held_everywhere(stack, cid)
    assert "referral" in tables_naming(stack, reference)
    sign_in(page, stack)
    page.goto(f"{stack.api_url}/staff/admin/retention")
    page.get_by_label("Reference (for example").fill(reference)
    page.get_by_label("Type the reference again").fill(reference)
    page.get_by_role("button", name="Delete everything for this reference").click()
    expect(page.get_by_role("status").first).to_contain_text("have been deleted")
    wait_until_erased(stack, cid, kept=[])
    # The audit log keeps the fact (by the referral's id), never the reference.
    assert tables_naming(stack, reference) == []


def test_the_idle_purge_leaves_nothing(chat: Chat, stack: Stack) -> None:
    chat.send("hello")
    cid = chat.conversation_id
    assert cid is not None
    held_everywhere(stack, cid)
    database = stack.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        connection.execute(
            "UPDATE conversation SET last_active_at = '2020-01-01 00:00:00' WHERE id = ?", (cid,)
        )
    wait_until_erased(stack, cid, kept=[])  # the stack purges every second
