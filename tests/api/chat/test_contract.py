"""The web chat contract, through real HTTP handling and a real database, with Rasa down.

With Rasa unreachable, every answer must still carry 999 and the helpline.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.chat.schemas import VISIBLE_CHARACTER
from api.core.config import Settings

SEND = "/api/chat/messages"


def texts(response_json: dict) -> str:
    return " ".join(m["text"] for m in response_json["messages"])


def test_danger_is_answered_without_rasa(client: TestClient) -> None:
    response = client.post(SEND, json={"text": "hes got a nife"})
    assert response.status_code == 200
    body = response.json()
    said = texts(body)
    assert "999" in said
    assert "press 55" in said  # the Silent Solution itself, not any "55" (a time, a number)
    assert "0808 2000 247" in said
    assert len(body["conversation_id"]) >= 22  # 128 bits or more, URL-safe


def test_self_harm_adds_samaritans(client: TestClient) -> None:
    said = texts(client.post(SEND, json={"text": "i want to kill myself"}).json())
    assert "116 123" in said and "999" in said


def test_rasa_down_still_gives_helpline_and_999(client: TestClient) -> None:
    response = client.post(SEND, json={"text": "hello"})
    assert response.status_code == 200
    said = texts(response.json())
    assert "999" in said and "0808 2000 247" in said


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ""}, 422, "empty_message"),
        ({"text": "   \n\t "}, 422, "empty_message"),
        ({"text": "\u001d\u0085\u3000"}, 422, "empty_message"),
        ({"text": "\u0000\u001b\u0090"}, 422, "empty_message"),
        ({"text": "x" * 2001}, 422, "message_too_long"),
        ({"text": "hello", "locale": "xx"}, 422, "unknown_locale"),
        ({"conversation_id": None}, 422, "invalid_request"),
        ({"text": 42}, 422, "invalid_request"),
        ({"text": "hi", "conversation_id": "x" * 65}, 422, "invalid_request"),
    ],
)
def test_bad_input_gets_a_clear_4xx(client: TestClient, body: dict, status: int, code: str) -> None:
    response = client.post(SEND, json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_the_documented_pattern_means_what_the_server_does() -> None:
    # Schema tests send whatever matches the documented pattern: it must never be a message
    # the server then finds empty. Python strips \x1c-\x1f and \x85 as spaces; a JSON
    # Schema \s does not, so the pattern must exclude them itself.
    for code in range(0x3100):
        text = chr(code)
        if re.search(VISIBLE_CHARACTER, text):
            assert text.strip(), hex(code)
    for space_to_python_only in "\x1c\x1d\x1e\x1f\x85":
        assert not re.search(VISIBLE_CHARACTER, space_to_python_only)


def test_exactly_2000_characters_is_allowed(client: TestClient) -> None:
    assert client.post(SEND, json={"text": "a" * 2000}).status_code == 200


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        SEND, content=b'{"text": "hel', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_errors_never_echo_what_was_written(client: TestClient) -> None:
    secret = "my name is Jo Bloggs 07700 900123"
    response = client.post(SEND, json={"text": secret, "locale": "xx"})
    assert "Bloggs" not in response.text and "07700" not in response.text


def test_huge_body_is_refused_before_it_is_read(client: TestClient) -> None:
    response = client.post(
        SEND, content=b"x" * (1024 * 1024), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "odd", ["\u200b", "🙂" * 500, "\u202eevil", "ＨＥＬＬＯ", "a\x00b", "\ud7ff", "é" * 2000]
)
def test_odd_unicode_gets_an_answer(client: TestClient, odd: str) -> None:
    response = client.post(SEND, json={"text": odd})
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["messages"]


def test_unknown_conversation_id_starts_a_new_random_one(client: TestClient) -> None:
    response = client.post(
        SEND, json={"text": "hes outside", "conversation_id": "chosen-by-client"}
    )
    assert response.status_code == 200
    assert response.json()["conversation_id"] != "chosen-by-client"


def test_exit_erases_the_conversation_row(client: TestClient, settings: Settings) -> None:
    cid = client.post(SEND, json={"text": "he is outside"}).json()["conversation_id"]
    engine = create_engine(settings.database_url)
    with engine.connect() as connection:
        count = "SELECT count(*) FROM conversation WHERE id = :id"
        assert connection.execute(text(count), {"id": cid}).scalar() == 1
        assert client.post(f"/api/chat/{cid}/exit").status_code == 204
        assert connection.execute(text(count), {"id": cid}).scalar() == 0


def test_exit_of_unknown_conversation_is_still_204(client: TestClient) -> None:
    assert client.post("/api/chat/never-existed/exit").status_code == 204
    assert client.post(f"/api/chat/{'y' * 200}/exit").status_code == 204


def test_typing_exit_erases_and_confirms_neutrally(client: TestClient, settings: Settings) -> None:
    cid = client.post(SEND, json={"text": "he is outside"}).json()["conversation_id"]
    reply = client.post(SEND, json={"text": "EXIT", "conversation_id": cid}).json()
    said = texts(reply)
    assert "deleted" in said.lower()
    assert "abuse" not in said.lower()
    engine = create_engine(settings.database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT count(*) FROM conversation WHERE id = :id"), {"id": cid}
        )
        assert rows.scalar() == 0


def test_no_message_text_is_stored(client: TestClient, settings: Settings) -> None:
    client.post(SEND, json={"text": "my partner zebracorn checks my phone"})
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    files = [p for p in database.parent.iterdir() if p.name.startswith(database.name)]
    assert database in files
    for path in files:  # the database and its write-ahead log
        assert b"zebracorn" not in path.read_bytes()


def test_health_reports_each_part(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body == {"status": "degraded", "api": "ok", "rasa": "unavailable", "database": "ok"}


def test_pages_carry_safety_headers(client: TestClient) -> None:
    for path in ("/", "/static/chat.js", "/healthz"):
        response = client.get(path)
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "script-src 'self'" in response.headers["content-security-policy"]


def test_chat_page_has_exit_that_works_without_javascript(
    client: TestClient, settings: Settings
) -> None:
    page = client.get("/").text
    assert f'href="{settings.exit_destination}"' in page
    assert "Exit this page" in page
    assert "<script>" not in page  # no inline script under the CSP
