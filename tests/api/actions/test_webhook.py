"""Rasa's action-server protocol served by the API, called the way Rasa calls it."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi.testclient import TestClient
from rasa_sdk import Action

TOKEN = "test-actions-token"


def action_call(action: str, slots: dict[str, Any] | None = None, text: str = "") -> dict[str, Any]:
    return {
        "next_action": action,
        "sender_id": "test-conversation",
        "version": "3.6.21",
        "domain": {"slots": {}, "responses": {}, "forms": {}},
        "tracker": {
            "sender_id": "test-conversation",
            "slots": slots or {},
            "latest_message": {"text": text, "intent": {"name": "menu"}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def test_forged_or_missing_token_is_refused(client: TestClient) -> None:
    body = action_call("action_back_to_menu")
    assert client.post("/webhook", json=body).status_code == 403
    assert client.post("/webhook?token=wrong", json=body).status_code == 403


def test_runs_an_action_and_returns_events_and_responses(client: TestClient) -> None:
    body = action_call("action_back_to_menu", slots={"age": 17, "referral_consent": True})
    response = client.post(f"/webhook?token={TOKEN}", json=body)
    assert response.status_code == 200
    result = response.json()
    assert {"event": "slot", "name": "age", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in result["events"]
    ]
    assert result["responses"][0]["response"] == "utter_menu"


def test_unknown_action_is_404(client: TestClient) -> None:
    response = client.post(f"/webhook?token={TOKEN}", json=action_call("action_nope"))
    assert response.status_code == 404


def test_malformed_body_is_400(client: TestClient) -> None:
    response = client.post(
        f"/webhook?token={TOKEN}", content=b"[1,", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


class _WaitsForTheTest(Action):
    """An action that blocks, as real ones do (the database, argon2, Twilio), until the
    test lets it go."""

    def __init__(self, release: threading.Event) -> None:
        self.release = release

    def name(self) -> str:
        return "action_waits_for_the_test"

    async def run(self, dispatcher: Any, tracker: Any, domain: Any) -> list[Any]:
        self.release.wait(timeout=20)  # blocking on purpose, like a slow database
        return []


def test_a_blocking_action_does_not_hold_up_other_requests(client: TestClient) -> None:
    """While one action blocks, the API still answers: actions run in worker threads, not
    on the event loop that serves everyone else."""
    release = threading.Event()
    client.app.state.action_executor.register_action(_WaitsForTheTest(release))  # type: ignore[attr-defined]
    answered: list[int] = []
    action = threading.Thread(
        target=lambda: answered.append(
            client.post(
                f"/webhook?token={TOKEN}", json=action_call("action_waits_for_the_test")
            ).status_code
        )
    )
    action.start()
    try:
        time.sleep(0.3)  # the action is running and blocking
        assert client.get("/healthz").status_code in (200, 503)
        assert not release.is_set() and answered == []  # answered while the action waits
    finally:
        release.set()
        action.join(timeout=20)
    assert answered == [200]
