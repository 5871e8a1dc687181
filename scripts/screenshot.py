"""Take the README's screenshots: the web chat, and the staff console's queue and a
referral page, from a real stack. Run: python -m scripts.screenshot (after make model).

The console's referrals are fictional samples written straight to the throwaway database.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright
from sqlmodel import Session

from api.core.clock import utcnow
from api.core.crypto import FieldCipher
from api.core.db import make_engine, migrate
from api.referrals import service as referrals
from api.referrals.models import Referral
from api.staff import service as staff
from scripts.stack import ROOT, Stack, free_port

IMAGES = ROOT / "docs" / "images"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
EMAIL, PASSWORD = "robin@hub.example", "screenshot passphrase"

SAMPLES: list[tuple[float, dict[str, Any]]] = [
    (26.0, {"name": "Jo", "contact_method": "call", "contact_detail": "07700 900321",
            "contact_times": "weekdays 10 to 2", "voicemail_ok": False, "may_say_who": False,
            "confirm_word": "bluebell", "children_count": 0, "risk_worse": True,
            "needs": ["housing", "money"], "area": "HG1", "age": 41}),
    (3.5, {"name": "Sam", "contact_method": "text", "contact_detail": "07700 900654",
           "contact_times": "any time after 7pm", "voicemail_ok": True,
           "message_ok_text": "just say it's Anna", "may_say_who": False,
           "confirm_word": "lighthouse", "children_count": 2, "children_ages": "3 and 6",
           "risk_afraid": True, "risk_strangled": True, "situation": "living_together",
           "needs": ["safety", "children"], "area": "YO10", "age": 28}),
    (50.0, {"name": "Alex", "contact_method": "email", "contact_detail": "alex@example.org",
            "contact_times": "weekends", "voicemail_ok": False, "may_say_who": True,
            "area": "not sure", "area_status": "unsure", "age": 67,
            "needs": ["emotional_wellbeing", "people_to_rely_on"], "situation": "separated"}),
]  # fmt: skip


def seed(database_url: str, keys: str) -> str:
    """Sample referrals and a staff account; returns the most urgent referral's id."""
    migrate(database_url)
    engine = make_engine(database_url)
    cipher = FieldCipher([keys])
    ids = []
    with Session(engine) as db_session:
        staff.create_user(
            db_session, email=EMAIL, display_name="Robin Helpline", password=PASSWORD, role="admin"
        )
        db_session.commit()
        for hours, answers in SAMPLES:
            referral = referrals.prepare_and_store(
                db_session,
                cipher,
                answers={"referral_consent": True, "area_status": "in_area", **answers},
                referral_for="myself",
                locale="en",
                channel="web",
            )
            stored = db_session.get(Referral, referral.id)
            assert stored is not None
            stored.created_at = utcnow() - timedelta(hours=hours)
            db_session.add(stored)
            db_session.commit()
            ids.append(referral.id)
    engine.dispose()
    return ids[1]


def chat_shot(browser: Browser, stack: Stack) -> None:
    page = browser.new_page(viewport={"width": 900, "height": 980})
    page.goto(f"{stack.api_url}/")
    page.get_by_role("button", name="Yes, it's safe").click()
    page.get_by_role("button", name="Understand abuse").wait_for()
    page.evaluate("() => window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    page.screenshot(path=str(IMAGES / "web-chat.png"))
    page.close()


def console_shots(browser: Browser, stack: Stack, referral_id: str) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 760})
    page.goto(f"{stack.api_url}/staff/sign-in")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Referral queue").wait_for()
    page.screenshot(path=str(IMAGES / "console-queue.png"))
    page.goto(f"{stack.api_url}/staff/referrals/{referral_id}")
    page.set_viewport_size({"width": 1200, "height": 1100})
    page.screenshot(path=str(IMAGES / "console-referral.png"))
    page.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        database_url = f"sqlite:///{Path(work) / 'shot.db'}"
        stack = Stack(
            api_port=free_port(),
            rasa_port=free_port(),
            database_url=database_url,
            extra_env={"STAFF_COOKIE_SECURE": "false"},
        )
        urgent = seed(database_url, stack.referral_keys)
        stack.start_api()
        stack.start_rasa()
        try:
            stack.wait_until_ready()
            IMAGES.mkdir(parents=True, exist_ok=True)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                chat_shot(browser, stack)
                console_shots(browser, stack, urgent)
                browser.close()
        finally:
            stack.stop_all()
    for name in ("web-chat", "console-queue", "console-referral"):
        print(f"Saved docs/images/{name}.png")


if __name__ == "__main__":
    main()
