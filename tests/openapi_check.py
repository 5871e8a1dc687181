"""One way to hold a service to its OpenAPI document with schemathesis, in-process or
against the running stack: whatever it sends, no 5xx, and every response matches the
documented schema, status and content type."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings


def keeps_to_its_document(schema: Any, examples: int, **call: Any) -> set[str]:
    """Fuzz every operation of `schema` with `examples` cases; returns the labels seen."""
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def keeps_to_the_document(case: schemathesis.Case) -> None:
            case.call_and_validate(**call)

        keeps_to_the_document()
    return {operation.label for operation in operations}
