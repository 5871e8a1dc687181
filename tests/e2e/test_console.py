"""The whole handoff: a self-referral made in the web chat reaches the hub's webhook once,
signed, and appears in the staff console, where a worker claims it, reads it (audited),
records a contact attempt and allocates it. In Debian's Chromium, with axe on each page."""

from __future__ import annotations

import sqlite3
import time

import pytest
from playwright.sync_api import Page, expect

from scripts.stack import ROOT, Stack
from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Chat, serious_violations
from tests.e2e.test_substance import NAME, PHONE, answer_all, begin_referral
from tests.stand_ins import StandInHub

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "test-artifacts" / "console"


def make_referral(chat: Chat) -> str:
    begin_referral(chat)
    answer_all(chat)
    sent = chat.said("/affirm")
    return sent.split("Your reference is ")[1].split(".")[0]


def sign_in(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.api_url}/staff")
    expect(page).to_have_url(f"{stack.api_url}/staff/sign-in")
    page.get_by_label("Email address").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Referral queue")).to_be_visible()


def audit_actions(stack: Stack, referral_id: str) -> list[str]:
    database = stack.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT action FROM auditevent WHERE referral_id = ? ORDER BY id", (referral_id,)
        ).fetchall()
    return [row[0] for row in rows]


def test_a_web_chat_referral_is_delivered_once_and_worked_in_the_console(
    chat: Chat, stack: Stack, hub_stand_in: StandInHub, admin_account: str, page: Page
) -> None:
    reference = make_referral(chat)

    page.goto(f"{stack.api_url}/staff/sign-in")
    assert serious_violations(page) == []
    sign_in(page, stack)
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Urgent")
    expect(row).to_contain_text("Has been threatened with being killed")
    expect(row).to_contain_text("Is afraid right now")
    expect(row).to_contain_text("Children in the household")
    expect(row).to_contain_text("Nobody yet")
    assert serious_violations(page) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)

    row.get_by_role("button", name=f"Claim {reference}").click()
    expect(page.get_by_role("status")).to_have_text("You have claimed this referral.")
    safe_contact = page.locator("section.safe-contact")
    expect(safe_contact).to_contain_text(NAME)
    expect(safe_contact).to_contain_text(PHONE)
    expect(safe_contact).to_contain_text("Text message")
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / "referral.png"), full_page=True)
    referral_id = page.url.split("/staff/referrals/")[1].split("?")[0]

    # Only the way they chose, and only the words they approved, to copy.
    expect(page.locator("#approved-words")).to_have_value("only my first name")
    page.get_by_label("Text message", exact=True).check()
    page.get_by_label("No answer").check()
    page.get_by_label("Note (optional)").fill("Tried at the safe time; no voicemail left.")
    page.get_by_role("button", name="Record attempt").click()
    expect(page.get_by_role("status")).to_have_text("The contact attempt has been recorded.")
    expect(page.locator(".timeline")).to_contain_text("(text message): No answer")

    page.get_by_label("Service").select_option("Safe accommodation and refuge")
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_role("status")).to_have_text("The referral has been allocated.")
    expect(page.locator(".summary-line")).to_contain_text(
        "Allocated to a service: Safe accommodation and refuge"
    )

    actions = audit_actions(stack, referral_id)
    assert actions.count("claimed") == 1 and "contact_attempt" in actions
    assert actions.count("referral_viewed") >= 3  # every page view, by the signed-in worker

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and reference not in _delivered(hub_stand_in):
        time.sleep(0.2)
    # Count what the hub received, not what it kept: the stand-in keeps one per key, so a
    # second delivery of the same referral would be invisible in its store.
    time.sleep(2.5)  # a duplicate would follow the first within the outbox's retry tick
    received = [r["body"].get("reference") for r in hub_stand_in.received]
    assert received.count(reference) == 1
    assert all(r["signed"] for r in hub_stand_in.received)

    page.goto(f"{stack.api_url}/staff/admin/limits")
    expect(page.get_by_role("heading", name="Rate limits")).to_be_visible()
    assert serious_violations(page) == []


def _delivered(hub: StandInHub) -> list[str]:
    return [r["reference"] for r in hub.referrals.values()]


def test_a_signed_out_browser_sees_only_the_sign_in_page(stack: Stack, page: Page) -> None:
    for path in ("/staff", "/staff/admin/users", "/staff/referrals/anything"):
        page.goto(f"{stack.api_url}{path}")
        expect(page).to_have_url(f"{stack.api_url}/staff/sign-in")
    page.get_by_label("Email address").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("not the right password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not right")
