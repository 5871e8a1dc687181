"""Schemathesis against the running stack, with the real trained Rasa answering: whatever
it sends, no 5xx, and every response matches the documented schema, status and content
type. (tests/faults/test_openapi.py does the same in-process, where Rasa is not running,
so there it fuzzes the fallback answers; here it fuzzes the real ones.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from scripts.stack import Stack

pytestmark = pytest.mark.e2e

EXAMPLES_PER_OPERATION = 25  # each chat message is a real turn of the real Rasa


def test_the_running_service_keeps_to_its_openapi_document(stack: Stack) -> None:
    schema = schemathesis.openapi.from_url(f"{stack.api_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert "POST /api/chat/messages" in {op.label for op in operations}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def keeps_to_the_document(case: schemathesis.Case) -> None:
            case.call_and_validate(timeout=30)

        keeps_to_the_document()
