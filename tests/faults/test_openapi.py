"""Schemathesis against the app's own OpenAPI document: whatever it sends, no 5xx, and
every response matches the documented schema, status and content type."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient

from api.main import create_app
from tests.conftest import make_settings
from tests.openapi_check import keeps_to_its_document

EXAMPLES_PER_OPERATION = 80


def test_the_api_keeps_to_its_openapi_document(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path))
    with TestClient(app):  # runs the lifespan: database, renderer, services
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        seen = keeps_to_its_document(schema, EXAMPLES_PER_OPERATION)
    assert seen >= {"POST /api/chat/messages", "POST /api/chat/{conversation_id}/exit"}
