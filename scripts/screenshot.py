"""Take the README's screenshot of the web chat: python -m scripts.screenshot (after make model)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from scripts.stack import ROOT, Stack, free_port

OUT = ROOT / "docs" / "images" / "web-chat.png"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        stack = Stack(
            api_port=free_port(),
            rasa_port=free_port(),
            database_url=f"sqlite:///{Path(work) / 'shot.db'}",
        )
        stack.start_api()
        stack.start_rasa()
        try:
            stack.wait_until_ready()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page(viewport={"width": 900, "height": 980})
                page.goto(f"{stack.api_url}/")
                page.get_by_role("button", name="Yes, it's safe").click()
                page.get_by_role("button", name="Understand abuse").wait_for()
                page.evaluate("() => window.scrollTo(0, 0)")
                page.mouse.move(0, 0)
                OUT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(OUT))
                browser.close()
        finally:
            stack.stop_all()
    print(f"Saved {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
