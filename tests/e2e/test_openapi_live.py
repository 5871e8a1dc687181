"""Schemathesis against the running stack, with the real trained Rasa answering
(tests/faults/test_openapi.py does the same in-process, where Rasa is not running, so
there it fuzzes the fallback answers; here it fuzzes the real ones)."""

from __future__ import annotations

import pytest
import schemathesis

from scripts.stack import Stack
from tests.openapi_check import keeps_to_its_document

pytestmark = pytest.mark.e2e

EXAMPLES_PER_OPERATION = 25  # each chat message is a real turn of the real Rasa


def test_the_running_service_keeps_to_its_openapi_document(stack: Stack) -> None:
    schema = schemathesis.openapi.from_url(f"{stack.api_url}/openapi.json")
    seen = keeps_to_its_document(schema, EXAMPLES_PER_OPERATION, timeout=30)
    assert "POST /api/chat/messages" in seen
