"""Schemathesis against the app's own OpenAPI document: whatever it sends, no 5xx, and
every response matches the documented schema, status and content type."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from api.main import create_app
from tests.conftest import make_settings

EXAMPLES_PER_OPERATION = 80


def test_the_api_keeps_to_its_openapi_document(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path))
    with TestClient(app):  # runs the lifespan: database, renderer, services
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert {op.label for op in operations} >= {
            "POST /api/chat/messages",
            "POST /api/chat/{conversation_id}/exit",
        }
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def keeps_to_the_document(case: schemathesis.Case) -> None:
                case.call_and_validate()

            keeps_to_the_document()
