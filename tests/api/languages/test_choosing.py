"""Choosing a language on the web: the conversation, the pages and the widget follow it.
Rasa is down in these tests; the answers are its stand-in, the helpline, in the language."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient

from api.resources.store import RESOURCES_DIR, ResourceStore

SEND = "/api/chat/messages"


def test_the_web_follows_a_chosen_language(client: TestClient) -> None:
    first = client.post(SEND, json={"text": "hello", "locale": "pl"}).json()
    assert first["locale"] == "pl" and first["direction"] == "ltr"
    assert "Przepraszam" in " ".join(m["text"] for m in first["messages"])
    chosen = client.post(
        SEND,
        json={
            "conversation_id": first["conversation_id"],
            "text": '/choose_language{"language":"ar"}',
            "locale": "pl",
        },
    ).json()
    assert chosen["locale"] == "ar" and chosen["direction"] == "rtl"


def test_pages_follow_accept_language_and_say_so_to_caches(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "ur-PK,ur;q=0.9"})
    assert '<html lang="ur" dir="rtl">' in page.text
    assert "Accept-Language" in page.headers["vary"]
    assert '<html lang="pl" dir="ltr">' in client.get("/?lang=pl").text
    assert '<html lang="en" dir="ltr">' in client.get("/?lang=xx").text  # unknown: default
    widget = client.get("/widget.js", headers={"Accept-Language": "ar"}).text
    assert 'dir: "rtl"' in widget and 'lang: "ar"' in widget


def test_a_topic_page_not_yet_translated_says_so_in_the_language(
    client: TestClient, tmp_path: Path
) -> None:
    # Every page is translated now: a copy of the content with one Polish page cut back to
    # its summary shows what a service adding a language would see meanwhile.
    content = tmp_path / "resources"
    shutil.copytree(RESOURCES_DIR, content)
    page_file = content / "pl" / "emotional-abuse.yml"
    data = yaml.safe_load(page_file.read_text(encoding="utf-8"))
    del data["body"]
    page_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    app: Any = client.app
    app.state.resources = ResourceStore(content)
    page = client.get("/resources/emotional-abuse?lang=pl").text
    assert "nie jest jeszcze dostępna w twoim języku" in page
    assert 'class="resource-body" lang="en" dir="ltr"' in page
    full = client.get("/resources/leaving?lang=ar").text
    assert 'class="resource-body" lang="ar" dir="rtl"' in full
    assert "nie jest" not in full and 'href="/resources?lang=ar"' in full


def test_danger_in_another_language_is_answered_in_it(client: TestClient) -> None:
    started = client.post(SEND, json={"text": "hello", "locale": "en"}).json()
    reply = client.post(
        SEND,
        json={"conversation_id": started["conversation_id"], "text": "on ma nóż", "locale": "en"},
    ).json()
    said = " ".join(m["text"] for m in reply["messages"])
    assert "zadzwoń pod 999" in said and "naciśnij 55" in said
    assert reply["locale"] == "en"  # the page stays in the language chosen for it
    mixed = client.post(SEND, json={"text": "he has a knife, ma nóż", "locale": "en"}).json()
    assert "call 999" in " ".join(m["text"] for m in mixed["messages"])  # its own first


def test_an_exit_word_in_another_language_is_answered_in_it(client: TestClient) -> None:
    reply = client.post(SEND, json={"text": "wyjdź", "locale": "en"}).json()
    assert reply["messages"][0]["text"] == "Gotowe. Ten czat został usunięty."
